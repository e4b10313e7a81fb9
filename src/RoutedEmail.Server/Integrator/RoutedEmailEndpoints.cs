using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using RoutedEmail.Core.Emails;
using RoutedEmail.Server.Routing;
using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Integrator;

/// <summary>The integrator API: look up or cancel one routed email by entity id, with the ingest headers.</summary>
internal static partial class RoutedEmailEndpoints
{
    internal const string GroupPath = "/api/v1/routed-emails";

    public static void MapRoutedEmails(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(GroupPath).WithTags("Integrator");
        group.MapGet("/{entityId}", GetByPathAsync)
            .WithSummary("Reads the newest routed email of an entity id: state, queue, agent and history.");
        group.MapDelete("/{entityId}", CancelByPathAsync)
            .WithSummary("Cancels the newest routed email of an entity id in any open state.");

        // The query form reaches entity ids that a path segment cannot carry, such as "." and "..".
        group.MapGet("", GetByQueryAsync)
            .WithSummary("Reads the newest routed email of the entity id given as ?entityId=.");
        group.MapDelete("", CancelByQueryAsync)
            .WithSummary("Cancels the newest routed email of the entity id given as ?entityId=.");
        group.MapExplanations();
    }

    private static Task<Results<Ok<RoutedEmailDetails>, ProblemHttpResult>> GetByPathAsync(
        string entityId, HttpRequest request, IntegratorAuthenticator authenticator, IRoutedEmailStore store,
        CancellationToken cancellationToken) =>
        GetAsync(ReadEntityId(request, entityId), request, authenticator, store, cancellationToken);

    private static async Task<Results<Ok<RoutedEmailDetails>, ProblemHttpResult>> GetByQueryAsync(
        [FromQuery] string? entityId, HttpRequest request, IntegratorAuthenticator authenticator,
        IRoutedEmailStore store, CancellationToken cancellationToken) =>
        string.IsNullOrEmpty(entityId)
            ? MissingEntityId()
            : await GetAsync(entityId, request, authenticator, store, cancellationToken);

    private static Task<Results<Ok<RoutedEmailDetails>, ProblemHttpResult>> CancelByPathAsync(
        string entityId, HttpRequest request, IntegratorAuthenticator authenticator, IRoutedEmailStore store,
        IRoutingTrigger router, IAgentNotifier notifier, ILoggerFactory loggers, CancellationToken cancellationToken) =>
        CancelAsync(
            ReadEntityId(request, entityId), request, authenticator, store, router, notifier, loggers, cancellationToken);

    private static async Task<Results<Ok<RoutedEmailDetails>, ProblemHttpResult>> CancelByQueryAsync(
        [FromQuery] string? entityId, HttpRequest request, IntegratorAuthenticator authenticator,
        IRoutedEmailStore store, IRoutingTrigger router, IAgentNotifier notifier, ILoggerFactory loggers,
        CancellationToken cancellationToken) =>
        string.IsNullOrEmpty(entityId)
            ? MissingEntityId()
            : await CancelAsync(entityId, request, authenticator, store, router, notifier, loggers, cancellationToken);

    internal static async Task<Results<Ok<RoutedEmailDetails>, ProblemHttpResult>> GetAsync(
        string entityId, HttpRequest request, IntegratorAuthenticator authenticator, IRoutedEmailStore store,
        CancellationToken cancellationToken)
    {
        var authentication = await authenticator.AuthenticateAsync(request, cancellationToken);
        if (authentication.Tenant is not { } tenant)
        {
            return AuthenticationFailed(authentication);
        }

        var email = await store.FindByEntityIdAsync(tenant.Id, entityId, cancellationToken);
        return email is null ? NotFound(entityId) : TypedResults.Ok(email);
    }

    private static async Task<Results<Ok<RoutedEmailDetails>, ProblemHttpResult>> CancelAsync(
        string entityId, HttpRequest request, IntegratorAuthenticator authenticator, IRoutedEmailStore store,
        IRoutingTrigger router, IAgentNotifier notifier, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var authentication = await authenticator.AuthenticateAsync(request, cancellationToken);
        if (authentication.Tenant is not { } tenant)
        {
            return AuthenticationFailed(authentication);
        }

        var outcome = await store.CancelAsync(tenant.Id, entityId, cancellationToken);
        switch (outcome.Status)
        {
            case CancelStatus.NotFound:
                return NotFound(entityId);
            case CancelStatus.AlreadyCompleted:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                    title: "The routed email is completed.",
                    detail: $"The routed email of entityId \"{entityId}\" was completed by an agent and cannot be " +
                    "cancelled.");
            case CancelStatus.Canceled:
                var logger = loggers.CreateLogger(typeof(RoutedEmailEndpoints).FullName!);
                if (outcome.ReleasedAgentId is { } releasedAgentId)
                {
                    Log.Canceled(logger, tenant.Id, entityId, outcome.Email!.EmailId, releasedAgentId);
                    await notifier.NotifyAsync(tenant.Id, releasedAgentId, EventTypes.Canceled);
                }
                else
                {
                    Log.CanceledUnassigned(logger, tenant.Id, entityId, outcome.Email!.EmailId);
                }

                // The router runs also for a cancelled Queued email, which can leave its queue with no waiting
                // email and so end an unattended state.
                router.Wake(tenant.Id);

                break;
        }

        return TypedResults.Ok(outcome.Email!);
    }

    /// <summary>
    /// Decodes the entity id from the raw request target. The server's decoded path keeps "%2F" encoded but decodes
    /// "%25", so the route value cannot tell an entityId containing '/' from one containing "%2F".
    /// </summary>
    private static string ReadEntityId(HttpRequest request, string routeValue)
    {
        var rawTarget = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        const string prefix = GroupPath + "/";
        if (rawTarget is null || !rawTarget.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return routeValue;
        }

        var segment = rawTarget[prefix.Length..];
        var queryStart = segment.IndexOf('?', StringComparison.Ordinal);
        return Uri.UnescapeDataString(queryStart < 0 ? segment : segment[..queryStart]);
    }

    internal static ProblemHttpResult MissingEntityId() =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The entity id is missing.",
            detail: "Send the entity id in the path, /api/v1/routed-emails/{entityId}, or as ?entityId=.");

    internal static ProblemHttpResult AuthenticationFailed(IntegratorAuthentication authentication) =>
        TypedResults.Problem(statusCode: authentication.StatusCode,
            title: authentication.StatusCode == StatusCodes.Status429TooManyRequests
                ? "Too many failed authentications."
                : "The integrator headers are not valid.",
            detail: authentication.Error);

    internal static ProblemHttpResult NotFound(string entityId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "The routed email does not exist.",
            detail: $"This tenant has no routed email with entityId \"{entityId}\". Check the entityId and the " +
            "X-sc-company-code and X-sc-company-environment headers.");

    private static partial class Log
    {
        [LoggerMessage(7001, LogLevel.Information,
            "Email {EmailId} (entityId {EntityId}) of tenant {TenantId} cancelled; released agent {AgentId}")]
        public static partial void Canceled(ILogger logger, long tenantId, string entityId, long emailId, string agentId);

        [LoggerMessage(7002, LogLevel.Information,
            "Email {EmailId} (entityId {EntityId}) of tenant {TenantId} cancelled; no agent held it")]
        public static partial void CanceledUnassigned(ILogger logger, long tenantId, string entityId, long emailId);
    }
}

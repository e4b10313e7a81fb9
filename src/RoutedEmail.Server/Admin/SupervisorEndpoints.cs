using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Emails;
using RoutedEmail.Server.Agents;
using RoutedEmail.Server.Routing;
using RoutedEmail.Server.Security;
using RoutedEmail.Server.Users;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Admin;

/// <summary>
/// What a supervisor does to the tenant's emails and agents: read an email, cancel or transfer it, and set an
/// agent's status. Each change appends a <c>SupervisorAction</c> event that names who made it, in the change's own
/// transaction.
/// </summary>
internal static partial class SupervisorEndpoints
{
    public static void MapSupervisorActions(this RouteGroupBuilder tenant)
    {
        tenant.MapGet("/routed-emails/{entityId}", GetEmailAsync).AllowSupervisor()
            .WithSummary("Reads the newest routed email of an entity id: state, queue, agent and history.");
        tenant.MapPost("/routed-emails/{entityId}/cancel", CancelAsync).AllowSupervisor()
            .WithSummary("Cancels the newest routed email of an entity id in any open state.");
        tenant.MapPost("/routed-emails/{entityId}/transfer", TransferAsync).AllowSupervisor()
            .WithSummary("Transfers an Active email to a skill queue, or offers it to an agent.");
        tenant.MapPut("/agents/{agentId}/status", SetStatusAsync).AllowSupervisor()
            .WithSummary("Sets an agent's status: Available, Away (with a reason) or Offline.");
    }

    private static async Task<Results<Ok<RoutedEmailDetails>, ProblemHttpResult>> GetEmailAsync(
        HttpContext context, string entityId, IRoutedEmailStore emails, CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Get(context);
        var email = await emails.FindByEntityIdAsync(tenant.Id, entityId, cancellationToken);
        return email is null ? ExplanationAdminEndpoints.EmailNotFound(tenant, entityId) : TypedResults.Ok(email);
    }

    private static async Task<Results<Ok<RoutedEmailDetails>, ProblemHttpResult>> CancelAsync(
        HttpContext context, string entityId, ClaimsPrincipal user, IRoutedEmailStore emails,
        IRoutingTrigger router, IAgentNotifier notifier, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Get(context);
        var actor = TenantAccess.ReadActor(user);
        var outcome = await emails.CancelAsync(tenant.Id, entityId, cancellationToken, actor);
        switch (outcome.Status)
        {
            case CancelStatus.NotFound:
                return ExplanationAdminEndpoints.EmailNotFound(tenant, entityId);
            case CancelStatus.AlreadyCompleted:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                    title: "The routed email is completed.",
                    detail: $"The routed email of entityId \"{entityId}\" was completed by an agent and cannot be " +
                    "cancelled.");
            case CancelStatus.Canceled:
                Log.Canceled(CreateLogger(loggers), tenant.Id, entityId, outcome.Email!.EmailId, actor);
                if (outcome.ReleasedAgentId is { } released)
                {
                    await notifier.NotifyAsync(tenant.Id, released, EventTypes.Canceled);
                }

                router.Wake(tenant.Id);
                break;
        }

        return TypedResults.Ok(outcome.Email!);
    }

    private static async Task<Results<Ok<RoutedEmailDetails>, ProblemHttpResult>> TransferAsync(
        HttpContext context, string entityId, SupervisorTransferRequest request, ClaimsPrincipal user,
        IRoutedEmailStore emails, AgentActions actions, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Get(context);
        var email = await emails.FindByEntityIdAsync(tenant.Id, entityId, cancellationToken);
        if (email is null)
        {
            return ExplanationAdminEndpoints.EmailNotFound(tenant, entityId);
        }

        if (email.State != RoutedEmailState.Active || email.AgentId is not { } holder)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                title: "The email cannot be transferred.",
                detail: $"The routed email of entityId \"{entityId}\" is {email.State}; only an Active email can be " +
                "transferred. A Queued email waits for any agent of its queue; cancel it if it is not wanted.");
        }

        // NOTE: the failure texts are the agent's own, so an agentId equal to the holder is described as "you".
        var actor = TenantAccess.ReadActor(user);
        var failure = await actions.TransferAsync(new AgentKey(tenant.Id, holder), email.EmailId, request.SkillQueue,
            request.AgentId, cancellationToken, actor);
        if (failure is not null)
        {
            return ToProblem(failure);
        }

        Log.Transferred(CreateLogger(loggers), tenant.Id, entityId, email.EmailId, holder, actor);
        return TypedResults.Ok((await emails.FindByEntityIdAsync(tenant.Id, entityId, cancellationToken))!);
    }

    private static async Task<Results<Ok<Agent>, ProblemHttpResult>> SetStatusAsync(
        HttpContext context, string agentId, SupervisorStatusRequest request, ClaimsPrincipal user,
        IConfigurationStore configuration, AgentActions actions, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Get(context);
        if (await configuration.GetAgentAsync(tenant.Id, agentId, cancellationToken) is null)
        {
            return SkillQueueEndpoints.NotFound("agent", agentId);
        }

        var actor = TenantAccess.ReadActor(user);
        var failure = await actions.SetStatusAsync(
            new AgentKey(tenant.Id, agentId), request.Status, request.Reason, cancellationToken, actor);
        if (failure is not null)
        {
            return ToProblem(failure);
        }

        Log.StatusSet(CreateLogger(loggers), tenant.Id, agentId, request.Status!, actor);
        return TypedResults.Ok((await configuration.GetAgentAsync(tenant.Id, agentId, cancellationToken))!);
    }

    private static ProblemHttpResult ToProblem(AgentActionFailure failure) => failure.Kind switch
    {
        AgentActionFailureKind.Invalid => TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest,
            title: failure.Title, detail: failure.Detail,
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]>
            {
                [failure.Field!] = [failure.Detail],
            } }),
        AgentActionFailureKind.NotFound => TypedResults.Problem(
            statusCode: StatusCodes.Status404NotFound, title: failure.Title, detail: failure.Detail),
        _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: failure.Title, detail: failure.Detail),
    };

    private static ILogger CreateLogger(ILoggerFactory loggers) =>
        loggers.CreateLogger(typeof(SupervisorEndpoints).FullName!);

    private static partial class Log
    {
        [LoggerMessage(9031, LogLevel.Information,
            "Email {EmailId} (entityId {EntityId}) of tenant {TenantId} cancelled by {Actor}")]
        public static partial void Canceled(ILogger logger, long tenantId, string entityId, long emailId, string actor);

        [LoggerMessage(9032, LogLevel.Information,
            "Email {EmailId} (entityId {EntityId}) of tenant {TenantId} transferred from agent {AgentId} by {Actor}")]
        public static partial void Transferred(
            ILogger logger, long tenantId, string entityId, long emailId, string agentId, string actor);

        [LoggerMessage(9033, LogLevel.Information,
            "Status of agent {AgentId} of tenant {TenantId} set to {Status} by {Actor}")]
        public static partial void StatusSet(ILogger logger, long tenantId, string agentId, string status, string actor);
    }
}

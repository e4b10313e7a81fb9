using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using RoutedEmail.Core.Emails;
using RoutedEmail.Core.Explanations;
using RoutedEmail.Server.Routing;
using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Integrator;

/// <summary>The integrator's explanation of one routed email: its place in the queue, or why its agent got it.</summary>
internal static class ExplanationEndpoints
{
    private const string Suffix = "/explanation";

    public static void MapExplanations(this RouteGroupBuilder group)
    {
        group.MapGet("/{entityId}" + Suffix, GetByPathAsync)
            .WithSummary("Explains where the newest routed email of an entity id is and why.");

        // A literal segment wins over "/{entityId}", so without ?entityId= this route still reads the routed email
        // whose entity id is "explanation", as it did before the route existed.
        group.MapGet(Suffix, GetByQueryAsync)
            .WithSummary("Explains the routed email of the entity id given as ?entityId=.");
    }

    /// <summary>
    /// Explains an email for a tenant, or returns the 404 problem that <paramref name="notFound"/> builds from the
    /// entity id. Each API names its own way of selecting the tenant in that problem.
    /// </summary>
    internal static async Task<Results<Ok<EmailExplanation>, ProblemHttpResult>> ExplainAsync(
        long tenantId, string entityId, IExplanationStore store, RoutingOptions options,
        Func<string, ProblemHttpResult> notFound, CancellationToken cancellationToken)
    {
        var explanation = await store.ExplainAsync(tenantId, entityId, options.DeclineSkip, cancellationToken);
        return explanation is null ? notFound(entityId) : TypedResults.Ok(explanation);
    }

    private static async Task<Results<Ok<EmailExplanation>, ProblemHttpResult>> GetByPathAsync(
        string entityId, HttpRequest request, IntegratorAuthenticator authenticator, IExplanationStore store,
        IOptions<RoutingOptions> options, CancellationToken cancellationToken)
    {
        var authentication = await authenticator.AuthenticateAsync(request, cancellationToken);
        if (authentication.Tenant is not { } tenant)
        {
            return RoutedEmailEndpoints.AuthenticationFailed(authentication);
        }

        return await ExplainAsync(tenant.Id, ReadEntityId(request, entityId), store, options.Value,
            RoutedEmailEndpoints.NotFound, cancellationToken);
    }

    private static async Task<Results<Ok<EmailExplanation>, Ok<RoutedEmailDetails>, ProblemHttpResult>>
        GetByQueryAsync(
            [FromQuery] string? entityId, HttpRequest request, IntegratorAuthenticator authenticator,
            IExplanationStore store, IRoutedEmailStore emails, IOptions<RoutingOptions> options,
            CancellationToken cancellationToken)
    {
        if (entityId is null)
        {
            var email = await RoutedEmailEndpoints.GetAsync(
                "explanation", request, authenticator, emails, cancellationToken);
            return email.Result switch
            {
                Ok<RoutedEmailDetails> found => found,
                ProblemHttpResult problem => problem,
                _ => throw new InvalidOperationException("The look-up returned an unexpected result."),
            };
        }

        if (entityId.Length == 0)
        {
            return RoutedEmailEndpoints.MissingEntityId();
        }

        var authentication = await authenticator.AuthenticateAsync(request, cancellationToken);
        if (authentication.Tenant is not { } tenant)
        {
            return RoutedEmailEndpoints.AuthenticationFailed(authentication);
        }

        var explanation = await ExplainAsync(
            tenant.Id, entityId, store, options.Value, RoutedEmailEndpoints.NotFound, cancellationToken);
        return explanation.Result switch
        {
            Ok<EmailExplanation> found => found,
            ProblemHttpResult problem => problem,
            _ => throw new InvalidOperationException("The explanation returned an unexpected result."),
        };
    }

    /// <summary>
    /// Decodes the entity id from the raw request target, for the same reason as the look-up: the decoded path
    /// cannot tell an entity id containing '/' from one containing "%2F".
    /// </summary>
    private static string ReadEntityId(HttpRequest request, string routeValue)
    {
        var rawTarget = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        const string prefix = RoutedEmailEndpoints.GroupPath + "/";
        if (rawTarget is null || !rawTarget.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return routeValue;
        }

        var path = rawTarget[prefix.Length..];
        var queryStart = path.IndexOf('?', StringComparison.Ordinal);
        path = queryStart < 0 ? path : path[..queryStart];
        return path.EndsWith(Suffix, StringComparison.Ordinal)
            ? Uri.UnescapeDataString(path[..^Suffix.Length])
            : routeValue;
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using RoutedEmail.Core.Explanations;
using RoutedEmail.Server.Integrator;
using RoutedEmail.Server.Routing;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Admin;

/// <summary>The supervisor's view of the integrator's explanation: the same response, under the tenant's admin path.</summary>
internal static class ExplanationAdminEndpoints
{
    public static void MapExplanationAdministration(this RouteGroupBuilder tenant)
    {
        tenant.MapGet("/routed-emails/{entityId}/explanation", GetAsync)
            .WithSummary("Explains where the newest routed email of an entity id is and why.");
    }

    private static Task<Results<Ok<EmailExplanation>, ProblemHttpResult>> GetAsync(
        HttpContext context, string entityId, IExplanationStore store, IOptions<RoutingOptions> options,
        CancellationToken cancellationToken) =>
        ExplanationEndpoints.ExplainAsync(
            TenantScope.Get(context).Id, entityId, store, options.Value, cancellationToken);
}

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using RoutedEmail.Core.Explanations;
using RoutedEmail.Core.Tenants;
using RoutedEmail.Server.Integrator;
using RoutedEmail.Server.Routing;
using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Admin;

/// <summary>The supervisor's view of the integrator's explanation: the same response, under the tenant's admin path.</summary>
internal static class ExplanationAdminEndpoints
{
    public static void MapExplanationAdministration(this RouteGroupBuilder tenant)
    {
        tenant.MapGet("/routed-emails/{entityId}/explanation", GetAsync).AllowSupervisor()
            .WithSummary("Explains where the newest routed email of an entity id is and why.");
    }

    private static Task<Results<Ok<EmailExplanation>, ProblemHttpResult>> GetAsync(
        HttpContext context, string entityId, IExplanationStore store, IOptions<RoutingOptions> options,
        CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Get(context);
        return ExplanationEndpoints.ExplainAsync(tenant.Id, entityId, store, options.Value,
            unknown => EmailNotFound(tenant, unknown), cancellationToken);
    }

    /// <summary>
    /// Returns the 404 of the tenant's email routes. The admin API takes the tenant from the path, not from the
    /// integrator headers, so the fix names the path.
    /// </summary>
    internal static ProblemHttpResult EmailNotFound(Tenant tenant, string entityId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "The routed email does not exist.",
            detail: $"Tenant {tenant.CompanyCode}/{tenant.Environment} has no routed email with entityId " +
            $"\"{entityId}\". Check the entityId, and the company code and environment in the request path.");
}

using RoutedEmail.Core.Tenants;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Admin;

/// <summary>
/// Resolves the tenant of a <c>/tenants/{company}/{environment}/...</c> route once, in an endpoint filter, so
/// that every handler below it can rely on the tenant existing. An unknown tenant gets 404 before any handler runs.
/// </summary>
internal static class TenantScope
{
    private const string ItemKey = "RoutedEmail.Tenant";

    /// <summary>Adds the filter that resolves the tenant to every endpoint of the group.</summary>
    public static RouteGroupBuilder RequireTenant(this RouteGroupBuilder group) =>
        group.AddEndpointFilter(ResolveAsync).ProducesProblem(StatusCodes.Status404NotFound);

    /// <summary>Returns the tenant that the filter resolved for this request.</summary>
    public static Tenant Get(HttpContext context) => (Tenant)context.Items[ItemKey]!;

    private static async ValueTask<object?> ResolveAsync(
        EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var company = (string)context.GetRouteValue("company")!;
        var environment = (string)context.GetRouteValue("environment")!;
        var tenants = context.RequestServices.GetRequiredService<ITenantStore>();
        var tenant = await tenants.FindTenantAsync(company, environment, context.RequestAborted);
        if (tenant is null)
        {
            return TenantEndpoints.TenantNotFound(company, environment);
        }

        context.Items[ItemKey] = tenant;
        return await next(invocation);
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using RoutedEmail.Core.Tenants;
using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Admin;

/// <summary>The supervisor dashboard's one aggregate read of a tenant's queues and agents.</summary>
internal static class DashboardEndpoints
{
    public static void MapDashboard(this RouteGroupBuilder tenant)
    {
        tenant.MapGet("/dashboard", ReadAsync).AllowSupervisor()
            .WithSummary("Reads live per-queue and per-agent figures, with today's service level per queue.");
    }

    private static async Task<Ok<TenantDashboard>> ReadAsync(
        HttpContext context, IDashboardStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Get(context);
        var now = time.GetUtcNow();
        var dayStart = TenantDay.StartOf(now, tenant.TimeZone);
        return TypedResults.Ok(
            await store.ReadDashboardAsync(tenant.Id, tenant.TimeZone, now, dayStart, cancellationToken));
    }
}

using RoutedEmail.Core.Tenants;

namespace RoutedEmail.Storage.Abstractions;

/// <summary>The live figures of the supervisor dashboard.</summary>
public interface IDashboardStore
{
    /// <summary>
    /// Reads the tenant's per-queue and per-agent figures. The cost follows the open emails, the agents, the queues
    /// and the offers made since <paramref name="dayStart"/>, not the completed emails of earlier days.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="timeZone">The tenant's IANA time zone, copied into the result.</param>
    /// <param name="now">The read time, from which waits and times in status are measured.</param>
    /// <param name="dayStart">The start of the tenant's day, from which service levels count.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<TenantDashboard> ReadDashboardAsync(
        long tenantId, string timeZone, DateTimeOffset now, DateTimeOffset dayStart,
        CancellationToken cancellationToken);
}

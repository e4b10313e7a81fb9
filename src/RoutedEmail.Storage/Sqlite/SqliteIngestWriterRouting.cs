using Microsoft.Extensions.Logging;
using RoutedEmail.Storage.Abstractions;
using RoutedEmail.Storage.Sql;

namespace RoutedEmail.Storage.Sqlite;

/// <summary>
/// Routing on arrival: after the last batch of a group, the group's transaction runs a routing step for each tenant
/// that got new email, so an email and its offer commit together. Without it, the email's offer needs a routing step
/// of its own after the 200: another turn at the write gate and another fsync.
/// </summary>
internal sealed partial class SqliteIngestWriter
{
    private readonly IArrivalRouting? _arrival;
    private readonly SqlRoutingStore _routing;

    /// <summary>
    /// Runs a routing step, each in its own savepoint, for every tenant of the group with new email, commits the
    /// group, and then hands each tenant's offers to the host. A step that fails rolls back alone and is logged, and
    /// the tenant's email stays Queued for the routing service, which the ingest endpoint wakes after every append.
    /// </summary>
    /// <remarks>
    /// When the group fails after some steps made offers, because a rollback to a savepoint or the commit failed,
    /// the offers are undone with it. The routing store's copy of the agents has counted them already, so the copy
    /// of each of those tenants is dropped and read again at the tenant's next step.
    /// </remarks>
    private void RouteCommitAndAnnounce(
        SqliteWriteTransaction transaction, IngestStatements statements, List<PendingBatch> group, int?[] counts)
    {
        var routed = new List<(long TenantId, IReadOnlyList<OfferMade> Offers)>();
        try
        {
            RouteArrivals(transaction, statements, group, counts, routed);
            transaction.Commit();
        }
        catch
        {
            foreach (var (tenantId, _) in routed)
            {
                _routing.ForgetRoutableAgents(tenantId);
            }

            throw;
        }

        foreach (var (tenantId, offers) in routed)
        {
            _arrival!.OffersCommitted(tenantId, offers);
        }
    }

    private void RouteArrivals(
        SqliteWriteTransaction transaction, IngestStatements statements, List<PendingBatch> group, int?[] counts,
        List<(long TenantId, IReadOnlyList<OfferMade> Offers)> routed)
    {
        if (_arrival is null)
        {
            return;
        }

        var tenants = new HashSet<long>();
        for (var i = 0; i < group.Count; i++)
        {
            if (counts[i] > 0 && tenants.Add(group[i].TenantId))
            {
                var offers = RouteArrival(transaction, statements, group[i].TenantId, _arrival.DeclineSkip);
                if (offers.Count > 0)
                {
                    routed.Add((group[i].TenantId, offers));
                }
            }
        }
    }

    private List<OfferMade> RouteArrival(
        SqliteWriteTransaction transaction, IngestStatements statements, long tenantId, TimeSpan declineSkip)
    {
        statements.Savepoint.ExecuteNonQuery();
        try
        {
            var offers = _routing.RouteInTransaction(statements.Connection, transaction, tenantId, declineSkip);
            statements.Release.ExecuteNonQuery();
            return offers;
        }
#pragma warning disable CA1031 // A failed step must not fail the group's batches, and the routing service retries.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            // Logged first, because a rollback that fails, such as after SQLite rolled back the whole transaction,
            // fails the group with its own error.
            Log.ArrivalRoutingFailed(_logger, exception, tenantId);
            transaction.Kept?.ReleaseCommands();
            statements.Rollback.ExecuteNonQuery();
            return [];
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1103, LogLevel.Error,
            "Routing the new email of tenant {TenantId} in the ingest transaction failed and was rolled back; the " +
            "email is stored and waits for the next routing step")]
        public static partial void ArrivalRoutingFailed(ILogger logger, Exception exception, long tenantId);
    }
}

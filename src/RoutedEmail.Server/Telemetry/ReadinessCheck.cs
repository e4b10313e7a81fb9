using System.Data.Common;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RoutedEmail.Server.Hosting;
using RoutedEmail.Storage.Sql;
using RoutedEmail.Storage.Sqlite;

namespace RoutedEmail.Server.Telemetry;

/// <summary>
/// The check behind <c>/healthz</c>. It reports healthy while the node can serve requests: the store finished its
/// start, a query on the database succeeds, every migration script that this build contains is recorded as applied,
/// and the host is not stopping. A load balancer thus takes out a node that cannot reach the database, a node whose
/// database was replaced by an older copy, and a node that is shutting down. On a full disk, queries still pass but
/// writes fail. After such a failure the check reports <c>Degraded</c> with the reason for
/// <see cref="StorageFailures.ReadinessWindow"/>, which keeps the 200, so the node stays in the balancer.
/// </summary>
internal sealed class ReadinessCheck(
    StartupGate startup, SqlDatabase database, StorageFailures failures, IHostApplicationLifetime lifetime)
    : IHealthCheck
{
    // DbUp's journal table, by one name on both databases. SQLite matches names without regard to case, and
    // PostgreSQL folds the unquoted name to lower case, the name DbUp gives the table there.
    private const string JournalQuery = "SELECT COUNT(*) FROM schemaversions";

    private readonly Lazy<int> _scriptCount = new(() => CountScripts(database));

    public Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The service is stopping."));
        }

        if (!startup.IsReady)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Storage is not initialized yet."));
        }

        long applied;
        try
        {
            using var connection = database.Open();
            using var command = connection.CreateCommand();
            command.CommandText = JournalQuery;
            applied = Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (DbException exception)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The database is unavailable.", exception));
        }

        if (applied < _scriptCount.Value)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(
                $"The database records {applied} of this build's {_scriptCount.Value} migration scripts. Restart " +
                "the node to apply the missing ones."));
        }

        if (failures.RecentFailure is { } failed)
        {
            // Degraded keeps the 200 because queries still succeed. The node still serves reads, and writes that fit
            // into freed pages, while monitors see the reason.
            return Task.FromResult(HealthCheckResult.Degraded(
                $"A request failed at {failed:O} because the database could not be used, for example because its " +
                "disk is full. Free disk space or repair the database; the node reports Healthy again " +
                $"{StorageFailures.ReadinessWindow.TotalSeconds:F0} seconds after the last such failure."));
        }

        return Task.FromResult(HealthCheckResult.Healthy());
    }

    /// <summary>Counts the migration scripts of the database's kind that the storage library embeds.</summary>
    private static int CountScripts(SqlDatabase database)
    {
        var folder = database is SqliteDatabase ? ".Migrations.Sqlite." : ".Migrations.Postgres.";
        return typeof(SqlDatabase).Assembly.GetManifestResourceNames()
            .Count(name => name.Contains(folder, StringComparison.Ordinal)
                           && name.EndsWith(".sql", StringComparison.Ordinal));
    }
}

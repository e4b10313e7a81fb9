using System.Data.Common;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using RoutedEmail.Server.Hosting;
using RoutedEmail.Storage.Sql;

namespace RoutedEmail.Server.Telemetry;

/// <summary>
/// The observable gauges of every skill queue of every tenant: <c>routed_email.queue.waiting</c> (Queued emails) and
/// <c>routed_email.queue.oldest_wait</c> (seconds since the oldest one's enqueue, 0 when none waits). One query
/// reads both for all tenants, and its result serves every scrape for <see cref="TelemetryOptions.QueueCacheSeconds"/>.
/// </summary>
/// <remarks>
/// Every node reads the same database, so every node of a cluster reports the same values. The query counts the
/// Queued emails through the partial index <c>routed_emails_waiting</c>, as the supervisor dashboard does, so its
/// cost grows with the waiting emails of all tenants and not with the closed ones.
/// </remarks>
internal sealed partial class QueueGauges
{
    // The subquery reads the Queued emails once through the partial index routed_emails_waiting, and the join adds
    // the queues without waiting email. A LEFT JOIN straight onto routed_emails made SQLite 3.40 build a temporary
    // index over the whole table at every read (seen with EXPLAIN QUERY PLAN).
    private const string Query =
        """
        SELECT t.company_code, t.environment, q.name, COALESCE(w.waiting, 0), w.oldest
        FROM skill_queues q
        JOIN tenants t ON t.id = q.tenant_id
        LEFT JOIN (
            SELECT tenant_id, skill_queue, COUNT(*) AS waiting, MIN(enqueued_at) AS oldest
            FROM routed_emails WHERE state = 'Queued'
            GROUP BY tenant_id, skill_queue) w
            ON w.tenant_id = q.tenant_id AND w.skill_queue = q.name
        """;

    private readonly SqlDatabase _database;
    private readonly StartupGate _startup;
    private readonly TimeProvider _time;
    private readonly TimeSpan _cacheDuration;
    private readonly ILogger<QueueGauges> _logger;
    private readonly Lock _refresh = new();
    private Snapshot? _snapshot;
    private bool _lastReadFailed;

    /// <summary>Adds the two gauges to the service's meter.</summary>
    public QueueGauges(
        RoutedEmailMetrics metrics, SqlDatabase database, StartupGate startup, TimeProvider time,
        IOptions<TelemetryOptions> options, ILogger<QueueGauges> logger)
    {
        _database = database;
        _startup = startup;
        _time = time;
        _cacheDuration = TimeSpan.FromSeconds(options.Value.QueueCacheSeconds);
        _logger = logger;
        metrics.Meter.CreateObservableGauge(
            "routed_email.queue.waiting", () => Read().Select(row => new Measurement<long>(row.Waiting, row.Tags)),
            "{email}", "Queued emails of a skill queue.");
        metrics.Meter.CreateObservableGauge(
            "routed_email.queue.oldest_wait",
            () => Read().Select(row => new Measurement<double>(row.OldestWait, row.Tags)),
            "s", "Seconds since the enqueue of the skill queue's oldest Queued email; 0 when none waits.");
    }

    /// <summary>Returns the cached rows, reading them again once they are older than the cache duration.</summary>
    internal IReadOnlyList<QueueRow> Read()
    {
        if (!_startup.IsReady)
        {
            return [];
        }

        lock (_refresh)
        {
            var now = _time.GetUtcNow();
            if (_snapshot is null || now - _snapshot.ReadAt >= _cacheDuration)
            {
                _snapshot = new Snapshot(now, ReadFromDatabase(now));
            }

            return _snapshot.Rows;
        }
    }

    private List<QueueRow> ReadFromDatabase(DateTimeOffset now)
    {
        try
        {
            using var connection = _database.Open();
            using var command = connection.CreateCommand();
            command.CommandText = Query;
            using var reader = command.ExecuteReader();
            var rows = new List<QueueRow>();
            while (reader.Read())
            {
                var tenant = TenantLabels.Format(reader.GetString(0), reader.GetString(1));
                var waiting = reader.GetInt64(3);
                var oldestWait = reader.IsDBNull(4)
                    ? 0
                    : Math.Max(0, (now - DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))).TotalSeconds);
                rows.Add(new QueueRow(RoutedEmailMetrics.Queue(tenant, reader.GetString(2)), waiting, oldestWait));
            }

            _lastReadFailed = false;
            return rows;
        }
        catch (DbException exception)
        {
            // One line per failure streak, because a scrape every few seconds would repeat it.
            if (!_lastReadFailed)
            {
                Log.ReadFailed(_logger, exception);
            }

            _lastReadFailed = true;
            return [];
        }
    }

    /// <summary>The gauge values of one skill queue.</summary>
    internal sealed record QueueRow(System.Diagnostics.TagList Tags, long Waiting, double OldestWait);

    private sealed record Snapshot(DateTimeOffset ReadAt, IReadOnlyList<QueueRow> Rows);

    private static partial class Log
    {
        [LoggerMessage(2302, LogLevel.Warning,
            "Reading the skill queues for the queue gauges failed; /metrics omits them until a read succeeds")]
        public static partial void ReadFailed(ILogger logger, Exception exception);
    }
}

using System.Data.Common;
using RoutedEmail.Core.Reports;

namespace RoutedEmail.Storage.Sql;

/// <summary>Stores the interval report totals of events before they expire.</summary>
internal sealed partial class SqlRetentionStore
{
    /// <summary>The longest stretch of events whose totals one transaction stores.</summary>
    private static readonly TimeSpan TotalsStep = TimeSpan.FromDays(1);

    /// <summary>
    /// Moves the end of the tenant's stored report totals up to the quarter hour at or before
    /// <paramref name="horizon"/>, one day per transaction. The events of each day are read and summed outside the
    /// transaction, because events that old no longer change. The transaction then checks that no other node
    /// stored that day meanwhile, so each stretch is stored once.
    /// </summary>
    /// <returns>The end of the stored totals, or null when the tenant does not exist.</returns>
    private async Task<DateTimeOffset?> StoreReportTotalsAsync(
        long tenantId, DateTimeOffset horizon, CancellationToken cancellationToken)
    {
        var target = ReportTotals.BucketOf(horizon);
        var reports = new SqlIntervalReportStore(database);
        var statuses = new SqlAwayReasonStore(database, timeProvider);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (exists, until) = ReadTotalsUntil(tenantId);
            if (!exists)
            {
                return null;
            }

            if (until >= target)
            {
                return until;
            }

            var from = until ?? FirstEventBucket(tenantId) ?? target;
            from = from < target ? from : target;
            var to = from + TotalsStep < target ? from + TotalsStep : target;
            var totals = StoredReportTotals.None with { TotalsUntil = to };
            if (from < to)
            {
                var events = await reports.ReadEmailEventsAsync(tenantId, from, to, cancellationToken);
                var changes = await statuses.ReadStatusChangesAsync(tenantId, null, from, to, cancellationToken);
                var thresholds = await reports.ReadServiceLevelThresholdsAsync(tenantId, cancellationToken);
                totals = ReportTotals.Sum(events, changes, from, to, thresholds);
            }

            WriteTotals(tenantId, until, totals);
        }
    }

    private (bool Exists, DateTimeOffset? Until) ReadTotalsUntil(long tenantId)
    {
        using var connection = database.Open();
        using var read = connection.Command("SELECT report_totals_until FROM tenants WHERE id = @tenant", null);
        read.With("@tenant", tenantId);
        using var reader = read.ExecuteReader();
        if (!reader.Read())
        {
            return (false, null);
        }

        return (true, reader.IsDBNull(0) ? null : SqlCommands.ToTime(reader.ReadInt64(0)));
    }

    private DateTimeOffset? FirstEventBucket(long tenantId)
    {
        using var connection = database.Open();
        using var read = connection.Command("SELECT MIN(at) FROM events WHERE tenant_id = @tenant", null);
        var first = read.With("@tenant", tenantId).ExecuteInt64();
        return first is { } at ? ReportTotals.BucketOf(SqlCommands.ToTime(at)) : null;
    }

    /// <summary>
    /// Inserts the totals and moves the end of the stored totals, unless another node moved it since
    /// <paramref name="expectedUntil"/> was read; then nothing is written and the caller reads the end again.
    /// </summary>
    private void WriteTotals(long tenantId, DateTimeOffset? expectedUntil, StoredReportTotals totals)
    {
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId);
        using (var move = connection.Command(
            """
            UPDATE tenants SET report_totals_until = @to
            WHERE id = @tenant AND COALESCE(report_totals_until, -1) = @expected
            """, transaction))
        {
            var moved = move.With("@to", totals.TotalsUntil!.Value.ToStored()).With("@tenant", tenantId)
                .With("@expected", expectedUntil?.ToStored() ?? -1L).ExecuteNonQuery();
            if (moved == 0)
            {
                return;
            }
        }

        foreach (var fact in totals.Facts)
        {
            InsertFactTotal(connection, transaction, tenantId, fact);
        }

        foreach (var time in totals.StatusTimes)
        {
            InsertStatusTime(connection, transaction, tenantId, time);
        }

        transaction.Commit();
    }

    private static void InsertFactTotal(
        DbConnection connection, DbTransaction transaction, long tenantId, StoredFactTotal fact)
    {
        using var insert = connection.Command(
            """
            INSERT INTO report_fact_totals (tenant_id, bucket_start, kind, queue, agent_id, work_code, count,
                                            total_ms, max_ms, level_count)
            VALUES (@tenant, @bucket, @kind, @queue, @agent, @code, @count, @total, @max, @level)
            """, transaction);
        insert.With("@tenant", tenantId).With("@bucket", fact.BucketStart.ToStored()).With("@kind", fact.Kind)
            .With("@queue", fact.Queue).With("@agent", fact.AgentId ?? string.Empty)
            .With("@code", fact.WorkCode ?? string.Empty).With("@count", fact.Count)
            .With("@total", (long)fact.Total.TotalMilliseconds).With("@max", (long)fact.Max.TotalMilliseconds)
            .With("@level", fact.LevelCount).ExecuteNonQuery();
    }

    private static void InsertStatusTime(
        DbConnection connection, DbTransaction transaction, long tenantId, StoredStatusTime time)
    {
        using var insert = connection.Command(
            """
            INSERT INTO report_status_totals (tenant_id, bucket_start, agent_id, status, away_reason, duration_ms)
            VALUES (@tenant, @bucket, @agent, @status, @reason, @duration)
            """, transaction);
        insert.With("@tenant", tenantId).With("@bucket", time.BucketStart.ToStored()).With("@agent", time.AgentId)
            .With("@status", time.Status.ToString()).With("@reason", time.AwayReason ?? string.Empty)
            .With("@duration", (long)time.Duration.TotalMilliseconds).ExecuteNonQuery();
    }
}

using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Reports;

namespace RoutedEmail.Storage.Sql;

/// <summary>Reads the report totals that expiry stored.</summary>
internal sealed partial class SqlIntervalReportStore
{
    public Task<DateTimeOffset?> ReadReportTotalsUntilAsync(long tenantId, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var read = connection.Command("SELECT report_totals_until FROM tenants WHERE id = @tenant", null);
        var until = read.With("@tenant", tenantId).ExecuteInt64();
        return Task.FromResult(until is { } value ? SqlCommands.ToTime(value) : (DateTimeOffset?)null);
    }

    public Task<StoredReportTotals> ReadStoredTotalsAsync(
        long tenantId, DateTimeOffset rangeStart, DateTimeOffset rangeEnd, CancellationToken cancellationToken)
    {
        // One snapshot, so the end of the totals and the totals before it belong together.
        using var connection = database.Open();
        using var transaction = database.BeginRead(connection);
        using var readUntil = connection.Command(
            "SELECT report_totals_until FROM tenants WHERE id = @tenant", transaction);
        if (readUntil.With("@tenant", tenantId).ExecuteInt64() is not { } stored)
        {
            return Task.FromResult(StoredReportTotals.None);
        }

        var until = SqlCommands.ToTime(stored);
        var from = ReportTotals.BucketOf(rangeStart).ToStored();
        var to = (rangeEnd < until ? rangeEnd : until).ToStored();
        var facts = new List<StoredFactTotal>();
        using (var read = connection.Command(
            """
            SELECT bucket_start, kind, queue, agent_id, work_code, count, total_ms, max_ms, level_count
            FROM report_fact_totals
            WHERE tenant_id = @tenant AND bucket_start >= @from AND bucket_start < @to
            """, transaction))
        {
            read.With("@tenant", tenantId).With("@from", from).With("@to", to);
            using var reader = read.ExecuteReader();
            while (reader.Read())
            {
                cancellationToken.ThrowIfCancellationRequested();
                facts.Add(new StoredFactTotal(
                    SqlCommands.ToTime(reader.ReadInt64(0)), reader.GetString(1), reader.GetString(2),
                    EmptyAsNull(reader.GetString(3)), EmptyAsNull(reader.GetString(4)), reader.ReadInt32(5),
                    TimeSpan.FromMilliseconds(reader.ReadInt64(6)), TimeSpan.FromMilliseconds(reader.ReadInt64(7)),
                    reader.ReadInt32(8)));
            }
        }

        var times = new List<StoredStatusTime>();
        using (var read = connection.Command(
            """
            SELECT bucket_start, agent_id, status, away_reason, duration_ms
            FROM report_status_totals
            WHERE tenant_id = @tenant AND bucket_start >= @from AND bucket_start < @to
            """, transaction))
        {
            read.With("@tenant", tenantId).With("@from", from).With("@to", to);
            using var reader = read.ExecuteReader();
            while (reader.Read())
            {
                times.Add(new StoredStatusTime(
                    SqlCommands.ToTime(reader.ReadInt64(0)), reader.GetString(1),
                    Enum.Parse<AgentStatus>(reader.GetString(2)), EmptyAsNull(reader.GetString(3)),
                    TimeSpan.FromMilliseconds(reader.ReadInt64(4))));
            }
        }

        transaction.Commit();
        return Task.FromResult(new StoredReportTotals(until, facts, times));
    }

    private static string? EmptyAsNull(string value) => value.Length == 0 ? null : value;
}

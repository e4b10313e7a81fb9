using RoutedEmail.Core.Tenants;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>The table dashboard_samples in SQLite and PostgreSQL.</summary>
internal sealed class SqlDashboardSampleStore(SqlDatabase database) : IDashboardSampleStore
{
    public Task<int> RecordSamplesAsync(
        long tenantId, IReadOnlyList<QueueSample> samples, CancellationToken cancellationToken)
    {
        if (samples.Count == 0)
        {
            return Task.FromResult(0);
        }

        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId: null);
        var inserted = 0;
        foreach (var sample in samples)
        {
            using var command = connection.Command(
                """
                INSERT INTO dashboard_samples (tenant_id, skill_queue, sampled_at, waiting, oldest_wait_seconds,
                                               offered_today, offered_in_level_today)
                VALUES (@tenant, @queue, @at, @waiting, @oldest, @offered, @inLevel)
                ON CONFLICT (tenant_id, skill_queue, sampled_at) DO NOTHING
                """, transaction);
            inserted += command.With("@tenant", tenantId).With("@queue", sample.Queue)
                .With("@at", sample.At.ToStored()).With("@waiting", sample.Waiting)
                .With("@oldest", sample.OldestWaitSeconds).With("@offered", sample.OfferedToday)
                .With("@inLevel", sample.OfferedInServiceLevelToday).ExecuteNonQuery();
        }

        transaction.Commit();
        return Task.FromResult(inserted);
    }

    public Task<IReadOnlyList<QueueSample>> ListSamplesAsync(
        long tenantId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command(
            """
            SELECT skill_queue, sampled_at, waiting, oldest_wait_seconds, offered_today, offered_in_level_today
            FROM dashboard_samples
            WHERE tenant_id = @tenant AND sampled_at >= @since
            ORDER BY skill_queue, sampled_at
            """, null);
        command.With("@tenant", tenantId).With("@since", since.ToStored());
        using var reader = command.ExecuteReader();
        var samples = new List<QueueSample>();
        while (reader.Read())
        {
            samples.Add(new QueueSample(
                reader.GetString(0), SqlCommands.ToTime(reader.ReadInt64(1)), reader.ReadInt32(2),
                reader.IsDBNull(3) ? null : reader.ReadInt64(3), reader.ReadInt32(4), reader.ReadInt32(5)));
        }

        return Task.FromResult<IReadOnlyList<QueueSample>>(samples);
    }

    public Task<int> DeleteSamplesBeforeAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId: null);
        using var command = connection.Command("DELETE FROM dashboard_samples WHERE sampled_at < @before", transaction);
        var deleted = command.With("@before", before.ToStored()).ExecuteNonQuery();
        transaction.Commit();
        return Task.FromResult(deleted);
    }
}

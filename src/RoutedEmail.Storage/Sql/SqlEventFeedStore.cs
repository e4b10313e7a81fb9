using System.Data.Common;
using System.Runtime.CompilerServices;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>Reads the event log by tenant and sequence number, through the unique (tenant, sequence) index.</summary>
internal sealed class SqlEventFeedStore(SqlDatabase database) : IEventFeedStore
{
    public async Task<long?> FindLastSequenceAsync(
        long tenantId, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await using var connection = database.Open();
        await using var command = connection.Command(
            """
            SELECT MAX(sequence) FROM (
                SELECT sequence FROM events
                WHERE tenant_id = @tenant AND sequence > @after
                ORDER BY sequence
                LIMIT @limit
            ) AS page
            """, null);
        command.With("@tenant", tenantId).With("@after", afterSequence).With("@limit", limit);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull
            ? null
            : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async IAsyncEnumerable<FeedEvent> ReadAsync(
        long tenantId, long afterSequence, long throughSequence,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = database.Open();
        await using var command = connection.Command(
            """
            SELECT e.sequence, e.public_id, e.at, e.type, e.email_id, r.entity_id, COALESCE(e.queue, r.skill_queue),
                e.agent_id, e.offer_id, e.detail
            FROM events e
            LEFT JOIN routed_emails r ON r.id = e.email_id
            WHERE e.tenant_id = @tenant AND e.sequence > @after AND e.sequence <= @through
            ORDER BY e.sequence
            """, null);
        command.With("@tenant", tenantId).With("@after", afterSequence).With("@through", throughSequence);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return Read(reader);
        }
    }

    private static FeedEvent Read(DbDataReader reader) => new(
        reader.ReadInt64(0),
        reader.GetString(1),
        SqlCommands.ToTime(reader.ReadInt64(2)),
        reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.ReadInt64(4),
        reader.GetNullableString(5),
        reader.GetNullableString(6),
        reader.GetNullableString(7),
        reader.IsDBNull(8) ? null : reader.ReadInt64(8),
        reader.GetNullableString(9));
}

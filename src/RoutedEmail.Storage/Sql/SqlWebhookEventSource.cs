using System.Data.Common;
using System.Globalization;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>
/// Reads the event log for webhooks by each tenant's event sequence, which follows commit order on every node (see
/// <c>SqlEventSequences</c>), with the public id that the event feed shows too.
/// </summary>
internal sealed class SqlWebhookEventSource(SqlDatabase database) : IWebhookEventSource
{
    private const string Select =
        """
        SELECT e.sequence, e.public_id, e.at, e.type, e.email_id, r.entity_id, COALESCE(e.queue, r.skill_queue), e.agent_id,
            e.offer_id, e.detail
        FROM events e
        LEFT JOIN routed_emails r ON r.id = e.email_id
        """;

    public async Task<long> GetLastSequenceAsync(long tenantId, CancellationToken cancellationToken)
    {
        await using var connection = database.Open();
        await using var command = connection.Command(
            "SELECT COALESCE(MAX(sequence), 0) FROM events WHERE tenant_id = @tenant", null);
        command.With("@tenant", tenantId);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public async Task<IReadOnlyList<WebhookEvent>> ReadAfterAsync(
        long tenantId, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await using var connection = database.Open();
        await using var command = connection.Command(
            $"{Select} WHERE e.tenant_id = @tenant AND e.sequence > @after ORDER BY e.sequence LIMIT @limit", null);
        command.With("@tenant", tenantId).With("@after", afterSequence).With("@limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var events = new List<WebhookEvent>();
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(Read(reader));
        }

        return events;
    }

    public async Task<WebhookEvent?> FindAsync(long tenantId, long sequence, CancellationToken cancellationToken)
    {
        await using var connection = database.Open();
        await using var command = connection.Command(
            $"{Select} WHERE e.tenant_id = @tenant AND e.sequence = @sequence", null);
        command.With("@tenant", tenantId).With("@sequence", sequence);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    private static WebhookEvent Read(DbDataReader reader)
    {
        return new WebhookEvent(
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
}

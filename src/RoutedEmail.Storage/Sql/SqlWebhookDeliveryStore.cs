using System.Data.Common;
using RoutedEmail.Storage.Abstractions;
using RoutedEmail.Storage.Postgres;

namespace RoutedEmail.Storage.Sql;

/// <summary>The table webhook_deliveries, for the delivery service and the admin API.</summary>
internal sealed partial class SqlWebhookDeliveryStore(SqlDatabase database) : IWebhookDeliveryStore
{
    // A pending record may be sent when it is due, not leased, its webhook is enabled, and no older pending record
    // of the same email and webhook exists: an email's events go out one at a time, in sequence order.
    private const string Claimable =
        """
        d.state = 'Pending' AND w.enabled = TRUE
        AND (d.email_id IS NULL OR NOT EXISTS (
            SELECT 1 FROM webhook_deliveries o
            WHERE o.webhook_id = d.webhook_id AND o.email_id = d.email_id AND o.state = 'Pending'
                AND o.event_sequence < d.event_sequence))
        """;

    public async Task<IReadOnlyList<WebhookCursor>> ListEnabledWebhooksAsync(CancellationToken cancellationToken)
    {
        await using var connection = database.Open();
        await using var command = connection.Command(
            "SELECT id, tenant_id, event_types, event_cursor FROM webhooks WHERE enabled = TRUE ORDER BY id", null);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var webhooks = new List<WebhookCursor>();
        while (await reader.ReadAsync(cancellationToken))
        {
            webhooks.Add(new WebhookCursor(
                reader.ReadInt64(0), reader.ReadInt64(1), SqlCommands.FromJson<List<string>>(reader.GetString(2)),
                reader.ReadInt64(3)));
        }

        return webhooks;
    }

    public Task<bool> AppendDeliveriesAsync(
        long webhookId, long expectedCursor, long newCursor, IReadOnlyList<NewWebhookDelivery> deliveries,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId: null);

        // Moving the cursor first makes a second node that read the same cursor update no row and stop.
        using var cursor = connection.Command(
            "UPDATE webhooks SET event_cursor = @new WHERE id = @webhook AND event_cursor = @expected", transaction);
        cursor.With("@new", newCursor).With("@webhook", webhookId).With("@expected", expectedCursor);
        if (cursor.ExecuteNonQuery() != 1)
        {
            transaction.Rollback();
            return Task.FromResult(false);
        }

        using var insert = connection.Command(
            """
            INSERT INTO webhook_deliveries (webhook_id, event_sequence, event_id, event_type, email_id, state,
                attempts, next_attempt_at, created_at)
            VALUES (@webhook, @sequence, @event, @type, @email, 'Pending', 0, @now, @now)
            ON CONFLICT (webhook_id, event_sequence) DO NOTHING
            """, transaction);
        insert.With("@webhook", webhookId).With("@now", now.ToStored());
        var sequence = Parameter(insert, "@sequence");
        var eventId = Parameter(insert, "@event");
        var type = Parameter(insert, "@type");
        var email = Parameter(insert, "@email");
        foreach (var delivery in deliveries)
        {
            sequence.Value = delivery.EventSequence;
            eventId.Value = delivery.EventId;
            type.Value = delivery.EventType;
            email.Value = (object?)delivery.EmailId ?? DBNull.Value;
            insert.ExecuteNonQuery();
        }

        transaction.Commit();
        return Task.FromResult(true);
    }

    public Task<IReadOnlyList<ClaimedWebhookDelivery>> ClaimDueAsync(
        DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken cancellationToken)
    {
        var token = Guid.NewGuid().ToString("N");

        // On PostgreSQL, SKIP LOCKED lets nodes claim side by side. The outer conditions are checked again on the
        // locked row, so a record that another node claimed meanwhile is left alone.
        var skipLocked = database is PostgresDatabase ? "FOR UPDATE OF d SKIP LOCKED" : string.Empty;
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId: null);
        using var claim = connection.Command(
            $"""
            UPDATE webhook_deliveries SET lease_owner = @token, lease_until = @until
            WHERE id IN (
                SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                WHERE {Claimable} AND d.next_attempt_at <= @now
                    AND (d.lease_until IS NULL OR d.lease_until <= @now)
                ORDER BY d.next_attempt_at, d.id
                LIMIT @limit
                {skipLocked})
            AND state = 'Pending' AND (lease_until IS NULL OR lease_until <= @now)
            """, transaction);
        claim.With("@token", token).With("@until", leaseUntil.ToStored()).With("@now", now.ToStored())
            .With("@limit", limit);
        claim.ExecuteNonQuery();
        using var read = connection.Command(
            """
            SELECT d.id, d.webhook_id, w.tenant_id, w.url, d.event_sequence, d.event_id, d.attempts
            FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
            WHERE d.lease_owner = @token
            ORDER BY d.id
            """, transaction);
        read.With("@token", token);
        var claimed = new List<ClaimedWebhookDelivery>();
        using (var reader = read.ExecuteReader())
        {
            while (reader.Read())
            {
                claimed.Add(new ClaimedWebhookDelivery(
                    reader.ReadInt64(0), reader.ReadInt64(1), reader.ReadInt64(2), reader.GetString(3),
                    reader.ReadInt64(4), reader.GetString(5), reader.ReadInt32(6), token));
            }
        }

        transaction.Commit();
        return Task.FromResult<IReadOnlyList<ClaimedWebhookDelivery>>(claimed);
    }

    public async Task<DateTimeOffset?> FindNextDueAsync(CancellationToken cancellationToken)
    {
        await using var connection = database.Open();
        await using var command = connection.Command(
            $"""
            SELECT MIN(CASE WHEN d.lease_until > d.next_attempt_at THEN d.lease_until ELSE d.next_attempt_at END)
            FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
            WHERE {Claimable}
            """, null);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull
            ? null
            : SqlCommands.ToTime(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
    }

    public async Task CompleteAsync(
        ClaimedWebhookDelivery claimed, WebhookAttemptOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claimed);
        ArgumentNullException.ThrowIfNull(outcome);
        await using var connection = database.Open();
        await using var command = connection.Command(
            """
            UPDATE webhook_deliveries SET state = @state, attempts = @attempts, next_attempt_at = @next,
                last_attempt_at = @at, last_status_code = @status, last_error = @error, lease_owner = NULL,
                lease_until = NULL
            WHERE id = @id AND lease_owner = @token
            """, null);
        command.With("@state", outcome.State.ToString()).With("@attempts", outcome.Attempts)
            .With("@next", outcome.NextAttemptAt.ToStored()).With("@at", outcome.AttemptedAt.ToStored())
            .With("@status", outcome.StatusCode).With("@error", outcome.Error).With("@id", claimed.DeliveryId)
            .With("@token", claimed.LeaseToken);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task ReleaseAsync(ClaimedWebhookDelivery claimed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claimed);
        await using var connection = database.Open();
        await using var command = connection.Command(
            """
            UPDATE webhook_deliveries SET lease_owner = NULL, lease_until = NULL
            WHERE id = @id AND lease_owner = @token
            """, null);
        command.With("@id", claimed.DeliveryId).With("@token", claimed.LeaseToken);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static DbParameter Parameter(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }
}

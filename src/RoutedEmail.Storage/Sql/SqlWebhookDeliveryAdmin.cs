using System.Data.Common;
using RoutedEmail.Core.Emails;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>The reads and replays of delivery records that the admin API offers.</summary>
internal sealed partial class SqlWebhookDeliveryStore
{
    private const string WebhookOfTenant =
        "SELECT id FROM webhooks WHERE tenant_id = @tenant AND name = @name";

    public async Task<IReadOnlyList<WebhookDelivery>?> ListDeliveriesAsync(
        long tenantId, string webhookName, WebhookDeliveryState? state, long? beforeId, int limit,
        CancellationToken cancellationToken)
    {
        await using var connection = database.Open();
        var webhookId = await FindWebhookAsync(connection, tenantId, webhookName, cancellationToken);
        if (webhookId is null)
        {
            return null;
        }

        // The optional filters are left out of the SQL when absent, because PostgreSQL cannot type a NULL
        // parameter that is only compared with IS NULL.
        var stateFilter = state is null ? string.Empty : "AND state = @state";
        var pageFilter = beforeId is null ? string.Empty : "AND id < @before";
        await using var command = connection.Command(
            $"""
            SELECT id, event_id, event_sequence, event_type, email_id, state, attempts, next_attempt_at,
                last_attempt_at, last_status_code, last_error, created_at
            FROM webhook_deliveries
            WHERE webhook_id = @webhook {stateFilter} {pageFilter}
            ORDER BY id DESC
            LIMIT @limit
            """, null);
        command.With("@webhook", webhookId).With("@limit", limit);
        if (state is not null)
        {
            command.With("@state", state.ToString());
        }

        if (beforeId is not null)
        {
            command.With("@before", beforeId);
        }
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var deliveries = new List<WebhookDelivery>();
        while (await reader.ReadAsync(cancellationToken))
        {
            deliveries.Add(ReadDelivery(reader));
        }

        return deliveries;
    }

    public Task<WebhookReplayResult> ReplayAsync(
        long tenantId, string webhookName, long deliveryId, DateTimeOffset now, string actor,
        CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId: null);
        using var command = connection.Command(
            $"""
            UPDATE webhook_deliveries SET state = 'Pending', attempts = 0, next_attempt_at = @now,
                lease_owner = NULL, lease_until = NULL
            WHERE id = @id AND webhook_id = ({WebhookOfTenant}) AND state <> 'Pending'
            """, transaction);
        command.With("@now", now.ToStored()).With("@id", deliveryId).With("@tenant", tenantId)
            .With("@name", webhookName);
        if (command.ExecuteNonQuery() == 1)
        {
            SqlAdminEvents.Append(connection, transaction, tenantId, now, EventTypes.ResourceChanged,
                SqlAdminEvents.Webhook, webhookName, actor, action: "ReplayDelivery", deliveryId: deliveryId);
            transaction.Commit();
            return Task.FromResult(WebhookReplayResult.Replayed);
        }

        using var exists = connection.Command(
            $"SELECT COUNT(*) FROM webhook_deliveries WHERE id = @id AND webhook_id = ({WebhookOfTenant})",
            transaction);
        exists.With("@id", deliveryId).With("@tenant", tenantId).With("@name", webhookName);
        var result = exists.ExecuteInt64() > 0 ? WebhookReplayResult.StillPending : WebhookReplayResult.NotFound;
        transaction.Commit();
        return Task.FromResult(result);
    }

    public Task<int?> ReplayDeadLettersAsync(
        long tenantId, string webhookName, DateTimeOffset now, string actor, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId: null);
        using var find = connection.Command(WebhookOfTenant, transaction);
        if (find.With("@tenant", tenantId).With("@name", webhookName).ExecuteInt64() is not { } webhookId)
        {
            return Task.FromResult<int?>(null);
        }

        using var command = connection.Command(
            """
            UPDATE webhook_deliveries SET state = 'Pending', attempts = 0, next_attempt_at = @now,
                lease_owner = NULL, lease_until = NULL
            WHERE webhook_id = @webhook AND state = 'DeadLetter'
            """, transaction);
        command.With("@now", now.ToStored()).With("@webhook", webhookId);
        var count = command.ExecuteNonQuery();
        if (count > 0)
        {
            SqlAdminEvents.Append(connection, transaction, tenantId, now, EventTypes.ResourceChanged,
                SqlAdminEvents.Webhook, webhookName, actor, action: "ReplayDeadLetters", count: count);
        }

        transaction.Commit();
        return Task.FromResult<int?>(count);
    }

    private static async Task<long?> FindWebhookAsync(
        DbConnection connection, long tenantId, string name, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(WebhookOfTenant, null);
        command.With("@tenant", tenantId).With("@name", name);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull
            ? null
            : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static WebhookDelivery ReadDelivery(DbDataReader reader)
    {
        var state = Enum.Parse<WebhookDeliveryState>(reader.GetString(5));
        return new WebhookDelivery(
            reader.ReadInt64(0),
            reader.GetString(1),
            reader.ReadInt64(2),
            reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.ReadInt64(4),
            state,
            reader.ReadInt32(6),
            state == WebhookDeliveryState.Pending ? SqlCommands.ToTime(reader.ReadInt64(7)) : null,
            reader.IsDBNull(8) ? null : SqlCommands.ToTime(reader.ReadInt64(8)),
            reader.IsDBNull(9) ? null : reader.ReadInt32(9),
            reader.GetNullableString(10),
            SqlCommands.ToTime(reader.ReadInt64(11)));
    }
}

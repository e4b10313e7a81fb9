using System.Data.Common;
using RoutedEmail.Core.Emails;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>The table webhooks, as administrators manage it.</summary>
internal sealed class SqlWebhookStore(SqlDatabase database, TimeProvider time) : IWebhookStore
{
    private const string Columns =
        "id, name, url, event_types, enabled, event_cursor, created_at, updated_at";

    public Task<bool> PutWebhookAsync(
        long tenantId, WebhookDefinition definition, string? secret, long startAfterSequence, string actor,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var at = time.GetUtcNow();
        var now = at.ToStored();
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId: null);
        var created = false;
        if (!Update(connection, transaction, tenantId, definition, secret, now))
        {
            if (secret is null)
            {
                throw new ArgumentException("A new webhook needs a secret.", nameof(secret));
            }

            // A PUT of the same new name on another node may insert first; this one then replaces that webhook.
            using var insert = connection.Command(
                """
                INSERT INTO webhooks
                    (tenant_id, name, url, event_types, enabled, secret, event_cursor, created_at, updated_at)
                VALUES (@tenant, @name, @url, @types, @enabled, @secret, @cursor, @now, @now)
                ON CONFLICT (tenant_id, name) DO NOTHING
                """, transaction);
            Bind(insert, tenantId, definition).With("@secret", secret).With("@cursor", startAfterSequence)
                .With("@now", now);
            created = insert.ExecuteNonQuery() == 1;
            if (!created)
            {
                Update(connection, transaction, tenantId, definition, secret, now);
            }
        }

        var type = created ? EventTypes.ResourceCreated : EventTypes.ResourceChanged;
        SqlAdminEvents.Append(
            connection, transaction, tenantId, at, type, SqlAdminEvents.Webhook, definition.Name, actor);
        transaction.Commit();
        return Task.FromResult(created);
    }

    private static bool Update(
        DbConnection connection, DbTransaction transaction, long tenantId, WebhookDefinition definition,
        string? secret, long now)
    {
        using var update = connection.Command(
            """
            UPDATE webhooks SET url = @url, event_types = @types, enabled = @enabled,
                secret = COALESCE(CAST(@secret AS TEXT), secret), updated_at = @now
            WHERE tenant_id = @tenant AND name = @name
            """, transaction);
        Bind(update, tenantId, definition).With("@secret", secret).With("@now", now);
        return update.ExecuteNonQuery() == 1;
    }

    public async Task<StoredWebhook?> GetWebhookAsync(long tenantId, string name, CancellationToken cancellationToken)
    {
        await using var connection = database.Open();
        await using var command = connection.Command(
            $"SELECT {Columns} FROM webhooks WHERE tenant_id = @tenant AND name = @name", null);
        command.With("@tenant", tenantId).With("@name", name);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<StoredWebhook>> ListWebhooksAsync(
        long tenantId, CancellationToken cancellationToken)
    {
        await using var connection = database.Open();
        await using var command = connection.Command(
            $"SELECT {Columns} FROM webhooks WHERE tenant_id = @tenant ORDER BY name", null);
        command.With("@tenant", tenantId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var webhooks = new List<StoredWebhook>();
        while (await reader.ReadAsync(cancellationToken))
        {
            webhooks.Add(Read(reader));
        }

        return webhooks;
    }

    public Task<bool> DeleteWebhookAsync(
        long tenantId, string name, string actor, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId: null);
        using var deliveries = connection.Command(
            """
            DELETE FROM webhook_deliveries
            WHERE webhook_id = (SELECT id FROM webhooks WHERE tenant_id = @tenant AND name = @name)
            """, transaction);
        deliveries.With("@tenant", tenantId).With("@name", name).ExecuteNonQuery();
        using var webhook = connection.Command(
            "DELETE FROM webhooks WHERE tenant_id = @tenant AND name = @name", transaction);
        var deleted = webhook.With("@tenant", tenantId).With("@name", name).ExecuteNonQuery() == 1;
        if (deleted)
        {
            SqlAdminEvents.Append(connection, transaction, tenantId, time.GetUtcNow(), EventTypes.ResourceDeleted,
                SqlAdminEvents.Webhook, name, actor);
        }

        transaction.Commit();
        return Task.FromResult(deleted);
    }

    public Task<bool> SetSecretAsync(
        long tenantId, string name, string secret, string actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId: null);
        using var command = connection.Command(
            "UPDATE webhooks SET secret = @secret, updated_at = @now WHERE tenant_id = @tenant AND name = @name",
            transaction);
        command.With("@secret", secret).With("@now", now.ToStored()).With("@tenant", tenantId).With("@name", name);
        var changed = command.ExecuteNonQuery() == 1;
        if (changed)
        {
            SqlAdminEvents.Append(connection, transaction, tenantId, now, EventTypes.ResourceChanged,
                SqlAdminEvents.Webhook, name, actor, action: "RotateSecret");
        }

        transaction.Commit();
        return Task.FromResult(changed);
    }

    public async Task<string?> GetSecretAsync(long webhookId, CancellationToken cancellationToken)
    {
        await using var connection = database.Open();
        await using var command = connection.Command("SELECT secret FROM webhooks WHERE id = @id", null);
        command.With("@id", webhookId);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    private static DbCommand Bind(DbCommand command, long tenantId, WebhookDefinition definition) =>
        command.With("@tenant", tenantId).With("@name", definition.Name).With("@url", definition.Url)
            .With("@types", SqlCommands.ToJson(definition.EventTypes)).With("@enabled", definition.Enabled);

    private static StoredWebhook Read(DbDataReader reader) => new(
        reader.ReadInt64(0),
        new WebhookDefinition(
            reader.GetString(1), reader.GetString(2), SqlCommands.FromJson<List<string>>(reader.GetString(3)),
            reader.GetBoolean(4)),
        reader.ReadInt64(5),
        SqlCommands.ToTime(reader.ReadInt64(6)),
        SqlCommands.ToTime(reader.ReadInt64(7)));
}

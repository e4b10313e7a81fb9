using System.Data.Common;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>
/// The API key life cycle columns of <c>tenants</c>. Every change that decides who does the work is a conditional
/// update, so on PostgreSQL two nodes never both claim a tenant or both promote its pending key.
/// </summary>
internal sealed class SqlTenantKeyStore(SqlDatabase database) : ITenantKeyStore
{
    private const string StateColumns =
        """
        id, secrets_manager_enabled, secret_name, secrets_role_arn, secrets_external_id, key_rotation_days,
        api_key_hash, pending_api_key_hash, next_rotation_at, publish_retry_at, publish_failures,
        last_publish_error, last_published_at, previous_api_key_expires_at
        """;

    // A tenant is due when it publishes and its retry time has come or, with no retry waiting, its scheduled
    // rotation. A retry time therefore postpones a rotation whose write failed.
    private const string DueCondition =
        "secrets_manager_enabled = TRUE AND COALESCE(publish_retry_at, next_rotation_at) <= @now";

    public Task<TenantKeyState?> FindKeyStateAsync(long tenantId, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command($"SELECT {StateColumns} FROM tenants WHERE id = @id", null);
        command.With("@id", tenantId);
        using var reader = command.ExecuteReader();
        return Task.FromResult(reader.Read() ? ReadState(reader) : null);
    }

    public Task<IReadOnlyDictionary<long, TenantKeyState>> ListKeyStatesAsync(CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command($"SELECT {StateColumns} FROM tenants", null);
        using var reader = command.ExecuteReader();
        var states = new Dictionary<long, TenantKeyState>();
        while (reader.Read())
        {
            var state = ReadState(reader);
            states[state.TenantId] = state;
        }

        return Task.FromResult<IReadOnlyDictionary<long, TenantKeyState>>(states);
    }

    public Task SaveSettingsAsync(
        long tenantId, KeyPublishingSettings settings, DateTimeOffset? nextRotationAt, DateTimeOffset? publishAt,
        CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command(
            """
            UPDATE tenants
            SET secrets_manager_enabled = @enabled, secret_name = @name, secrets_role_arn = @role,
                secrets_external_id = @external, key_rotation_days = @days, next_rotation_at = @next,
                publish_retry_at = CASE WHEN @enabled = FALSE THEN NULL ELSE COALESCE(@publish, publish_retry_at) END,
                pending_api_key_hash = CASE WHEN @enabled = FALSE THEN NULL ELSE pending_api_key_hash END,
                publish_failures = CASE WHEN @enabled = FALSE THEN 0 ELSE publish_failures END
            WHERE id = @id
            """, null);
        command.With("@enabled", settings.Enabled).With("@name", settings.SecretName).With("@role", settings.RoleArn)
            .With("@external", settings.ExternalId).With("@days", settings.KeyRotationDays)
            .With("@next", nextRotationAt?.ToStored()).With("@publish", publishAt?.ToStored())
            .With("@id", tenantId);
        command.ExecuteNonQuery();
        return Task.CompletedTask;
    }

    public Task<bool> TryClaimAsync(
        long tenantId, DateTimeOffset now, DateTimeOffset claimedUntil, bool onlyWhenDue,
        CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command(
            $"""
            UPDATE tenants
            SET key_claimed_until = @until,
                publish_retry_at = CASE WHEN secrets_manager_enabled = TRUE THEN @until ELSE publish_retry_at END
            WHERE id = @id AND (key_claimed_until IS NULL OR key_claimed_until <= @now)
            {(onlyWhenDue ? "AND " + DueCondition : string.Empty)}
            """, null);
        command.With("@until", claimedUntil.ToStored()).With("@id", tenantId).With("@now", now.ToStored());
        return Task.FromResult(command.ExecuteNonQuery() == 1);
    }

    public Task ReleaseClaimAsync(long tenantId, CancellationToken cancellationToken) =>
        Execute("UPDATE tenants SET key_claimed_until = NULL WHERE id = @id", ("@id", tenantId));

    public Task<DueKeyWork> FindDueWorkAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command(
            """
            SELECT id, publish_retry_at, next_rotation_at, key_claimed_until FROM tenants
            WHERE secrets_manager_enabled = TRUE AND (publish_retry_at IS NOT NULL OR next_rotation_at IS NOT NULL)
            """, null);
        using var reader = command.ExecuteReader();
        var due = new List<long>();
        long? next = null;
        var nowStored = now.ToStored();
        while (reader.Read())
        {
            var dueAt = reader.IsDBNull(1) ? reader.ReadInt64(2) : reader.ReadInt64(1);
            var claimedUntil = reader.IsDBNull(3) ? long.MinValue : reader.ReadInt64(3);

            // A tenant under another node's lease becomes due again when the lease ends.
            var readyAt = Math.Max(dueAt, claimedUntil);
            if (dueAt <= nowStored && claimedUntil <= nowStored)
            {
                due.Add(reader.ReadInt64(0));
            }
            else if (next is null || readyAt < next)
            {
                next = readyAt;
            }
        }

        return Task.FromResult(new DueKeyWork(due, next is { } at ? SqlCommands.ToTime(at) : null));
    }

    public Task SetPendingKeyAsync(long tenantId, byte[] pendingKeyHash, CancellationToken cancellationToken) =>
        Execute("UPDATE tenants SET pending_api_key_hash = @hash WHERE id = @id",
            ("@hash", pendingKeyHash), ("@id", tenantId));

    public Task<bool> PromotePendingKeyAsync(
        long tenantId, byte[] pendingKeyHash, DateTimeOffset previousKeyExpiresAt, DateTimeOffset publishedAt,
        DateTimeOffset? nextRotationAt, CancellationToken cancellationToken) =>
        PromotePendingKeyAsync(
            tenantId, pendingKeyHash, previousKeyExpiresAt, publishedAt, nextRotationAt, null, cancellationToken);

    public Task<bool> PromotePendingKeyAsync(
        long tenantId, byte[] pendingKeyHash, DateTimeOffset previousKeyExpiresAt, DateTimeOffset publishedAt,
        DateTimeOffset? nextRotationAt, string? actor, CancellationToken cancellationToken)
    {
        using var connection = database.Open();

        // Without an actor no event is written, so the update stays a single statement in autocommit.
        using var transaction = actor is null ? null : database.BeginWrite(connection, tenantId: null);
        using var command = connection.Command(
            """
            UPDATE tenants
            SET previous_api_key_hash = api_key_hash, previous_api_key_expires_at = @expires,
                api_key_hash = pending_api_key_hash, pending_api_key_hash = NULL,
                last_published_at = @published, last_publish_error = NULL, publish_failures = 0,
                publish_retry_at = NULL, next_rotation_at = @next
            WHERE id = @id AND pending_api_key_hash = @hash
            """, transaction);
        command.With("@expires", previousKeyExpiresAt.ToStored()).With("@published", publishedAt.ToStored())
            .With("@next", nextRotationAt?.ToStored()).With("@id", tenantId).With("@hash", pendingKeyHash);
        var promoted = command.ExecuteNonQuery() == 1;
        if (promoted && transaction is not null)
        {
            SqlAdminEvents.AppendKeyRotation(connection, transaction, tenantId, publishedAt, actor!);
        }

        transaction?.Commit();
        return Task.FromResult(promoted);
    }

    public Task RecordPublishedAsync(
        long tenantId, DateTimeOffset publishedAt, DateTimeOffset? nextRotationAt,
        CancellationToken cancellationToken) =>
        Execute(
            """
            UPDATE tenants
            SET last_published_at = @published, last_publish_error = NULL, publish_failures = 0,
                publish_retry_at = NULL, next_rotation_at = @next
            WHERE id = @id
            """,
            ("@published", publishedAt.ToStored()), ("@next", nextRotationAt?.ToStored()), ("@id", tenantId));

    public Task RecordPublishFailureAsync(
        long tenantId, string reason, DateTimeOffset retryAt, CancellationToken cancellationToken) =>
        Execute(
            """
            UPDATE tenants
            SET last_publish_error = @error, publish_failures = publish_failures + 1, publish_retry_at = @retry
            WHERE id = @id
            """,
            ("@error", reason), ("@retry", retryAt.ToStored()), ("@id", tenantId));

    private Task Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = database.Open();
        using var command = connection.Command(sql, null);
        foreach (var (name, value) in parameters)
        {
            command.With(name, value);
        }

        command.ExecuteNonQuery();
        return Task.CompletedTask;
    }

    private static TenantKeyState ReadState(DbDataReader reader)
    {
        var settings = new KeyPublishingSettings(
            reader.GetBoolean(1), reader.GetString(2), reader.GetNullableString(3), reader.GetNullableString(4),
            reader.IsDBNull(5) ? null : reader.ReadInt32(5));
        return new TenantKeyState(
            reader.ReadInt64(0), settings, (byte[])reader.GetValue(6),
            reader.IsDBNull(7) ? null : (byte[])reader.GetValue(7), ReadTime(reader, 8), ReadTime(reader, 9),
            reader.ReadInt32(10), reader.GetNullableString(11), ReadTime(reader, 12), ReadTime(reader, 13));
    }

    private static DateTimeOffset? ReadTime(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : SqlCommands.ToTime(reader.ReadInt64(ordinal));
}

using System.Text.Json;
using System.Data.Common;
using RoutedEmail.Core.Emails;
using RoutedEmail.Core.Tenants;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>Tenants and API key hashes.</summary>
/// <remarks>
/// Company codes and environments are ASCII and compare without regard to case, so every look-up compares
/// <c>lower()</c> of both sides, which an index on the same expressions serves in both databases.
/// </remarks>
internal sealed class SqlTenantStore(SqlDatabase database, TimeProvider time) : ITenantStore
{
    private const string TenantColumns = "id, company_code, environment, secrets_region, time_zone, allowed_origins";

    private const string CredentialsQuery =
        $"""
        SELECT {TenantColumns}, api_key_hash, previous_api_key_hash, previous_api_key_expires_at,
            pending_api_key_hash
        FROM tenants
        WHERE lower(company_code) = lower(@company) AND lower(environment) = lower(@environment)
        """;

    public Task<Tenant?> CreateTenantAsync(
        string companyCode, string environment, string secretsRegion, string timeZone,
        IReadOnlyList<string> allowedOrigins, byte[] apiKeyHash, CancellationToken cancellationToken) =>
        CreateTenantAsync(
            companyCode, environment, secretsRegion, timeZone, allowedOrigins, apiKeyHash, null, cancellationToken);

    public Task<Tenant?> CreateTenantAsync(
        string companyCode, string environment, string secretsRegion, string timeZone,
        IReadOnlyList<string> allowedOrigins, byte[] apiKeyHash, string? actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        using var connection = database.Open();
        using var transaction = BeginWriteFor(connection, actor);
        using var command = connection.Command(
            $"""
            INSERT INTO tenants
                (company_code, environment, secrets_region, time_zone, allowed_origins, api_key_hash, created_at)
            VALUES (@company, @environment, @region, @zone, @origins, @hash, @now)
            RETURNING {TenantColumns}
            """, transaction);
        command.With("@company", companyCode).With("@environment", environment).With("@region", secretsRegion)
            .With("@zone", timeZone).With("@origins", JsonSerializer.Serialize(allowedOrigins))
            .With("@hash", apiKeyHash).With("@now", now.ToStored());
        Tenant tenant;
        try
        {
            tenant = ReadSingle(command)!;
        }
        catch (DbException exception) when (database.IsUniqueViolation(exception))
        {
            // Disposing the transaction, if there is one, rolls it back.
            return Task.FromResult<Tenant?>(null);
        }

        if (transaction is not null)
        {
            SqlAdminEvents.Append(connection, transaction, tenant.Id, now, EventTypes.ResourceCreated,
                SqlAdminEvents.Tenant, SqlAdminEvents.TenantName(tenant.CompanyCode, tenant.Environment), actor!);
            transaction.Commit();
        }

        return Task.FromResult<Tenant?>(tenant);
    }

    public Task<Tenant?> FindTenantAsync(string companyCode, string environment, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command(
            $"""
            SELECT {TenantColumns} FROM tenants
            WHERE lower(company_code) = lower(@company) AND lower(environment) = lower(@environment)
            """, null);
        command.With("@company", companyCode).With("@environment", environment);
        return Task.FromResult(ReadSingle(command));
    }

    public Task<IReadOnlyList<Tenant>> ListTenantsAsync(CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command(
            $"SELECT {TenantColumns} FROM tenants ORDER BY lower(company_code), lower(environment), id", null);
        using var reader = command.ExecuteReader();
        var tenants = new List<Tenant>();
        while (reader.Read())
        {
            tenants.Add(ReadTenant(reader));
        }

        return Task.FromResult<IReadOnlyList<Tenant>>(tenants);
    }

    public Task<Tenant?> UpdateTenantAsync(
        long tenantId, string secretsRegion, string timeZone, IReadOnlyList<string> allowedOrigins,
        CancellationToken cancellationToken) =>
        UpdateTenantAsync(tenantId, secretsRegion, timeZone, allowedOrigins, null, cancellationToken);

    public Task<Tenant?> UpdateTenantAsync(
        long tenantId, string secretsRegion, string timeZone, IReadOnlyList<string> allowedOrigins, string? actor,
        CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var transaction = BeginWriteFor(connection, actor);
        using var command = connection.Command(
            $"""
            UPDATE tenants SET secrets_region = @region, time_zone = @zone, allowed_origins = @origins WHERE id = @id
            RETURNING {TenantColumns}
            """, transaction);
        command.With("@region", secretsRegion).With("@zone", timeZone)
            .With("@origins", JsonSerializer.Serialize(allowedOrigins)).With("@id", tenantId);
        var tenant = ReadSingle(command);
        if (transaction is not null && tenant is not null)
        {
            SqlAdminEvents.Append(connection, transaction, tenantId, time.GetUtcNow(),
                EventTypes.ResourceChanged, SqlAdminEvents.Tenant,
                SqlAdminEvents.TenantName(tenant.CompanyCode, tenant.Environment), actor!);
        }

        transaction?.Commit();
        return Task.FromResult(tenant);
    }

    public Task<TenantCredentials?> FindCredentialsAsync(
        string companyCode, string environment, CancellationToken cancellationToken)
    {
        // Every integrator request runs this, so it uses a kept session whose command stays prepared.
        using var session = database.OpenSession();
        var command = session.Command(CredentialsQuery);
        command.With("@company", companyCode).With("@environment", environment);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return Task.FromResult<TenantCredentials?>(null);
        }

        var credentials = new TenantCredentials(
            ReadTenant(reader),
            (byte[])reader.GetValue(6),
            reader.IsDBNull(7) ? null : (byte[])reader.GetValue(7),
            reader.IsDBNull(8) ? null : SqlCommands.ToTime(reader.ReadInt64(8)),
            reader.IsDBNull(9) ? null : (byte[])reader.GetValue(9));
        return Task.FromResult<TenantCredentials?>(credentials);
    }

    public Task ReplaceApiKeyAsync(
        long tenantId, byte[] apiKeyHash, DateTimeOffset previousKeyExpiresAt, CancellationToken cancellationToken) =>
        ReplaceApiKeyAsync(tenantId, apiKeyHash, previousKeyExpiresAt, null, cancellationToken);

    public Task ReplaceApiKeyAsync(
        long tenantId, byte[] apiKeyHash, DateTimeOffset previousKeyExpiresAt, string? actor,
        CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var transaction = BeginWriteFor(connection, actor);
        using var command = connection.Command(
            """
            UPDATE tenants
            SET previous_api_key_hash = api_key_hash, previous_api_key_expires_at = @expires, api_key_hash = @hash
            WHERE id = @id
            """, transaction);
        command.With("@expires", previousKeyExpiresAt.ToStored()).With("@hash", apiKeyHash).With("@id", tenantId);
        if (command.ExecuteNonQuery() == 1 && transaction is not null)
        {
            SqlAdminEvents.AppendKeyRotation(connection, transaction, tenantId, time.GetUtcNow(), actor!);
        }

        transaction?.Commit();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Begins a write transaction for a change that appends an event, or returns null without an actor, so that a
    /// change without an event stays a single statement in autocommit.
    /// </summary>
    private DbTransaction? BeginWriteFor(DbConnection connection, string? actor) =>
        actor is null ? null : database.BeginWrite(connection, tenantId: null);

    private static Tenant? ReadSingle(DbCommand command)
    {
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadTenant(reader) : null;
    }

    private static Tenant ReadTenant(DbDataReader reader) =>
        new(reader.ReadInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4))
        {
            AllowedOrigins = JsonSerializer.Deserialize<string[]>(reader.GetString(5)) ?? [],
        };
}

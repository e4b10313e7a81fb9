using DbUp.Engine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using RoutedEmail.Storage.Abstractions;
using RoutedEmail.Storage.Postgres;
using RoutedEmail.Storage.Tests.Sqlite;

namespace RoutedEmail.Storage.Tests.Postgres;

/// <summary>
/// A new database of its own in the run's cluster, with the stores on one fake clock. Disposing it closes the
/// pool and drops the database, so no test reads another test's rows.
/// </summary>
internal sealed class PostgresTestDatabase : IAsyncDisposable
{
    private readonly PostgresCluster _cluster;

    private PostgresTestDatabase(PostgresCluster cluster, string connectionString)
    {
        _cluster = cluster;
        ConnectionString = connectionString;
        Database = CreateNode(connectionString);
        Ingest = new PostgresIngestStore(Database, Time);
    }

    public string ConnectionString { get; }

    public FakeTimeProvider Time { get; } = new(TestDatabase.Start);

    public PostgresDatabase Database { get; }

    public PostgresIngestStore Ingest { get; }

    /// <summary>Creates a new database and migrates it.</summary>
    public static async Task<PostgresTestDatabase> CreateAsync(PostgresCluster cluster)
    {
        var database = await CreateUnmigratedAsync(cluster);
        await database.CreateMigrator().MigrateAsync(CancellationToken.None);
        return database;
    }

    /// <summary>Creates a new empty database, without running the migrations.</summary>
    public static async Task<PostgresTestDatabase> CreateUnmigratedAsync(PostgresCluster cluster) =>
        new(cluster, await cluster.CreateDatabaseAsync());

    /// <summary>Builds a data source of its own on the connection string, as a separate server node would.</summary>
    public static PostgresDatabase CreateNode(string connectionString) => new(
        Options.Create(new StorageOptions { ConnectionString = connectionString }), NullLoggerFactory.Instance);

    /// <summary>
    /// A migrator that fails fast when the server cannot be reached, with optional extra scripts. Its retry delays
    /// run on the system clock, because nothing advances the fake one while a migration waits.
    /// </summary>
    public PostgresMigrator CreateMigrator(
        PostgresDatabase? node = null, ILoggerFactory? loggers = null, params SqlScript[] extraScripts) =>
        new(node ?? Database, TimeProvider.System, loggers ?? NullLoggerFactory.Instance, FastRetries, extraScripts);

    /// <summary>Three attempts 10 ms apart, so a test of an unreachable server ends quickly.</summary>
    public static PostgresRetryPolicy FastRetries { get; } =
        new(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10), MaxAttempts: 3);

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        await _cluster.DropDatabaseAsync(ConnectionString);
    }

    /// <summary>Inserts a tenant row and returns its id.</summary>
    public Task<long> CreateTenantAsync(string companyCode = "acme", string environment = "prod") =>
        QueryLongAsync(
            """
            INSERT INTO tenants (company_code, environment, secrets_region, time_zone, api_key_hash, created_at)
            VALUES (@company, @environment, 'us-east-1', 'UTC', '\x010203', @now) RETURNING id
            """,
            ("company", companyCode), ("environment", environment),
            ("now", Time.GetUtcNow().ToUnixTimeMilliseconds()));

    /// <summary>Appends one batch with a retention window of 24 hours back from the fake clock.</summary>
    public Task<int> AppendAsync(long tenantId, params NewRoutedEmail[] emails) =>
        Ingest.AppendAsync(tenantId, emails, Time.GetUtcNow() - TestDatabase.Retention, CancellationToken.None);

    /// <summary>Closes an email the way a cancel does: state Canceled, closed now on the fake clock.</summary>
    public Task CancelAsync(long tenantId, string entityId) => ExecuteAsync(
        """
        UPDATE routed_emails SET state = 'Canceled', closed_at = @now
        WHERE tenant_id = @tenant AND entity_id = @entity AND closed_at IS NULL
        """,
        ("now", Time.GetUtcNow().ToUnixTimeMilliseconds()), ("tenant", tenantId), ("entity", entityId));

    public async Task<object?> QueryScalarAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = CreateCommand(sql, parameters);
        return await command.ExecuteScalarAsync();
    }

    /// <summary>Runs a query whose first column is an integer. A null fails the test.</summary>
    public async Task<long> QueryLongAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        var value = await QueryScalarAsync(sql, parameters);
        Assert.NotNull(value);
        return Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<int> ExecuteAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = CreateCommand(sql, parameters);
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>Runs a query and returns every row as an array of column values.</summary>
    public async Task<List<object?[]>> QueryRowsAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = CreateCommand(sql, parameters);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    private NpgsqlCommand CreateCommand(string sql, (string Name, object? Value)[] parameters)
    {
        // A data source command takes a pooled connection for each execution and returns it afterwards.
        var command = Database.DataSource.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }
}

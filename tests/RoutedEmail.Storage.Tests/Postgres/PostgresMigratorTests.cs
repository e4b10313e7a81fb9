using System.Net;
using System.Net.Sockets;
using DbUp.Engine;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Npgsql;
using RoutedEmail.Storage.Postgres;
using RoutedEmail.Storage.Tests.Sqlite;

namespace RoutedEmail.Storage.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class PostgresMigratorTests(PostgresCluster cluster)
{
    // The number of scripts in src/RoutedEmail.Storage/Migrations/Postgres, counted from the embedded resources.
    private static readonly int EmbeddedScriptCount = typeof(PostgresMigrator).Assembly.GetManifestResourceNames()
        .Count(name => name.Contains(".Migrations.Postgres.", StringComparison.Ordinal));

    private const string UniqueViolation = "23505";

    [Fact]
    public async Task MigrateAsync_NewDatabase_AppliesEveryScript()
    {
        await using var database = await PostgresTestDatabase.CreateUnmigratedAsync(cluster);

        var applied = await database.CreateMigrator().MigrateAsync(CancellationToken.None);

        Assert.Equal(EmbeddedScriptCount, applied);
        Assert.Equal(EmbeddedScriptCount, await database.QueryLongAsync("SELECT COUNT(*) FROM schemaversions"));
        Assert.Equal(0, await database.QueryLongAsync("SELECT COUNT(*) FROM routed_emails"));
    }

    [Fact]
    public async Task MigrateAsync_MigratedDatabase_AppliesNothing()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);

        var applied = await database.CreateMigrator().MigrateAsync(CancellationToken.None);

        Assert.Equal(0, applied);
        Assert.Equal(EmbeddedScriptCount, await database.QueryLongAsync("SELECT COUNT(*) FROM schemaversions"));
    }

    [Fact]
    public async Task MigrateAsync_NewDatabase_MatchesSqliteColumns()
    {
        await using var postgres = await PostgresTestDatabase.CreateAsync(cluster);
        await using var sqlite = TestDatabase.Create();
        var postgresColumns = await ReadPostgresColumnsAsync(postgres);
        var sqliteColumns = ReadSqliteColumns(sqlite);

        // Every SQLite table and column exists on PostgreSQL with the same nullability, so a SQLite migration
        // without its PostgreSQL twin fails here. PostgreSQL may be ahead while a SQLite change is in progress.
        Assert.Equal(
            sqliteColumns.Keys.Select(column => column.Table).Distinct().Order(),
            postgresColumns.Keys.Select(column => column.Table).Distinct().Order());
        foreach (var (column, notNull) in sqliteColumns)
        {
            Assert.True(postgresColumns.ContainsKey(column), $"PostgreSQL lacks {column.Table}.{column.Name}.");
            Assert.True(
                postgresColumns[column] == notNull,
                $"{column.Table}.{column.Name} is {(notNull ? "NOT NULL" : "nullable")} on SQLite but not on PostgreSQL.");
        }
    }

    [Fact]
    public async Task MigrateAsync_NewDatabase_CompanyCodeIgnoresCase()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        await database.CreateTenantAsync("acme", "prod");

        var exception = await Assert.ThrowsAsync<PostgresException>(() => database.CreateTenantAsync("ACME", "Prod"));

        Assert.Equal(UniqueViolation, exception.SqlState);
        Assert.True(await database.CreateTenantAsync("acme", "test") > 0, "Another environment must be accepted.");
    }

    [Fact]
    public async Task MigrateAsync_ConcurrentNodes_AppliesEachScriptOnce()
    {
        await using var database = await PostgresTestDatabase.CreateUnmigratedAsync(cluster);
        var nodes = Enumerable.Range(0, 6).Select(_ => PostgresTestDatabase.CreateNode(database.ConnectionString))
            .ToList();
        try
        {
            var migrations = nodes
                .Select(node => Task.Run(() => database.CreateMigrator(node).MigrateAsync(CancellationToken.None)))
                .ToList();
            var applied = await Task.WhenAll(migrations);

            Assert.Equal(EmbeddedScriptCount, applied.Sum());
            Assert.Equal(nodes.Count - 1, applied.Count(count => count == 0));
            Assert.Equal(EmbeddedScriptCount, await database.QueryLongAsync("SELECT COUNT(*) FROM schemaversions"));
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task MigrateAsync_LockHeld_WaitsForRelease()
    {
        await using var database = await PostgresTestDatabase.CreateUnmigratedAsync(cluster);
        await using var holder = await database.Database.OpenAsync(CancellationToken.None);
        await ExecuteAsync(holder, $"SELECT pg_advisory_lock({PostgresMigrator.MigrationLockKey})");
        var loggers = new RecordingLoggerFactory();

        var migrations = Enumerable.Range(0, 3)
            .Select(_ => database.CreateMigrator(loggers: loggers).MigrateAsync(CancellationToken.None))
            .ToList();
        await WaitForAsync(() => loggers.Count(1203) == migrations.Count, "every migrator waits for the lock");
        Assert.All(migrations, migration => Assert.False(migration.IsCompleted, "A migrator ran while the lock was held."));
        Assert.Equal(0, await database.QueryLongAsync(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'schemaversions'"));
        await ExecuteAsync(holder, $"SELECT pg_advisory_unlock({PostgresMigrator.MigrationLockKey})");
        var applied = await Task.WhenAll(migrations);

        Assert.Equal(EmbeddedScriptCount, applied.Sum());
        Assert.Equal(EmbeddedScriptCount, await database.QueryLongAsync("SELECT COUNT(*) FROM schemaversions"));
    }

    [Fact]
    public async Task MigrateAsync_OlderDatabase_AppliesOnlyNewScripts()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        var tenantId = await database.CreateTenantAsync();
        var later = new SqlScript(
            "RoutedEmail.Storage.Migrations.Postgres.9001_test_upgrade.sql",
            "ALTER TABLE tenants ADD COLUMN test_note TEXT NOT NULL DEFAULT 'upgraded';");

        var applied = await database.CreateMigrator(extraScripts: later).MigrateAsync(CancellationToken.None);

        Assert.Equal(1, applied);
        Assert.Equal(EmbeddedScriptCount + 1, await database.QueryLongAsync("SELECT COUNT(*) FROM schemaversions"));
        Assert.Equal(
            "upgraded",
            await database.QueryScalarAsync("SELECT test_note FROM tenants WHERE id = @id", ("id", tenantId)));
    }

    [Fact]
    public async Task MigrateAsync_FailingScript_RollsBackUpgrade()
    {
        await using var database = await PostgresTestDatabase.CreateUnmigratedAsync(cluster);
        var broken = new SqlScript(
            "RoutedEmail.Storage.Migrations.Postgres.9001_test_broken.sql", "ALTER TABLE no_such_table ADD x INT;");

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(
            () => database.CreateMigrator(extraScripts: broken).MigrateAsync(CancellationToken.None));

        Assert.Contains("9001_test_broken.sql", exception.Message, StringComparison.Ordinal);
        Assert.Equal(0, await database.QueryLongAsync(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_name IN ('tenants', 'schemaversions')"));
    }

    [Theory]
    [InlineData("", "is missing")]
    [InlineData("Host=127.0.0.1;Password=secret-xyz;Port=notanumber", "port")]
    [InlineData("Host=127.0.0.1;Password=secret-xyz;Colour=blue", "colour")]
    [InlineData("Password=secret-xyz;Database=routed_email", "Host is missing")]
    [InlineData("Host=127.0.0.1;Password=secret-xyz;Port=70000", "Port 70000")]
    [InlineData("Host=127.0.0.1;Password='secret-xyz;Port=5432", "invalid")]
    public void Constructor_InvalidConnectionString_NamesProblem(string connectionString, string expected)
    {
        var exception = Assert.Throws<InvalidOperationException>(
            () => PostgresTestDatabase.CreateNode(connectionString));

        Assert.Contains("Storage:ConnectionString", exception.Message, StringComparison.Ordinal);
        Assert.Contains(expected, exception.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secret-xyz", exception.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateAsync_WrongPassword_FailsWithoutRetry()
    {
        await using var database = await PostgresTestDatabase.CreateUnmigratedAsync(cluster);
        var wrong = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Password = "wrong-secret-xyz" };
        await using var node = PostgresTestDatabase.CreateNode(wrong.ConnectionString);
        var loggers = new RecordingLoggerFactory();

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(
            () => database.CreateMigrator(node, loggers).MigrateAsync(CancellationToken.None));

        Assert.Contains("password authentication failed", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-secret-xyz", exception.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, loggers.Count(1202));
    }

    [Fact]
    public async Task MigrateAsync_ServerUnreachable_RetriesThenFails()
    {
        await using var database = await PostgresTestDatabase.CreateUnmigratedAsync(cluster);
        var unreachable = new NpgsqlConnectionStringBuilder(database.ConnectionString)
        {
            Port = FindClosedPort(),
            Password = "unreachable-secret-xyz",
        };
        await using var node = PostgresTestDatabase.CreateNode(unreachable.ConnectionString);
        var loggers = new RecordingLoggerFactory();

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(
            () => database.CreateMigrator(node, loggers).MigrateAsync(CancellationToken.None));

        Assert.Contains($"127.0.0.1:{unreachable.Port}", exception.Message, StringComparison.Ordinal);
        Assert.Contains("after 3 attempts", exception.Message, StringComparison.Ordinal);
        Assert.Equal(2, loggers.Count(1202));
        Assert.DoesNotContain(
            loggers.Messages, message => message.Contains("unreachable-secret-xyz", StringComparison.Ordinal));
    }

    private static async Task<Dictionary<(string Table, string Name), bool>> ReadPostgresColumnsAsync(
        PostgresTestDatabase database)
    {
        var rows = await database.QueryRowsAsync(
            """
            SELECT table_name, column_name, is_nullable = 'NO' FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name <> 'schemaversions'
            """);
        return rows.ToDictionary(row => ((string)row[0]!, (string)row[1]!), row => (bool)row[2]!);
    }

    private static Dictionary<(string Table, string Name), bool> ReadSqliteColumns(TestDatabase database)
    {
        using var connection = database.Database.Open();
        using var command = connection.CreateCommand();

        // A SQLite INTEGER PRIMARY KEY never contains NULL, though table_info does not mark it NOT NULL.
        command.CommandText =
            """
            SELECT m.name, c.name, c."notnull" OR c.pk > 0 FROM sqlite_master m, pragma_table_info(m.name) c
            WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'SchemaVersions'
            """;
        using var reader = command.ExecuteReader();
        var columns = new Dictionary<(string Table, string Name), bool>();
        while (reader.Read())
        {
            columns[(reader.GetString(0), reader.GetString(1))] = reader.GetBoolean(2);
        }

        return columns;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Returns a loopback port that nothing listens on: one the kernel just gave out and took back.</summary>
    private static int FindClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static async Task WaitForAsync(Func<bool> condition, string description)
    {
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"Timed out waiting until {description}.");
            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }
    }
}

/// <summary>Records every log line with its event id, for tests that check what a component logs.</summary>
internal sealed class RecordingLoggerFactory : ILoggerFactory, ILogger
{
    private readonly List<(int EventId, string Message)> _entries = [];

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_entries)
            {
                return _entries.Select(entry => entry.Message).ToList();
            }
        }
    }

    public int Count(int eventId)
    {
        lock (_entries)
        {
            return _entries.Count(entry => entry.EventId == eventId);
        }
    }

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(
        LogLevel logLevel, EventId eventId, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter)
    {
        lock (_entries)
        {
            _entries.Add((eventId.Id, formatter(state, exception) + " " + exception));
        }
    }
}

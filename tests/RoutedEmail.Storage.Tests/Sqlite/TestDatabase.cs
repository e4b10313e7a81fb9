using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Emails;
using RoutedEmail.Core.Tenants;
using RoutedEmail.Storage.Abstractions;
using RoutedEmail.Storage.Sql;
using RoutedEmail.Storage.Sqlite;

namespace RoutedEmail.Storage.Tests.Sqlite;

/// <summary>
/// A real SQLite database file in its own temporary data directory, with every store on one fake clock.
/// Each test creates its own instance, so no test reads another test's rows. Disposing it stops the ingest writer,
/// clears the connection pools and deletes the directory.
/// </summary>
internal sealed class TestDatabase : IAsyncDisposable
{
    /// <summary>The fake clock's start time.</summary>
    public static readonly DateTimeOffset Start = new(2025, 3, 3, 9, 0, 0, TimeSpan.Zero);

    /// <summary>The retention window that the ingest helpers pass: 24 hours, the server's default.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    private SqliteIngestWriter? _ingest;

    private TestDatabase(string dataDirectory)
    {
        DataDirectory = dataDirectory;
        Database = new SqliteDatabase(
            Options.Create(new StorageOptions { DataDirectory = dataDirectory }), NullLoggerFactory.Instance);
        Tenants = new SqlTenantStore(Database, Time);
        Configuration = new SqlConfigurationStore(Database, Time);
        Routing = new SqlRoutingStore(Database, Time);
        Agents = new SqlAgentStore(Database, Time);
        Emails = new SqlRoutedEmailStore(Database, Time);
    }

    public string DataDirectory { get; }

    public FakeTimeProvider Time { get; } = new(Start);

    public SqliteDatabase Database { get; }

    public SqlTenantStore Tenants { get; }

    public SqlConfigurationStore Configuration { get; }

    public SqlRoutingStore Routing { get; }

    public SqlAgentStore Agents { get; }

    public SqlRoutedEmailStore Emails { get; }

    /// <summary>The group-commit writer, started on first use because it runs a background task.</summary>
    public SqliteIngestWriter Ingest =>
        _ingest ??= new SqliteIngestWriter(Database, Time, NullLogger<SqliteIngestWriter>.Instance);

    /// <summary>Creates a data directory and a migrated database in it.</summary>
    /// <summary>
    /// Creates an ingest writer that routes new email in its group transaction, with this database's routing store,
    /// and passes the offers to <paramref name="arrival"/>. The caller disposes it.
    /// </summary>
    public SqliteIngestWriter CreateIngestWithArrivalRouting(IArrivalRouting arrival) =>
        new(Database, Time, NullLogger<SqliteIngestWriter>.Instance, Routing, [arrival]);

    public static TestDatabase Create()
    {
        var database = CreateUnmigrated();
        database.Database.Migrate();
        return database;
    }

    /// <summary>Creates a data directory and the database object, without running the migrations.</summary>
    public static TestDatabase CreateUnmigrated() =>
        new(Path.Combine(Path.GetTempPath(), "routed-email-storage-tests", Guid.NewGuid().ToString("N")));

    public async ValueTask DisposeAsync()
    {
        if (_ingest is not null)
        {
            await _ingest.DisposeAsync();
        }

        Database.Dispose();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    /// <summary>Creates a tenant and returns its id.</summary>
    public async Task<long> CreateTenantAsync(string companyCode = "acme")
    {
        var tenant = await Tenants.CreateTenantAsync(
            companyCode, "prod", "us-east-1", "UTC", [], [1, 2, 3], CancellationToken.None);
        Assert.NotNull(tenant);
        return tenant.Id;
    }

    /// <summary>Creates or replaces a skill queue with the default wrap and service-level times.</summary>
    public async Task<bool> PutQueueAsync(
        long tenantId, string name, int offerTimeoutSeconds = 60, int wrapSeconds = 0)
    {
        var outcome = await Configuration.PutSkillQueueAsync(
            tenantId,
            new SkillQueue(name, offerTimeoutSeconds, wrapSeconds, 3600, [], false),
            CancellationToken.None);
        Assert.True(outcome.Succeeded);
        return outcome.Created;
    }

    /// <summary>Creates or replaces an agent with a password, serving the given queues at the given ranks.</summary>
    public async Task PutAgentAsync(
        long tenantId, string agentId, int maxConcurrentEmails, params (string Queue, int Rank)[] skills)
    {
        var outcome = await Configuration.PutAgentAsync(
            tenantId, Definition(agentId, maxConcurrentEmails, skills), "hash-" + agentId, CancellationToken.None);
        Assert.True(outcome.Succeeded);
    }

    /// <summary>Builds an agent definition serving the given queues at the given ranks.</summary>
    public static AgentDefinition Definition(
        string agentId, int maxConcurrentEmails, params (string Queue, int Rank)[] skills) =>
        new(agentId, "Agent " + agentId, maxConcurrentEmails,
            skills.Select(skill => new SkillAssignment(skill.Queue, skill.Rank)).ToList());

    /// <summary>Sets an agent's status and returns the number of offers withdrawn.</summary>
    public Task<int> SetStatusAsync(long tenantId, string agentId, AgentStatus status) =>
        Agents.SetStatusAsync(tenantId, agentId, status, CancellationToken.None);

    /// <summary>The skip period that <see cref="RouteAsync"/> passes: 300 seconds, the server's default.</summary>
    public static readonly TimeSpan DeclineSkip = TimeSpan.FromSeconds(300);

    /// <summary>Runs one routing step for the tenant with the skip period <see cref="DeclineSkip"/>.</summary>
    public Task<IReadOnlyList<OfferMade>> RouteAsync(long tenantId) =>
        Routing.RouteAsync(tenantId, DeclineSkip, CancellationToken.None);

    /// <summary>Builds an email to ingest, with one attribute and no screen-pop URL.</summary>
    public static NewRoutedEmail Email(string entityId, string queue = "Sales", int priority = 0) => new(
        entityId, "owner-1", queue, priority, "customer@example.com", "support@example.com",
        "Subject of " + entityId, [new EmailAttribute("CustomerId", "42")], null);

    /// <summary>Appends one batch with a retention window of <see cref="Retention"/> back from the fake clock.</summary>
    public Task<int> AppendAsync(long tenantId, params NewRoutedEmail[] emails) =>
        Ingest.AppendAsync(tenantId, emails, Time.GetUtcNow() - Retention, CancellationToken.None);

    /// <summary>Appends one email and returns its server id.</summary>
    public async Task<long> QueueEmailAsync(long tenantId, string entityId, string queue = "Sales", int priority = 0)
    {
        Assert.Equal(1, await AppendAsync(tenantId, Email(entityId, queue, priority)));
        return NewestEmailId(tenantId, entityId);
    }

    /// <summary>Reads the id of the newest email with this entity id.</summary>
    public long NewestEmailId(long tenantId, string entityId) => QueryLong(
        "SELECT id FROM routed_emails WHERE tenant_id = $tenant AND entity_id = $entity ORDER BY id DESC LIMIT 1",
        ("$tenant", tenantId), ("$entity", entityId));

    /// <summary>Reads the id of an email's pending offer.</summary>
    public long PendingOfferId(long emailId) => QueryLong(
        "SELECT id FROM offers WHERE email_id = $email AND state = 'Pending'", ("$email", emailId));

    /// <summary>Takes the database write lock until disposed, so other writers wait behind it.</summary>
    public WriteLock HoldWriteLock() => new(Database.Open());

    public object? QueryScalar(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = Database.Open();
        using var command = CreateCommand(connection, sql, parameters);
        return command.ExecuteScalar();
    }

    /// <summary>Runs a query whose first column is an integer and converts it to a long. A null fails the test.</summary>
    public long QueryLong(string sql, params (string Name, object? Value)[] parameters)
    {
        var value = QueryScalar(sql, parameters);
        Assert.NotNull(value);
        return Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    public string? QueryString(string sql, params (string Name, object? Value)[] parameters) =>
        QueryScalar(sql, parameters) as string;

    public void Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = Database.Open();
        using var command = CreateCommand(connection, sql, parameters);
        command.ExecuteNonQuery();
    }

    /// <summary>Returns the detail column of <c>EXPLAIN QUERY PLAN</c> for the query, one line per plan step.</summary>
    public List<string> ReadPlan(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = Database.Open();
        using var command = CreateCommand(connection, "EXPLAIN QUERY PLAN " + sql, parameters);
        using var reader = command.ExecuteReader();
        var plan = new List<string>();
        while (reader.Read())
        {
            plan.Add(reader.GetString(3));
        }

        return plan;
    }

    private static SqliteCommand CreateCommand(
        SqliteConnection connection, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    /// <summary>An open write transaction that blocks every other writer of the file until it is disposed.</summary>
    public sealed class WriteLock : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteTransaction _transaction;

        public WriteLock(SqliteConnection connection)
        {
            _connection = connection;

            // A transaction that is not deferred starts as a write transaction, so the write lock is taken
            // here and not at the first write.
            _transaction = connection.BeginTransaction();
        }

        public void Dispose()
        {
            _transaction.Dispose();
            _connection.Dispose();
        }
    }
}

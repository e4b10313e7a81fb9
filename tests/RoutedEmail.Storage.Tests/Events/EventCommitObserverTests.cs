using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Storage.Abstractions;
using RoutedEmail.Storage.Postgres;
using RoutedEmail.Storage.Sql;
using RoutedEmail.Storage.Sqlite;
using RoutedEmail.Storage.Tests.Postgres;
using RoutedEmail.Storage.Tests.Sqlite;

namespace RoutedEmail.Storage.Tests.Events;

/// <summary>
/// A SQLite commit that numbered events calls the registered observers once per tenant, after the commit. A write
/// without events, and a rollback, call none.
/// </summary>
public sealed class SqliteEventCommitObserverTests
{
    [Fact]
    public async Task SqliteCommit_WithEvents_CallsObserverPerTenant()
    {
        var directory = Path.Combine(Path.GetTempPath(), "routed-email-storage-tests", Guid.NewGuid().ToString("N"));
        var observer = new EventCommitWrites.RecordingObserver();
        var time = new FakeTimeProvider(TestDatabase.Start);
        try
        {
            using (var database = new SqliteDatabase(
                Options.Create(new StorageOptions { DataDirectory = directory }), NullLoggerFactory.Instance,
                [observer]))
            {
                database.Migrate();
                await EventCommitWrites.RunAsync(database, time, observer, async (tenantId, emails) =>
                {
                    await using var ingest = new SqliteIngestWriter(
                        database, time, NullLogger<SqliteIngestWriter>.Instance);
                    return await ingest.AppendAsync(
                        tenantId, emails, time.GetUtcNow() - TestDatabase.Retention, CancellationToken.None);
                });
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}

/// <summary>
/// A PostgreSQL commit that numbered events calls the observers once per tenant, after the commit. A write without
/// events, and a rollback, call none.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresEventCommitObserverTests(PostgresCluster cluster)
{
    [Fact]
    public async Task PostgresCommit_WithEvents_CallsObserverPerTenant()
    {
        await using var test = await PostgresTestDatabase.CreateAsync(cluster);
        var observer = new EventCommitWrites.RecordingObserver();
        await using var database = new PostgresDatabase(
            Options.Create(new StorageOptions { ConnectionString = test.ConnectionString }),
            NullLoggerFactory.Instance, [observer]);

        await EventCommitWrites.RunAsync(database, test.Time, observer, (tenant, emails) =>
            new PostgresIngestStore(database, test.Time).AppendAsync(
                tenant, emails, test.Time.GetUtcNow() - TestDatabase.Retention, CancellationToken.None));
    }
}

/// <summary>The writes that both stores' tests run, and an observer that records its calls.</summary>
internal static class EventCommitWrites
{
    private static readonly byte[] KeyHash = new byte[32];

    /// <summary>
    /// Creates a tenant without an actor, appends an event and rolls it back, changes the tenant as the operator and
    /// ingests one email, checks the observer after each step, and returns the tenant's id.
    /// </summary>
    public static async Task<long> RunAsync(
        SqlDatabase database, TimeProvider time, RecordingObserver observer,
        Func<long, NewRoutedEmail[], Task<int>> ingestAsync)
    {
        var tenants = new SqlTenantStore(database, time);
        var tenant = await tenants.CreateTenantAsync(
            "acme", "prod", "us-east-1", "UTC", [], KeyHash, CancellationToken.None);
        Assert.Empty(observer.TenantIds);

        using (var connection = database.Open())
        using (var transaction = database.BeginWrite(connection, tenant!.Id))
        {
            SqlCommands.AppendEvent(connection, transaction, tenant.Id, time.GetUtcNow(), "ResourceChanged");
            transaction.Rollback();
        }

        Assert.Empty(observer.TenantIds);

        await tenants.UpdateTenantAsync(tenant.Id, "us-east-1", "Europe/Berlin", [], "operator", CancellationToken.None);
        Assert.Equal([tenant.Id], observer.TenantIds);

        Assert.Equal(1, await ingestAsync(tenant.Id, [TestDatabase.Email("e-1")]));
        Assert.Equal([tenant.Id, tenant.Id], observer.TenantIds);
        return tenant.Id;
    }

    /// <summary>Records the tenant ids of its calls.</summary>
    internal sealed class RecordingObserver : IEventCommitObserver
    {
        private readonly List<long> _tenantIds = [];

        public IReadOnlyList<long> TenantIds
        {
            get
            {
                lock (_tenantIds)
                {
                    return [.. _tenantIds];
                }
            }
        }

        public void EventsCommitted(long tenantId)
        {
            lock (_tenantIds)
            {
                _tenantIds.Add(tenantId);
            }
        }
    }
}

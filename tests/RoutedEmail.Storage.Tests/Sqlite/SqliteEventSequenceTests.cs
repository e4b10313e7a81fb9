using RoutedEmail.Core.Agents;
using RoutedEmail.Storage.Abstractions;
using RoutedEmail.Storage.Sql;

namespace RoutedEmail.Storage.Tests.Sqlite;

/// <summary>The per-tenant sequence numbers of the event log, the migration that adds them, and the feed store.</summary>
public sealed class SqliteEventSequenceTests
{
    [Fact]
    public async Task Sequence_ConcurrentIngestAndRouting_GapFreePerTenant()
    {
        await using var database = TestDatabase.Create();
        var tenants = new[] { await SetUpTenantAsync(database, "acme"), await SetUpTenantAsync(database, "globex") };

        var writers = new List<Task>();
        foreach (var tenantId in tenants)
        {
            for (var writer = 0; writer < 3; writer++)
            {
                var prefix = $"w{writer}";
                writers.Add(Task.Run(async () =>
                {
                    for (var index = 0; index < 20; index++)
                    {
                        await database.AppendAsync(tenantId, TestDatabase.Email($"{prefix}-{index}"));
                    }
                }));
            }

            writers.Add(Task.Run(async () =>
            {
                for (var round = 0; round < 20; round++)
                {
                    await database.RouteAsync(tenantId);
                    await database.SetStatusAsync(tenantId, "agent-1", round % 2 == 0
                        ? AgentStatus.Away
                        : AgentStatus.Available);
                }
            }));
        }

        await Task.WhenAll(writers);

        foreach (var tenantId in tenants)
        {
            AssertGapFree(ReadSequences(database, tenantId));
        }

        Assert.Equal(0, database.QueryLong("SELECT COUNT(*) FROM events WHERE sequence IS NULL OR public_id IS NULL"));
        Assert.Equal(
            database.QueryLong("SELECT COUNT(*) FROM events"),
            database.QueryLong("SELECT COUNT(DISTINCT public_id) FROM events"));
    }

    [Fact]
    public async Task Sequence_CounterRow_EqualsLastSequence()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpTenantAsync(database, "acme");
        await database.AppendAsync(tenantId, TestDatabase.Email("e-1"), TestDatabase.Email("e-2"));

        var last = database.QueryLong("SELECT MAX(sequence) FROM events WHERE tenant_id = $tenant", ("$tenant", tenantId));
        var counter = database.QueryLong(
            "SELECT last_sequence FROM event_sequences WHERE tenant_id = $tenant", ("$tenant", tenantId));

        Assert.Equal(last, counter);
    }

    [Fact]
    public async Task Migration_OldEvents_NumberedInIdOrderPerTenant()
    {
        await using var database = TestDatabase.Create();
        RevertMigration(database);
        for (var index = 0; index < 6; index++)
        {
            database.Execute(
                "INSERT INTO events (tenant_id, at, type) VALUES ($tenant, $at, 'AgentSignedIn')",
                ("$tenant", index % 2 == 0 ? 1L : 2L), ("$at", 1000L + index));
        }

        database.Execute(MigrationScripts.Read("Sqlite", "0021_event_sequences.sql"));

        var rows = ReadRows(database, "SELECT tenant_id, sequence FROM events ORDER BY id");
        Assert.Equal([(1L, 1L), (2L, 1L), (1L, 2L), (2L, 2L), (1L, 3L), (2L, 3L)], rows);
        Assert.Equal(3, database.QueryLong("SELECT last_sequence FROM event_sequences WHERE tenant_id = 1"));
        Assert.Equal(3, database.QueryLong("SELECT last_sequence FROM event_sequences WHERE tenant_id = 2"));
        Assert.Equal(6, database.QueryLong("SELECT COUNT(DISTINCT public_id) FROM events WHERE public_id LIKE 'evt_%'"));
    }

    [Fact]
    public async Task FeedStore_AfterAndLimit_ReadsOnePageInOrder()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpTenantAsync(database, "acme");
        var other = await SetUpTenantAsync(database, "globex");
        for (var index = 0; index < 5; index++)
        {
            await database.AppendAsync(tenantId, TestDatabase.Email($"e-{index}"));
            await database.AppendAsync(other, TestDatabase.Email($"o-{index}"));
        }

        var feed = new SqlEventFeedStore(database.Database);
        var first = await ReadFeedAsync(feed, tenantId, 0, 3);
        var last = await feed.FindLastSequenceAsync(tenantId, 3, 100, CancellationToken.None);
        var rest = await ReadFeedAsync(feed, tenantId, 3, 100);
        var none = await feed.FindLastSequenceAsync(tenantId, last ?? 0, 100, CancellationToken.None);

        Assert.Equal([1L, 2L, 3L], first.Select(stored => stored.Sequence));
        // Sequence 1 is agent-1's AgentStatusChanged, 2 to 6 the five Received events.
        Assert.Equal([4L, 5L, 6L], rest.Select(stored => stored.Sequence));
        Assert.Equal(6, last);
        Assert.Null(none);
        Assert.All(first.Concat(rest), stored => Assert.StartsWith("evt_", stored.PublicId, StringComparison.Ordinal));
        Assert.Contains(rest, stored => stored.EntityId == "e-4" && stored.Queue == "Sales");
        Assert.DoesNotContain(first.Concat(rest), stored => stored.EntityId?.StartsWith('o') == true);
    }

    /// <summary>Creates a tenant with queue "Sales" and agent "agent-1" (2 emails at once), and returns its id.</summary>
    internal static async Task<long> SetUpTenantAsync(TestDatabase database, string companyCode)
    {
        var tenantId = await database.CreateTenantAsync(companyCode);
        await database.PutQueueAsync(tenantId, "Sales");
        await database.PutAgentAsync(tenantId, "agent-1", 2, ("Sales", 1));
        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);
        return tenantId;
    }

    private static async Task<List<FeedEvent>> ReadFeedAsync(
        SqlEventFeedStore feed, long tenantId, long after, int limit)
    {
        var through = await feed.FindLastSequenceAsync(tenantId, after, limit, CancellationToken.None);
        var events = new List<FeedEvent>();
        if (through is null)
        {
            return events;
        }

        await foreach (var stored in feed.ReadAsync(tenantId, after, through.Value, CancellationToken.None))
        {
            events.Add(stored);
        }

        return events;
    }

    private static List<long> ReadSequences(TestDatabase database, long tenantId) =>
        ReadRows(database, $"SELECT id, sequence FROM events WHERE tenant_id = {tenantId} ORDER BY id")
            .Select(row => row.Second).ToList();

    /// <summary>Asserts that the sequences, in the order listed, run 1, 2, 3 and so on without a gap.</summary>
    internal static void AssertGapFree(IReadOnlyList<long> sequences)
    {
        Assert.NotEmpty(sequences);
        Assert.Equal(Enumerable.Range(1, sequences.Count).Select(number => (long)number), sequences);
    }

    private static List<(long First, long Second)> ReadRows(TestDatabase database, string sql)
    {
        using var connection = database.Database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<(long, long)>();
        while (reader.Read())
        {
            rows.Add((reader.GetInt64(0), reader.GetInt64(1)));
        }

        return rows;
    }

    /// <summary>Undoes script 0021, so the test can insert events as older versions did and run it again.</summary>
    private static void RevertMigration(TestDatabase database)
    {
        database.Execute("DROP INDEX events_by_tenant_sequence");
        database.Execute("DROP INDEX events_unnumbered");
        database.Execute("DROP TABLE event_sequences");
        database.Execute("DELETE FROM events");
        database.Execute("ALTER TABLE events DROP COLUMN sequence");
        database.Execute("ALTER TABLE events DROP COLUMN public_id");
    }
}

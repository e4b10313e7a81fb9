using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Tenants;
using RoutedEmail.Storage.Postgres;
using RoutedEmail.Storage.Sql;
using RoutedEmail.Storage.Tests.Sqlite;

namespace RoutedEmail.Storage.Tests.Postgres;

/// <summary>
/// Per-tenant event sequence numbers with two nodes, each with a data source of its own, writing to one database.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresEventSequenceTests(PostgresCluster cluster)
{
    [Fact]
    public async Task Sequence_TwoNodesIngestAndRoute_GapFreeAndNeverBehindReader()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        await using var otherNode = PostgresTestDatabase.CreateNode(database.ConnectionString);
        var nodes = new[] { database.Database, otherNode };
        var tenantId = await SetUpAsync(database, "acme");
        var otherTenant = await SetUpAsync(database, "globex");

        var writers = new List<Task>();
        for (var node = 0; node < nodes.Length; node++)
        {
            var ingest = new PostgresIngestStore(nodes[node], database.Time);
            var routing = new SqlRoutingStore(nodes[node], database.Time);
            var agents = new SqlAgentStore(nodes[node], database.Time);
            foreach (var (tenant, writer) in new[] { (tenantId, 0), (tenantId, 1), (otherTenant, 0) })
            {
                var prefix = $"n{node}-w{writer}";
                writers.Add(Task.Run(async () =>
                {
                    for (var index = 0; index < 25; index++)
                    {
                        await ingest.AppendAsync(tenant, [TestDatabase.Email($"{prefix}-{index}"),
                            TestDatabase.Email($"{prefix}-{index}-b")],
                            database.Time.GetUtcNow() - TestDatabase.Retention, CancellationToken.None);
                    }
                }));
            }

            writers.Add(Task.Run(async () =>
            {
                for (var round = 0; round < 25; round++)
                {
                    await routing.RouteAsync(tenantId, TimeSpan.Zero, CancellationToken.None);
                    await agents.SetStatusAsync(tenantId, "agent-1",
                        round % 2 == 0 ? AgentStatus.Away : AgentStatus.Available, CancellationToken.None);
                }
            }));
        }

        var feed = new SqlEventFeedStore(otherNode);
        var reader = Task.Run(async () =>
        {
            // Every read after the last seen number must continue at the next number, without a hole: a hole
            // would be an event that committed later with a smaller number, which the reader would skip.
            long seen = 0;
            while (writers.Any(writer => !writer.IsCompleted))
            {
                seen = await ReadContiguousAsync(feed, tenantId, seen);
            }

            return await ReadContiguousAsync(feed, tenantId, seen);
        });

        await Task.WhenAll(writers);
        var lastRead = await reader;

        foreach (var tenant in new[] { tenantId, otherTenant })
        {
            var sequences = (await database.QueryRowsAsync(
                    "SELECT sequence FROM events WHERE tenant_id = @tenant ORDER BY sequence", ("tenant", tenant)))
                .Select(row => Convert.ToInt64(row[0], System.Globalization.CultureInfo.InvariantCulture))
                .ToList();
            SqliteEventSequenceTests.AssertGapFree(sequences);
        }

        Assert.Equal(
            await database.QueryLongAsync("SELECT MAX(sequence) FROM events WHERE tenant_id = @tenant", ("tenant", tenantId)),
            lastRead);
        Assert.Equal(0, await database.QueryLongAsync("SELECT COUNT(*) FROM events WHERE sequence IS NULL"));
        Assert.Equal(
            await database.QueryLongAsync("SELECT COUNT(*) FROM events"),
            await database.QueryLongAsync("SELECT COUNT(DISTINCT public_id) FROM events"));
    }

    [Fact]
    public async Task Migration_OldEvents_NumberedInIdOrderPerTenant()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        await database.ExecuteAsync(
            """
            DROP TABLE event_sequences;
            DROP INDEX events_by_tenant_sequence;
            DROP INDEX events_unnumbered;
            ALTER TABLE events DROP COLUMN sequence, DROP COLUMN public_id;
            """);
        for (var index = 0; index < 6; index++)
        {
            await database.ExecuteAsync(
                "INSERT INTO events (tenant_id, at, type) VALUES (@tenant, @at, 'AgentSignedIn')",
                ("tenant", index % 2 == 0 ? 1L : 2L), ("at", 1000L + index));
        }

        await database.ExecuteAsync(MigrationScripts.Read("Postgres", "0013_event_sequences.sql"));

        var rows = (await database.QueryRowsAsync("SELECT tenant_id, sequence FROM events ORDER BY id"))
            .Select(row => ((long)row[0]!, (long)row[1]!)).ToList();
        Assert.Equal([(1L, 1L), (2L, 1L), (1L, 2L), (2L, 2L), (1L, 3L), (2L, 3L)], rows);
        Assert.Equal(3, await database.QueryLongAsync("SELECT last_sequence FROM event_sequences WHERE tenant_id = 1"));
        Assert.Equal(3, await database.QueryLongAsync("SELECT last_sequence FROM event_sequences WHERE tenant_id = 2"));
        Assert.Equal(6, await database.QueryLongAsync(
            "SELECT COUNT(DISTINCT public_id) FROM events WHERE public_id LIKE 'evt_%'"));
    }

    private static async Task<long> ReadContiguousAsync(SqlEventFeedStore feed, long tenantId, long after)
    {
        var through = await feed.FindLastSequenceAsync(tenantId, after, 10_000, CancellationToken.None);
        if (through is null)
        {
            return after;
        }

        var expected = after + 1;
        await foreach (var stored in feed.ReadAsync(tenantId, after, through.Value, CancellationToken.None))
        {
            Assert.Equal(expected, stored.Sequence);
            expected++;
        }

        Assert.Equal(through.Value + 1, expected);
        return through.Value;
    }

    /// <summary>Creates a tenant with queue "Sales" and Available agent "agent-1" (3 emails at once).</summary>
    private static async Task<long> SetUpAsync(PostgresTestDatabase database, string companyCode)
    {
        var tenantId = await database.CreateTenantAsync(companyCode);
        var configuration = new SqlConfigurationStore(database.Database, database.Time);
        var queue = await configuration.PutSkillQueueAsync(
            tenantId, new SkillQueue("Sales", 30, 0, 3600, [], false), CancellationToken.None);
        Assert.True(queue.Succeeded);
        var agent = await configuration.PutAgentAsync(
            tenantId, TestDatabase.Definition("agent-1", 3, ("Sales", 1)), "hash", CancellationToken.None);
        Assert.True(agent.Succeeded);
        await new SqlAgentStore(database.Database, database.Time)
            .SetStatusAsync(tenantId, "agent-1", AgentStatus.Available, CancellationToken.None);
        return tenantId;
    }
}

using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Tenants;
using RoutedEmail.Storage.Postgres;
using RoutedEmail.Storage.Sql;
using RoutedEmail.Storage.Tests.Sqlite;

namespace RoutedEmail.Storage.Tests.Postgres;

/// <summary>
/// Two nodes, each with a data source of its own on one database, race on the same routing state. The per-tenant
/// lock must let exactly one of them act, every round.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresNodeRaceTests(PostgresCluster cluster)
{
    private const int Rounds = 20;

    [Fact]
    public async Task ExpireDueOffers_TwoNodes_OneExpiry()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        await using var other = PostgresTestDatabase.CreateNode(database.ConnectionString);
        var (first, second) = (new Node(database.Database, database), new Node(other, database));
        var tenantId = await first.SetUpAsync(maxConcurrentEmails: 1);

        for (var round = 0; round < Rounds; round++)
        {
            await database.AppendAsync(tenantId, TestDatabase.Email($"e-{round}"));
            await first.Agents.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available, CancellationToken.None);
            Assert.Single(await first.Routing.RouteAsync(tenantId, TimeSpan.Zero, CancellationToken.None));
            database.Time.Advance(TimeSpan.FromSeconds(60));

            var expired = await Task.WhenAll(
                Task.Run(() => first.Routing.ExpireDueOffersAsync(CancellationToken.None)),
                Task.Run(() => second.Routing.ExpireDueOffersAsync(CancellationToken.None)));

            Assert.Equal(1, expired.Sum(offers => offers.Count));
        }

        Assert.Equal(Rounds, await database.QueryLongAsync("SELECT COUNT(*) FROM events WHERE type = 'OfferExpired'"));
    }

    [Fact]
    public async Task RouteAsync_TwoNodes_NoDoubleOffer()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        await using var other = PostgresTestDatabase.CreateNode(database.ConnectionString);
        var (first, second) = (new Node(database.Database, database), new Node(other, database));
        var tenantId = await first.SetUpAsync(maxConcurrentEmails: 2, agents: 5);

        for (var round = 0; round < Rounds; round++)
        {
            var emails = Enumerable.Range(0, 15).Select(index => TestDatabase.Email($"r{round}-e{index}")).ToArray();
            await database.AppendAsync(tenantId, emails);

            var offers = await Task.WhenAll(
                Task.Run(() => first.Routing.RouteAsync(tenantId, TimeSpan.Zero, CancellationToken.None)),
                Task.Run(() => second.Routing.RouteAsync(tenantId, TimeSpan.Zero, CancellationToken.None)));

            var offered = offers.SelectMany(list => list).ToList();
            Assert.Equal(10, offered.Count);
            Assert.Equal(offered.Count, offered.Select(offer => offer.EmailId).Distinct().Count());
            Assert.All(offered.GroupBy(offer => offer.AgentId), agent => Assert.Equal(2, agent.Count()));

            // The next round starts with every agent free again.
            await database.ExecuteAsync("UPDATE offers SET state = 'Withdrawn', closed_at = 0 WHERE state = 'Pending'");
            await database.ExecuteAsync("UPDATE routed_emails SET state = 'Canceled', agent_id = NULL, closed_at = 0");
        }
    }

    /// <summary>The stores of one node, all on its own data source and the test's fake clock.</summary>
    private sealed class Node(PostgresDatabase database, PostgresTestDatabase test)
    {
        public SqlRoutingStore Routing { get; } = new(database, test.Time);

        public SqlAgentStore Agents { get; } = new(database, test.Time);

        private SqlConfigurationStore Configuration { get; } = new(database, test.Time);

        /// <summary>Creates a tenant with queue "Sales" and Available agents "agent-1" and up, and returns its id.</summary>
        public async Task<long> SetUpAsync(int maxConcurrentEmails, int agents = 1)
        {
            var tenantId = await test.CreateTenantAsync();
            var queue = await Configuration.PutSkillQueueAsync(
                tenantId, new SkillQueue("Sales", 30, 0, 3600, [], false), CancellationToken.None);
            Assert.True(queue.Succeeded);
            for (var index = 1; index <= agents; index++)
            {
                var agentId = $"agent-{index}";
                var agent = await Configuration.PutAgentAsync(tenantId,
                    TestDatabase.Definition(agentId, maxConcurrentEmails, ("Sales", 1)), "hash", CancellationToken.None);
                Assert.True(agent.Succeeded);
                await Agents.SetStatusAsync(tenantId, agentId, AgentStatus.Available, CancellationToken.None);
            }

            return tenantId;
        }
    }
}

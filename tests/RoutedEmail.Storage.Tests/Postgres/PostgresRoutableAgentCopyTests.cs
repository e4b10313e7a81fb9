using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Tenants;
using RoutedEmail.Storage.Sql;
using RoutedEmail.Storage.Tests.Sqlite;

namespace RoutedEmail.Storage.Tests.Postgres;

/// <summary>
/// The triggers that stamp agent versions on PostgreSQL, and a node's copy of the routable agents following a change
/// that another node made between two of its steps.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresRoutableAgentCopyTests(PostgresCluster cluster)
{
    private const string AgentVersionQuery =
        "SELECT COALESCE((SELECT version FROM agent_routing_versions WHERE agent_id = 'agent-1'), 0)";

    [Theory]
    [MemberData(nameof(RoutingInputChanges.Stamping), MemberType = typeof(RoutingInputChanges))]
    public async Task Trigger_RoutingInputChanged_StampsNewVersion(string setUp, string change)
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        await SetUpInputsAsync(database, setUp);
        var before = await database.QueryLongAsync(AgentVersionQuery);

        await database.ExecuteAsync(change);

        var after = await database.QueryLongAsync(AgentVersionQuery);
        Assert.True(after > before, $"agent-1's version stayed {before} after: {change}");
        Assert.True(await database.QueryLongAsync("SELECT last_version FROM agent_routing_counters") >= after);
    }

    [Theory]
    [MemberData(nameof(RoutingInputChanges.NotStamping), MemberType = typeof(RoutingInputChanges))]
    public async Task Trigger_OtherColumnChanged_KeepsVersion(string setUp, string change)
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        await SetUpInputsAsync(database, setUp);
        var before = await database.QueryLongAsync(AgentVersionQuery);

        await database.ExecuteAsync(change);

        Assert.Equal(before, await database.QueryLongAsync(AgentVersionQuery));
    }

    [Fact]
    public async Task RouteAsync_AwayOnOtherNode_NotOffered()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        await using var otherNode = PostgresTestDatabase.CreateNode(database.ConnectionString);
        var routing = new SqlRoutingStore(database.Database, database.Time);
        var otherAgents = new SqlAgentStore(otherNode, database.Time);
        var tenantId = await SetUpAsync(database);
        await database.AppendAsync(tenantId, TestDatabase.Email("first"));
        var first = Assert.Single(await routing.RouteAsync(tenantId, TimeSpan.Zero, CancellationToken.None));
        var other = first.AgentId == "agent-1" ? "agent-2" : "agent-1";

        await otherAgents.SetStatusAsync(tenantId, other, AgentStatus.Away, CancellationToken.None);
        await database.AppendAsync(tenantId, TestDatabase.Email("second"));
        var offers = await routing.RouteAsync(tenantId, TimeSpan.Zero, CancellationToken.None);

        Assert.Empty(offers);
    }

    [Fact]
    public async Task Refresh_OtherNodeChanges_EqualsFullRead()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        await using var otherNode = PostgresTestDatabase.CreateNode(database.ConnectionString);
        var tenantId = await database.CreateTenantAsync();
        var configuration = new SqlConfigurationStore(database.Database, database.Time);
        var agents = new SqlAgentStore(database.Database, database.Time);
        foreach (var queue in RoutableAgentCopyRandomChanges.Queues)
        {
            var created = await configuration.PutSkillQueueAsync(
                tenantId, new SkillQueue(queue, 30, 0, 3600, [], false), CancellationToken.None);
            Assert.True(created.Succeeded);
        }

        foreach (var agentId in RoutableAgentCopyRandomChanges.AgentIds)
        {
            var created = await configuration.PutAgentAsync(tenantId,
                TestDatabase.Definition(agentId, 2, ("Sales", 1), ("Billing", 2)), "hash", CancellationToken.None);
            Assert.True(created.Succeeded);
            await agents.SetStatusAsync(tenantId, agentId, AgentStatus.Available, CancellationToken.None);
        }

        await database.AppendAsync(tenantId,
            [.. Enumerable.Range(0, 12).Select(index => TestDatabase.Email($"email-{index}"))]);
        var emailIds = (await database.QueryRowsAsync("SELECT id FROM routed_emails ORDER BY id"))
            .Select(row => Convert.ToInt64(row[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();

        new RoutableAgentCopyRandomChanges(database.Database, otherNode, tenantId, emailIds, randomStart: 1).Run(300);
    }

    /// <summary>Creates the tenant of <see cref="RoutingInputChanges"/> and runs the set-up statement.</summary>
    private static async Task SetUpInputsAsync(PostgresTestDatabase database, string setUp)
    {
        var tenantId = await SetUpAsync(database);
        var configuration = new SqlConfigurationStore(database.Database, database.Time);
        var billing = await configuration.PutSkillQueueAsync(
            tenantId, new SkillQueue("Billing", 30, 0, 3600, [], false), CancellationToken.None);
        Assert.True(billing.Succeeded);
        await database.AppendAsync(tenantId, TestDatabase.Email("email-1"));
        if (setUp.Length > 0)
        {
            await database.ExecuteAsync(setUp);
        }
    }

    /// <summary>
    /// Creates a tenant with queue "Sales" and agents "agent-1" and "agent-2" of at most one email each, Available,
    /// and returns its id.
    /// </summary>
    private static async Task<long> SetUpAsync(PostgresTestDatabase database)
    {
        var tenantId = await database.CreateTenantAsync();
        var configuration = new SqlConfigurationStore(database.Database, database.Time);
        var agents = new SqlAgentStore(database.Database, database.Time);
        var queue = await configuration.PutSkillQueueAsync(
            tenantId, new SkillQueue("Sales", 30, 0, 3600, [], false), CancellationToken.None);
        Assert.True(queue.Succeeded);
        foreach (var agentId in new[] { "agent-1", "agent-2" })
        {
            var agent = await configuration.PutAgentAsync(
                tenantId, TestDatabase.Definition(agentId, 1, ("Sales", 1)), "hash", CancellationToken.None);
            Assert.True(agent.Succeeded);
            await agents.SetStatusAsync(tenantId, agentId, AgentStatus.Available, CancellationToken.None);
        }

        return tenantId;
    }
}

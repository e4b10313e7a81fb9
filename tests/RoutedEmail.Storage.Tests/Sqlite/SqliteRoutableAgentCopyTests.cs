using RoutedEmail.Core.Agents;

namespace RoutedEmail.Storage.Tests.Sqlite;

/// <summary>
/// The routing store keeps a copy of each tenant's routable agents between steps and re-reads only the agents whose
/// version changed. These tests check the triggers that stamp the versions, and that a step follows a change made
/// between two steps by a store or by hand in SQL.
/// </summary>
public sealed class SqliteRoutableAgentCopyTests
{
    private const string AgentVersionQuery =
        "SELECT COALESCE((SELECT version FROM agent_routing_versions WHERE agent_id = 'agent-1'), 0)";

    [Theory]
    [MemberData(nameof(RoutingInputChanges.Stamping), MemberType = typeof(RoutingInputChanges))]
    public async Task Trigger_RoutingInputChanged_StampsNewVersion(string setUp, string change)
    {
        await using var database = TestDatabase.Create();
        await SetUpInputsAsync(database, setUp);
        var before = database.QueryLong(AgentVersionQuery);

        database.Execute(change);

        var after = database.QueryLong(AgentVersionQuery);
        Assert.True(after > before, $"agent-1's version stayed {before} after: {change}");
        Assert.True(database.QueryLong("SELECT last_version FROM agent_routing_counters") >= after);
    }

    [Theory]
    [MemberData(nameof(RoutingInputChanges.NotStamping), MemberType = typeof(RoutingInputChanges))]
    public async Task Trigger_OtherColumnChanged_KeepsVersion(string setUp, string change)
    {
        await using var database = TestDatabase.Create();
        await SetUpInputsAsync(database, setUp);
        var before = database.QueryLong(AgentVersionQuery);

        database.Execute(change);

        Assert.Equal(before, database.QueryLong(AgentVersionQuery));
    }

    [Fact]
    public async Task RouteAsync_AgentAwayBetweenSteps_NotOffered()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAgentsAsync(database, "agent-1", "agent-2");
        await database.QueueEmailAsync(tenantId, "first");
        var first = Assert.Single(await database.RouteAsync(tenantId));
        var other = first.AgentId == "agent-1" ? "agent-2" : "agent-1";

        await database.SetStatusAsync(tenantId, other, AgentStatus.Away);
        await database.QueueEmailAsync(tenantId, "second");
        var offers = await database.RouteAsync(tenantId);

        Assert.Empty(offers);
    }

    [Fact]
    public async Task RouteAsync_EmailClosedBetweenSteps_OffersAgain()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAgentsAsync(database, "agent-1");
        await database.QueueEmailAsync(tenantId, "first");
        Assert.Single(await database.RouteAsync(tenantId));

        // A change made by hand in SQL, outside the stores.
        database.Execute("UPDATE offers SET state = 'Accepted', closed_at = 0");
        database.Execute("UPDATE routed_emails SET state = 'Completed', closed_at = 0");
        await database.QueueEmailAsync(tenantId, "second");
        var offers = await database.RouteAsync(tenantId);

        Assert.Equal("second", Assert.Single(offers).EntityId);
    }

    [Fact]
    public async Task RouteAsync_MaximumRaisedBetweenSteps_OffersMore()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAgentsAsync(database, "agent-1");
        await database.QueueEmailAsync(tenantId, "first");
        await database.QueueEmailAsync(tenantId, "second");
        Assert.Single(await database.RouteAsync(tenantId));

        await database.PutAgentAsync(tenantId, "agent-1", 2, ("Sales", 1));
        var offers = await database.RouteAsync(tenantId);

        Assert.Equal("second", Assert.Single(offers).EntityId);
    }

    [Fact]
    public async Task RouteAsync_AgentDeletedBetweenSteps_NotOffered()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAgentsAsync(database, "agent-1", "agent-2");
        await database.QueueEmailAsync(tenantId, "first");
        var first = Assert.Single(await database.RouteAsync(tenantId));
        var other = first.AgentId == "agent-1" ? "agent-2" : "agent-1";

        database.Execute("DELETE FROM agent_skills WHERE agent_id = $agent", ("$agent", other));
        database.Execute("DELETE FROM agents WHERE agent_id = $agent", ("$agent", other));
        await database.QueueEmailAsync(tenantId, "second");
        var offers = await database.RouteAsync(tenantId);

        Assert.Empty(offers);
    }

    [Fact]
    public async Task RouteAsync_AfterRollback_OffersAll()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAgentsAsync(database, "agent-1");
        await database.PutAgentAsync(tenantId, "agent-1", 2, ("Sales", 1));
        await database.PutQueueAsync(tenantId, "Billing");

        // A step with an email that agent-1 does not serve reads agent-1 into the copy and offers nothing.
        await database.QueueEmailAsync(tenantId, "billing", "Billing");
        Assert.Empty(await database.RouteAsync(tenantId));
        await database.QueueEmailAsync(tenantId, "sales-1");
        await database.QueueEmailAsync(tenantId, "sales-2");

        // The step counts its first offer in the copy, then its second offer fails and the step rolls back.
        database.Execute(
            """
            CREATE TRIGGER second_offer_rejected BEFORE INSERT ON offers WHEN (SELECT COUNT(*) FROM offers) > 0
            BEGIN SELECT RAISE(ABORT, 'rejected by the test'); END
            """);
        await Assert.ThrowsAnyAsync<Exception>(() => database.RouteAsync(tenantId));
        database.Execute("DROP TRIGGER second_offer_rejected");
        var offers = await database.RouteAsync(tenantId);

        Assert.Equal(["sales-1", "sales-2"], offers.Select(offer => offer.EntityId).Order().ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Refresh_RandomChanges_EqualsFullRead(int randomStart)
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        foreach (var queue in RoutableAgentCopyRandomChanges.Queues)
        {
            await database.PutQueueAsync(tenantId, queue);
        }

        foreach (var agentId in RoutableAgentCopyRandomChanges.AgentIds)
        {
            await database.PutAgentAsync(tenantId, agentId, 2, ("Sales", 1), ("Billing", 2));
            await database.SetStatusAsync(tenantId, agentId, AgentStatus.Available);
        }

        var emailIds = new List<long>();
        for (var index = 0; index < 12; index++)
        {
            emailIds.Add(await database.QueueEmailAsync(tenantId, $"email-{index}"));
        }

        new RoutableAgentCopyRandomChanges(database.Database, database.Database, tenantId, emailIds, randomStart)
            .Run(300);
    }

    /// <summary>
    /// Creates the tenant of <see cref="RoutingInputChanges"/>, with the email queued, and runs the set-up statement.
    /// </summary>
    private static async Task SetUpInputsAsync(TestDatabase database, string setUp)
    {
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        await database.PutQueueAsync(tenantId, "Billing");
        await database.PutAgentAsync(tenantId, "agent-1", 1, ("Sales", 1));
        await database.PutAgentAsync(tenantId, "agent-2", 1, ("Sales", 1));
        await database.QueueEmailAsync(tenantId, "email-1");
        if (setUp.Length > 0)
        {
            database.Execute(setUp);
        }
    }

    /// <summary>Creates a tenant with queue "Sales" and Available agents of at most one email each.</summary>
    private static async Task<long> SetUpAgentsAsync(TestDatabase database, params string[] agentIds)
    {
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        foreach (var agentId in agentIds)
        {
            await database.PutAgentAsync(tenantId, agentId, 1, ("Sales", 1));
            await database.SetStatusAsync(tenantId, agentId, AgentStatus.Available);
        }

        return tenantId;
    }
}

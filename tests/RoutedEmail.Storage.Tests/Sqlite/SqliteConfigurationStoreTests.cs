using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Tenants;

namespace RoutedEmail.Storage.Tests.Sqlite;

public sealed class SqliteConfigurationStoreTests
{
    [Fact]
    public async Task PutSkillQueueAsync_New_ReturnsCreated()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await PutGroupAsync(database, tenantId, "Outcomes", "Sold");
        await PutGroupAsync(database, tenantId, "Reasons", "Price");
        var queue = new SkillQueue("Sales", 45, 30, 600, ["Outcomes", "Reasons"], true);

        var outcome = await database.Configuration.PutSkillQueueAsync(tenantId, queue, CancellationToken.None);

        Assert.True(outcome.Created);
        var stored = await database.Configuration.GetSkillQueueAsync(tenantId, "Sales", CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal(45, stored.OfferTimeoutSeconds);
        Assert.Equal(30, stored.WrapSeconds);
        Assert.Equal(600, stored.ServiceLevelSeconds);
        Assert.Equal(["Outcomes", "Reasons"], stored.WorkCodeGroups);
        Assert.True(stored.WorkCodeRequired);
    }

    [Fact]
    public async Task PutSkillQueueAsync_Existing_ReplacesValues()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await PutGroupAsync(database, tenantId, "Outcomes", "Sold");
        await database.Configuration.PutSkillQueueAsync(
            tenantId, new SkillQueue("Sales", 45, 30, 600, ["Outcomes"], true), CancellationToken.None);

        var outcome = await database.Configuration.PutSkillQueueAsync(
            tenantId, new SkillQueue("Sales", 90, 0, 1200, [], false), CancellationToken.None);

        Assert.False(outcome.Created);
        var stored = await database.Configuration.GetSkillQueueAsync(tenantId, "Sales", CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal(90, stored.OfferTimeoutSeconds);
        Assert.Equal(0, stored.WrapSeconds);
        Assert.Equal(1200, stored.ServiceLevelSeconds);
        Assert.Empty(stored.WorkCodeGroups);
        Assert.False(stored.WorkCodeRequired);
        Assert.Equal(1, database.QueryLong("SELECT COUNT(*) FROM skill_queues"));
    }

    [Fact]
    public async Task ListSkillQueuesAsync_TwoTenants_ListsOwnByName()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync("acme");
        var otherTenantId = await database.CreateTenantAsync("globex");
        await database.PutQueueAsync(tenantId, "Support");
        await database.PutQueueAsync(tenantId, "Billing");
        await database.PutQueueAsync(otherTenantId, "Other");

        var queues = await database.Configuration.ListSkillQueuesAsync(tenantId, CancellationToken.None);

        Assert.Equal(["Billing", "Support"], queues.Select(queue => queue.Name));
    }

    [Fact]
    public async Task PutConfigurationAsync_New_ReturnsCreated()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        var configuration = new RoutedEmailConfiguration(
            "owner-1", "Sales", 3, true, "Sales inbox", "https://crm.example.com/case/{entityId}");

        var outcome = await database.Configuration.PutConfigurationAsync(
            tenantId, configuration, CancellationToken.None);

        Assert.True(outcome.Succeeded);
        Assert.True(outcome.Created);
        var stored = await database.Configuration.GetConfigurationAsync(tenantId, "owner-1", CancellationToken.None);
        Assert.Equal(configuration, stored);
    }

    [Fact]
    public async Task PutConfigurationAsync_Existing_ReplacesValues()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        await database.PutQueueAsync(tenantId, "Billing");
        await database.Configuration.PutConfigurationAsync(
            tenantId, new RoutedEmailConfiguration("owner-1", "Sales", 3, true, "Sales inbox", "https://x/{entityId}"),
            CancellationToken.None);
        var replacement = new RoutedEmailConfiguration("owner-1", "Billing", -2, false, "Moved", null);

        var outcome = await database.Configuration.PutConfigurationAsync(
            tenantId, replacement, CancellationToken.None);

        Assert.True(outcome.Succeeded);
        Assert.False(outcome.Created);
        var stored = await database.Configuration.GetConfigurationAsync(tenantId, "owner-1", CancellationToken.None);
        Assert.Equal(replacement, stored);
    }

    [Fact]
    public async Task PutConfigurationAsync_MissingQueue_WritesNothing()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();

        var outcome = await database.Configuration.PutConfigurationAsync(
            tenantId, new RoutedEmailConfiguration("owner-1", "Nowhere", 0, true, "", null), CancellationToken.None);

        Assert.False(outcome.Succeeded);
        Assert.Equal("Nowhere", outcome.MissingSkillQueue);
        Assert.Equal(0, database.QueryLong("SELECT COUNT(*) FROM routed_email_configurations"));
    }

    [Fact]
    public async Task PutConfigurationAsync_UpdateMissingQueue_KeepsOld()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        var original = new RoutedEmailConfiguration("owner-1", "Sales", 3, true, "Sales inbox", null);
        await database.Configuration.PutConfigurationAsync(tenantId, original, CancellationToken.None);

        var outcome = await database.Configuration.PutConfigurationAsync(
            tenantId, original with { SkillQueue = "Nowhere", Priority = 9 }, CancellationToken.None);

        Assert.Equal("Nowhere", outcome.MissingSkillQueue);
        var stored = await database.Configuration.GetConfigurationAsync(tenantId, "owner-1", CancellationToken.None);
        Assert.Equal(original, stored);
    }

    [Fact]
    public async Task PutConfigurationAsync_OtherTenantsQueue_Missing()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync("acme");
        var otherTenantId = await database.CreateTenantAsync("globex");
        await database.PutQueueAsync(otherTenantId, "Sales");

        var outcome = await database.Configuration.PutConfigurationAsync(
            tenantId, new RoutedEmailConfiguration("owner-1", "Sales", 0, true, "", null), CancellationToken.None);

        Assert.Equal("Sales", outcome.MissingSkillQueue);
        Assert.Equal(0, database.QueryLong("SELECT COUNT(*) FROM routed_email_configurations"));
    }

    [Fact]
    public async Task FindConfigurationsAsync_SomeOwners_ReturnsOnlyThose()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync("acme");
        var otherTenantId = await database.CreateTenantAsync("globex");
        await database.PutQueueAsync(tenantId, "Sales");
        await database.PutQueueAsync(otherTenantId, "Sales");
        foreach (var owner in new[] { "owner-1", "owner-2", "owner-3" })
        {
            await database.Configuration.PutConfigurationAsync(
                tenantId, new RoutedEmailConfiguration(owner, "Sales", 0, true, "", null), CancellationToken.None);
        }

        await database.Configuration.PutConfigurationAsync(
            otherTenantId, new RoutedEmailConfiguration("owner-4", "Sales", 0, true, "", null), CancellationToken.None);

        var found = await database.Configuration.FindConfigurationsAsync(
            tenantId, ["owner-1", "owner-3", "owner-4", "unknown"], CancellationToken.None);

        Assert.Equal(["owner-1", "owner-3"], found.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("owner-3", found["owner-3"].OwnerId);
    }

    [Fact]
    public async Task FindConfigurationsAsync_NoOwners_ReturnsEmpty()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        await database.Configuration.PutConfigurationAsync(
            tenantId, new RoutedEmailConfiguration("owner-1", "Sales", 0, true, "", null), CancellationToken.None);

        var found = await database.Configuration.FindConfigurationsAsync(tenantId, [], CancellationToken.None);

        Assert.Empty(found);
    }

    [Fact]
    public async Task PutAgentAsync_NewWithoutPassword_WritesNothing()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");

        var outcome = await database.Configuration.PutAgentAsync(
            tenantId, TestDatabase.Definition("agent-1", 1, ("Sales", 1)), null, CancellationToken.None);

        Assert.False(outcome.Succeeded);
        Assert.True(outcome.PasswordRequired);
        Assert.Equal(0, database.QueryLong("SELECT COUNT(*) FROM agents"));
        Assert.Equal(0, database.QueryLong("SELECT COUNT(*) FROM agent_skills"));
    }

    [Fact]
    public async Task PutAgentAsync_New_CreatesOfflineAgent()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        await database.PutQueueAsync(tenantId, "Billing");

        var outcome = await database.Configuration.PutAgentAsync(
            tenantId, TestDatabase.Definition("agent-1", 3, ("Sales", 2), ("Billing", 1)), "hash-1",
            CancellationToken.None);

        Assert.True(outcome.Succeeded);
        Assert.True(outcome.Created);
        var agent = await database.Configuration.GetAgentAsync(tenantId, "agent-1", CancellationToken.None);
        Assert.NotNull(agent);
        Assert.Equal("Agent agent-1", agent.DisplayName);
        Assert.Equal(3, agent.MaxConcurrentEmails);
        Assert.Equal(AgentStatus.Offline, agent.Status);
        Assert.Equal([new SkillAssignment("Billing", 1), new SkillAssignment("Sales", 2)], agent.SkillQueues);
        Assert.Equal(
            "hash-1", await database.Agents.FindPasswordHashAsync(tenantId, "agent-1", CancellationToken.None));
    }

    [Fact]
    public async Task PutAgentAsync_UpdateWithoutPassword_KeepsPassword()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        await database.Configuration.PutAgentAsync(
            tenantId, TestDatabase.Definition("agent-1", 1, ("Sales", 1)), "hash-1", CancellationToken.None);

        var outcome = await database.Configuration.PutAgentAsync(
            tenantId, TestDatabase.Definition("agent-1", 2, ("Sales", 1)) with { DisplayName = "Renamed" }, null,
            CancellationToken.None);

        Assert.True(outcome.Succeeded);
        Assert.False(outcome.Created);
        Assert.Equal(
            "hash-1", await database.Agents.FindPasswordHashAsync(tenantId, "agent-1", CancellationToken.None));
        var agent = await database.Configuration.GetAgentAsync(tenantId, "agent-1", CancellationToken.None);
        Assert.NotNull(agent);
        Assert.Equal("Renamed", agent.DisplayName);
        Assert.Equal(2, agent.MaxConcurrentEmails);
    }

    [Fact]
    public async Task PutAgentAsync_UpdateWithPassword_ReplacesPassword()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        await database.Configuration.PutAgentAsync(
            tenantId, TestDatabase.Definition("agent-1", 1, ("Sales", 1)), "hash-1", CancellationToken.None);

        await database.Configuration.PutAgentAsync(
            tenantId, TestDatabase.Definition("agent-1", 1, ("Sales", 1)), "hash-2", CancellationToken.None);

        Assert.Equal(
            "hash-2", await database.Agents.FindPasswordHashAsync(tenantId, "agent-1", CancellationToken.None));
    }

    [Fact]
    public async Task PutAgentAsync_Update_ReplacesRoutingProfile()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        await database.PutQueueAsync(tenantId, "Billing");
        await database.PutQueueAsync(tenantId, "Support");
        await database.Configuration.PutAgentAsync(
            tenantId, TestDatabase.Definition("agent-1", 1, ("Sales", 1), ("Billing", 2)), "hash-1",
            CancellationToken.None);

        await database.Configuration.PutAgentAsync(
            tenantId, TestDatabase.Definition("agent-1", 1, ("Support", 1), ("Billing", 3)), null,
            CancellationToken.None);

        var agent = await database.Configuration.GetAgentAsync(tenantId, "agent-1", CancellationToken.None);
        Assert.NotNull(agent);
        Assert.Equal([new SkillAssignment("Support", 1), new SkillAssignment("Billing", 3)], agent.SkillQueues);
    }

    [Fact]
    public async Task PutAgentAsync_Update_KeepsStatus()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        await database.PutAgentAsync(tenantId, "agent-1", 1, ("Sales", 1));
        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);

        await database.PutAgentAsync(tenantId, "agent-1", 2, ("Sales", 1));

        var agent = await database.Configuration.GetAgentAsync(tenantId, "agent-1", CancellationToken.None);
        Assert.NotNull(agent);
        Assert.Equal(AgentStatus.Available, agent.Status);
    }

    [Fact]
    public async Task PutAgentAsync_MissingQueue_KeepsStoredAgent()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        await database.PutAgentAsync(tenantId, "agent-1", 1, ("Sales", 1));

        var outcome = await database.Configuration.PutAgentAsync(
            tenantId, TestDatabase.Definition("agent-1", 5, ("Sales", 1), ("Nowhere", 2)), "hash-2",
            CancellationToken.None);

        Assert.False(outcome.Succeeded);
        Assert.Equal("Nowhere", outcome.MissingSkillQueue);
        var agent = await database.Configuration.GetAgentAsync(tenantId, "agent-1", CancellationToken.None);
        Assert.NotNull(agent);
        Assert.Equal(1, agent.MaxConcurrentEmails);
        Assert.Equal([new SkillAssignment("Sales", 1)], agent.SkillQueues);
        Assert.Equal(
            "hash-agent-1", await database.Agents.FindPasswordHashAsync(tenantId, "agent-1", CancellationToken.None));
    }

    [Fact]
    public async Task ListAgentsAsync_NoQueues_ListsEmptyProfile()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        await database.PutAgentAsync(tenantId, "agent-b", 1, ("Sales", 1));
        await database.PutAgentAsync(tenantId, "agent-a", 1);

        var agents = await database.Configuration.ListAgentsAsync(tenantId, CancellationToken.None);

        Assert.Equal(["agent-a", "agent-b"], agents.Select(agent => agent.AgentId));
        Assert.Empty(agents[0].SkillQueues);
        Assert.Single(agents[1].SkillQueues);
    }

    [Fact]
    public async Task GetStatsAsync_EmailStates_CountsOpenPerQueue()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        await database.PutQueueAsync(tenantId, "Billing");
        await database.PutAgentAsync(tenantId, "agent-1", 3, ("Sales", 1));
        var completedId = await database.QueueEmailAsync(tenantId, "completed");
        var activeId = await database.QueueEmailAsync(tenantId, "active");
        await database.QueueEmailAsync(tenantId, "offered");
        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);
        await database.RouteAsync(tenantId);
        await database.Agents.AcceptAsync(
            tenantId, "agent-1", database.PendingOfferId(completedId), CancellationToken.None);
        await database.Agents.AcceptAsync(
            tenantId, "agent-1", database.PendingOfferId(activeId), CancellationToken.None);
        await database.Agents.CompleteAsync(tenantId, "agent-1", completedId, null, null, CancellationToken.None);
        await database.QueueEmailAsync(tenantId, "queued-1");
        await database.QueueEmailAsync(tenantId, "queued-2");
        await database.QueueEmailAsync(tenantId, "canceled");
        await database.Emails.CancelAsync(tenantId, "canceled", CancellationToken.None);

        var stats = await database.Configuration.GetStatsAsync(tenantId, CancellationToken.None);

        Assert.Equal(
            [new QueueStats("Billing", 0, 0, 0, 0, false), new QueueStats("Sales", 2, 1, 1, 0, false)],
            stats.Queues);
    }

    [Fact]
    public async Task GetStatsAsync_AgentStatuses_CountsEach()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        var otherTenantId = await database.CreateTenantAsync("globex");
        await database.PutQueueAsync(tenantId, "Sales");
        await database.PutAgentAsync(tenantId, "agent-1", 1, ("Sales", 1));
        await database.PutAgentAsync(tenantId, "agent-2", 1, ("Sales", 1));
        await database.PutAgentAsync(tenantId, "agent-3", 1, ("Sales", 1));
        await database.PutAgentAsync(otherTenantId, "agent-4", 1);
        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);
        await database.SetStatusAsync(tenantId, "agent-2", AgentStatus.Available);

        var stats = await database.Configuration.GetStatsAsync(tenantId, CancellationToken.None);

        Assert.Equal(2, stats.Agents["Available"]);
        Assert.Equal(1, stats.Agents["Offline"]);
        Assert.Equal(0, stats.Agents["Away"]);
        Assert.Equal(0, stats.Agents["Missed"]);
        Assert.Equal(4, stats.Agents.Count);
    }

    [Fact]
    public async Task PutSkillQueueAsync_UnknownWorkCodeGroup_WritesNothing()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await PutGroupAsync(database, tenantId, "Outcomes", "Sold");

        var outcome = await database.Configuration.PutSkillQueueAsync(
            tenantId, new SkillQueue("Sales", 45, 30, 600, ["Outcomes", "Missing"], false), CancellationToken.None);

        Assert.Equal("Missing", outcome.MissingWorkCodeGroup);
        Assert.False(outcome.Succeeded);
        Assert.Null(await database.Configuration.GetSkillQueueAsync(tenantId, "Sales", CancellationToken.None));
    }

    [Fact]
    public async Task PutWorkCodeGroupAsync_CreateThenReplace_StoresCodesInOrder()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        var otherTenantId = await database.CreateTenantAsync("globex");

        var created = await database.Configuration.PutWorkCodeGroupAsync(
            tenantId, new WorkCodeGroup("Outcomes", ["Sold", "Lost"]), CancellationToken.None);
        var replaced = await database.Configuration.PutWorkCodeGroupAsync(
            tenantId, new WorkCodeGroup("Outcomes", ["Won", "Abandoned"]), CancellationToken.None);

        Assert.True(created);
        Assert.False(replaced);
        var stored = await database.Configuration.GetWorkCodeGroupAsync(tenantId, "Outcomes", CancellationToken.None);
        Assert.Equal(["Won", "Abandoned"], stored!.Codes);
        Assert.Null(await database.Configuration.GetWorkCodeGroupAsync(
            otherTenantId, "Outcomes", CancellationToken.None));
        Assert.Empty(await database.Configuration.ListWorkCodeGroupsAsync(otherTenantId, CancellationToken.None));
    }

    [Fact]
    public async Task PutAgentAsync_WrapOverride_StoredAndCleared()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        var definition = TestDatabase.Definition("agent-1", 1) with { WrapSeconds = 45 };
        await database.Configuration.PutAgentAsync(tenantId, definition, "hash", CancellationToken.None);
        var first = await database.Configuration.GetAgentAsync(tenantId, "agent-1", CancellationToken.None);

        await database.Configuration.PutAgentAsync(
            tenantId, definition with { WrapSeconds = null }, null, CancellationToken.None);

        Assert.Equal(45, first!.WrapSeconds);
        var second = await database.Configuration.GetAgentAsync(tenantId, "agent-1", CancellationToken.None);
        Assert.Null(second!.WrapSeconds);
    }

    internal static async Task PutGroupAsync(TestDatabase database, long tenantId, string name, params string[] codes) =>
        await database.Configuration.PutWorkCodeGroupAsync(
            tenantId, new WorkCodeGroup(name, codes), CancellationToken.None);
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Users;

/// <summary>What disabling and deleting each administered resource does to open emails and sign-in.</summary>
public sealed class DisableDeleteTests
{
    private static readonly string[] Solved = ["Solved"];
    private static readonly string[] Outcomes = ["Outcomes"];

    [Fact]
    public async Task DeleteQueue_OpenEmails_ConflictNamesCount()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.IngestAcceptedAsync(scenario.Item("e1"), scenario.Item("e2"));

        using var response = await server.Admin.DeleteAsync($"{scenario.TenantPath}/skill-queues/Parts");
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        var detail = problem!["detail"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("holds 2 open emails", detail, StringComparison.Ordinal);
        Assert.Contains("Disable it", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteQueue_NamedByConfiguration_Conflict()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await server.Admin.DeleteAsync($"{scenario.TenantPath}/skill-queues/Parts");
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("routed email configuration \"USPartsSpanish\"", problem!["detail"]!.GetValue<string>(),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteQueue_Unused_RemovedFromProfiles()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Spare", new { });
        await scenario.PutAsync("agents/maria", new
        {
            password = "password-maria",
            skillQueues = new[] { new { name = "Parts", rank = 1 }, new { name = "Spare", rank = 2 } },
        });

        using var response = await server.Admin.DeleteAsync($"{scenario.TenantPath}/skill-queues/Spare");
        using var lookup = await server.Admin.GetAsync($"{scenario.TenantPath}/skill-queues/Spare");
        var agent = await server.Admin.GetFromJsonAsync<JsonObject>($"{scenario.TenantPath}/agents/maria");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, lookup.StatusCode);
        Assert.Equal(["Parts"], agent!["skillQueues"]!.AsArray().Select(q => q!["name"]!.GetValue<string>()));
        Assert.Contains("""{"kind":"SkillQueue","name":"Spare","by":"operator"}""",
            EventLog.ReadDetails(server, ["ResourceDeleted"]));
    }

    [Fact]
    public async Task DisabledConfiguration_Ingest_RejectedNamingOwner()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.IngestAcceptedAsync(scenario.Item("queued-before"));

        using var disable = await server.Admin.PostAsync(
            $"{scenario.TenantPath}/routed-email-configurations/USPartsSpanish/disable", null);
        using var response = await scenario.IngestAsync(Scenario.Body(scenario.Item("after")));
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        var stats = await scenario.GetQueueStatsAsync();

        Assert.Equal(HttpStatusCode.NoContent, disable.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("ERROROCCURRED", body!["responseEnum"]!.GetValue<string>());
        Assert.Contains("\"USPartsSpanish\" is disabled", body["errorMessage"]!.GetValue<string>(),
            StringComparison.Ordinal);
        Assert.Equal(1, stats["waiting"]!.GetValue<int>());
    }

    [Fact]
    public async Task DisabledQueue_Ingest_RejectedButQueuedStillOffered()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("queued-before"));

        using var disable = await server.Admin.PostAsync($"{scenario.TenantPath}/skill-queues/Parts/disable", null);
        using var rejected = await scenario.IngestAsync(Scenario.Body(scenario.Item("after")));
        using var retry = await scenario.IngestAsync(Scenario.Body(scenario.Item("queued-before")));
        var body = await rejected.Content.ReadFromJsonAsync<JsonObject>();
        using var agent = await scenario.SignInAsync("maria");
        await agent.SetStatusAsync("Available");
        var offer = await agent.WaitForOfferOfAsync("queued-before");

        Assert.Equal(HttpStatusCode.NoContent, disable.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        Assert.Contains("skill queue \"Parts\", which is disabled", body!["errorMessage"]!.GetValue<string>(),
            StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal("queued-before", AgentApi.EntityIdOf(offer));
    }

    [Fact]
    public async Task DisabledAgent_SignedOutAndOffline()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await agent.SetStatusAsync("Available");

        using var disable = await server.Admin.PostAsync($"{scenario.TenantPath}/agents/maria/disable", null);
        using var work = await agent.GetAsync("/api/v1/agent/work");
        using var signIn = await server.CreateClient().PostAsJsonAsync("/api/v1/agent/sign-in", new
        {
            companyCode = scenario.CompanyCode, environment = scenario.Environment, agentId = "maria",
            password = "password-maria",
        });
        var stored = await server.Admin.GetFromJsonAsync<JsonObject>($"{scenario.TenantPath}/agents/maria");
        var user = await server.Admin.GetFromJsonAsync<JsonObject>($"{scenario.TenantPath}/users/maria");

        Assert.Equal(HttpStatusCode.NoContent, disable.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, work.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, signIn.StatusCode);
        Assert.Equal("Offline", stored!["status"]!.GetValue<string>());
        Assert.False(user!["enabled"]!.GetValue<bool>());
    }

    [Fact]
    public async Task DeleteAgent_OpenEmails_Conflict()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await agent.SetStatusAsync("Available");
        await scenario.IngestAcceptedAsync(scenario.Item("e1"));
        await agent.AcceptAsync(await agent.WaitForOfferOfAsync("e1"));

        using var deleteAgent = await server.Admin.DeleteAsync($"{scenario.TenantPath}/agents/maria");
        using var deleteUser = await server.Admin.DeleteAsync($"{scenario.TenantPath}/users/maria");
        var problem = await deleteAgent.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.Conflict, deleteAgent.StatusCode);
        Assert.Contains("has 1 open email ", problem!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, deleteUser.StatusCode);
    }

    [Fact]
    public async Task DeleteAgent_NoOpenEmails_Removed()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");

        using var delete = await server.Admin.DeleteAsync($"{scenario.TenantPath}/agents/maria");
        using var agentLookup = await server.Admin.GetAsync($"{scenario.TenantPath}/agents/maria");
        using var userLookup = await server.Admin.GetAsync($"{scenario.TenantPath}/users/maria");
        using var work = await agent.GetAsync("/api/v1/agent/work");

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, agentLookup.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, userLookup.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, work.StatusCode);
    }

    [Fact]
    public async Task DeleteWorkCodeGroup_UsedByQueue_Conflict()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("work-code-groups/Outcomes", new { codes = Solved });
        await scenario.PutAsync("skill-queues/Parts", new { workCodeGroups = Outcomes });

        using var response = await server.Admin.DeleteAsync($"{scenario.TenantPath}/work-code-groups/Outcomes");
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("skill queue \"Parts\"", problem!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisabledWorkCodeGroup_NewQueue_Rejected()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("work-code-groups/Outcomes", new { codes = Solved });
        await scenario.PutAsync("skill-queues/Parts", new { workCodeGroups = Outcomes });

        using var disable = await server.Admin.PostAsync(
            $"{scenario.TenantPath}/work-code-groups/Outcomes/disable", null);
        var kept = await scenario.PutAsync("skill-queues/Parts", new { workCodeGroups = Outcomes });
        using var added = await server.Admin.PutAsJsonAsync(
            $"{scenario.TenantPath}/skill-queues/Returns", new { workCodeGroups = Outcomes });
        var problem = await added.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.NoContent, disable.StatusCode);
        Assert.Equal("Outcomes", Assert.Single(kept["workCodeGroups"]!.AsArray())!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, added.StatusCode);
        Assert.Contains("\"Outcomes\" is disabled", problem!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisabledAwayReason_CannotBeChosen()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("away-reasons/lunch", new { description = "Lunch" });
        await scenario.PutAsync("away-reasons/training", new { description = "Training" });
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");

        using var disable = await server.Admin.PostAsync($"{scenario.TenantPath}/away-reasons/lunch/disable", null);
        using var lunch = await agent.PutAsJsonAsync("/api/v1/agent/status", new { status = "Away", reason = "lunch" });
        using var training = await agent.PutAsJsonAsync("/api/v1/agent/status",
            new { status = "Away", reason = "training" });

        Assert.Equal(HttpStatusCode.NoContent, disable.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, lunch.StatusCode);
        Assert.Equal(HttpStatusCode.OK, training.StatusCode);
    }

    [Fact]
    public async Task Supervisor_CancelAndStatus_RecordedAsActor()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        await scenario.PutUserAsync("sam", "Supervisor");
        using var supervisor = await scenario.SignInUserAsync("sam");
        await scenario.IngestAcceptedAsync(scenario.Item("e1"));

        using var status = await supervisor.PutAsJsonAsync($"{scenario.TenantPath}/agents/maria/status",
            new { status = "Away" });
        using var cancel = await supervisor.PostAsync($"{scenario.TenantPath}/routed-emails/e1/cancel", null);
        var email = await cancel.Content.ReadFromJsonAsync<JsonObject>();
        var actions = EventLog.ReadDetails(server, ["SupervisorAction"]);

        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("Canceled", email!["state"]!.GetValue<string>());
        Assert.Equal(2, actions.Count);
        Assert.Equal("""{"action":"SetStatus","by":"user:sam"}""", actions[0]);
        Assert.Equal("""{"action":"Cancel","by":"user:sam"}""", actions[1]);
    }

    [Fact]
    public async Task Supervisor_TransferActive_QueuesEmail()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Escalations", new { });
        await scenario.PutAgentAsync("maria");
        await scenario.PutUserAsync("sam", "Supervisor");
        using var supervisor = await scenario.SignInUserAsync("sam");
        using var agent = await scenario.SignInAsync("maria");
        await agent.SetStatusAsync("Available");
        await scenario.IngestAcceptedAsync(scenario.Item("e1"));
        await agent.AcceptAsync(await agent.WaitForOfferOfAsync("e1"));

        using var transfer = await supervisor.PostAsJsonAsync($"{scenario.TenantPath}/routed-emails/e1/transfer",
            new { skillQueue = "Escalations" });
        var email = await transfer.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.OK, transfer.StatusCode);
        Assert.Equal("Queued", email!["state"]!.GetValue<string>());
        Assert.Equal("Escalations", email["skillQueue"]!.GetValue<string>());
    }
}

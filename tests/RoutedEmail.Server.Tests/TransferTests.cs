using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

public sealed class TransferTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Transfer_ToQueue_AgentReleasedAndCapacityFree()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Billing", new { });
        await scenario.PutAsync("routed-email-configurations/USPartsSpanish", new { skillQueue = "Parts", priority = 7 });
        await scenario.PutAgentAsync("maria");
        using var maria = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        time.Advance(TimeSpan.FromSeconds(1));
        await scenario.IngestAcceptedAsync(scenario.Item("e-2"));
        await maria.SetStatusAsync("Available");
        var offer = await maria.WaitForOfferOfAsync("e-1");
        await maria.AcceptAsync(offer);
        time.Advance(TimeSpan.FromSeconds(30));

        using var response = await TransferAsync(maria, offer, new { skillQueue = "Billing" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var work = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Empty(AgentApi.Emails(work));
        var email = (await scenario.FindEmailAsync("e-1"))!;
        Assert.Equal("Queued", email["state"]!.GetValue<string>());
        Assert.Equal("Billing", email["skillQueue"]!.GetValue<string>());
        Assert.Null(email["agentId"]);
        Assert.Equal(7, email["priority"]!.GetValue<int>());
        Assert.Equal(Start, email["enqueuedAt"]!.GetValue<DateTimeOffset>());
        var last = email["history"]!.AsArray()[^1]!;
        Assert.Equal("Transferred", last["event"]!.GetValue<string>());
        Assert.Equal("maria", last["agentId"]!.GetValue<string>());

        // Maria's only slot is free again, so she gets the next email of her queue.
        await maria.WaitForOfferOfAsync("e-2");
    }

    [Fact]
    public async Task Transfer_ToQueue_QueueAgentGetsOffer()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Billing", new { });
        await scenario.PutAgentAsync("maria");
        await PutBillingAgentAsync(scenario, "bob");
        using var maria = await scenario.SignInAsync("maria");
        using var bob = await scenario.SignInAsync("bob");
        await bob.SetStatusAsync("Available");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await maria.SetStatusAsync("Available");
        var offer = await maria.WaitForOfferOfAsync("e-1");
        await maria.AcceptAsync(offer);

        using var response = await TransferAsync(maria, offer, new { skillQueue = "Billing" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await bob.WaitForOfferOfAsync("e-1");
    }

    [Fact]
    public async Task Transfer_ToAgent_OfferedToThatAgentOnly()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Parts", new { offerTimeoutSeconds = 45 });
        await scenario.PutAgentAsync("maria");
        await PutBillingAgentAsync(scenario, "bob");
        using var maria = await scenario.SignInAsync("maria");
        using var bob = await scenario.SignInAsync("bob");
        await bob.SetStatusAsync("Available");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await maria.SetStatusAsync("Available");
        var offer = await maria.WaitForOfferOfAsync("e-1");
        await maria.AcceptAsync(offer);
        time.Advance(TimeSpan.FromSeconds(5));

        using var response = await TransferAsync(maria, offer, new { agentId = "bob" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(AgentApi.Emails((await response.Content.ReadFromJsonAsync<JsonObject>())!));
        var transferred = await bob.WaitForOfferOfAsync("e-1");
        Assert.Equal(Start.AddSeconds(50), transferred["expiresAt"]!.GetValue<DateTimeOffset>());
        var email = (await scenario.FindEmailAsync("e-1"))!;
        Assert.Equal("Offered", email["state"]!.GetValue<string>());
        Assert.Equal("bob", email["agentId"]!.GetValue<string>());
        Assert.Equal("Parts", email["skillQueue"]!.GetValue<string>());
        var events = email["history"]!.AsArray().Select(entry => entry!["event"]!.GetValue<string>()).ToArray();
        Assert.Equal(["Transferred", "Offered"], events[^2..]);
    }

    [Fact]
    public async Task Transfer_TargetDeclines_EmailRequeued()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var (scenario, maria, bob) = await TransferToBobAsync(server);
        var offer = await bob.WaitForOfferOfAsync("e-1");

        await DeclineTests.DeclineAsync(bob, offer);

        // Maria serves Parts and is free again, so the normal rules offer the email to her.
        await maria.WaitForOfferOfAsync("e-1");
        var email = (await scenario.FindEmailAsync("e-1"))!;
        Assert.Equal(1, email["declineCount"]!.GetValue<int>());
        maria.Dispose();
        bob.Dispose();
    }

    [Fact]
    public async Task Transfer_TargetLetsExpire_TargetMissed()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var (scenario, maria, bob) = await TransferToBobAsync(server);
        await bob.WaitForOfferOfAsync("e-1");

        time.Advance(TimeSpan.FromSeconds(60));

        await maria.WaitForOfferOfAsync("e-1");
        var bobWork = await bob.GetWorkAsync();
        Assert.Equal("Missed", bobWork["status"]!.GetValue<string>());
        var email = (await scenario.FindEmailAsync("e-1"))!;
        Assert.Equal(1, email["expiryCount"]!.GetValue<int>());
        maria.Dispose();
        bob.Dispose();
    }

    [Theory]
    [InlineData("{}", "skillQueue", "both missing")]
    [InlineData("""{"skillQueue":"Billing","agentId":"bob"}""", "skillQueue", "both set")]
    [InlineData("""{"skillQueue":"Nowhere"}""", "skillQueue", "\"Nowhere\" does not exist")]
    [InlineData("""{"agentId":"nobody"}""", "agentId", "\"nobody\" does not exist")]
    [InlineData("""{"agentId":"maria"}""", "agentId", "is you")]
    public async Task Transfer_InvalidTarget_BadRequestNamesField(string body, string field, string message)
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Billing", new { });
        await scenario.PutAgentAsync("maria");
        await PutBillingAgentAsync(scenario, "bob");
        using var maria = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await maria.SetStatusAsync("Available");
        var offer = await maria.WaitForOfferOfAsync("e-1");
        await maria.AcceptAsync(offer);

        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await maria.PostAsync(
            $"/api/v1/agent/emails/{AgentApi.EmailIdOf(offer)}/transfer", content);

        var detail = await IngestAssert.ValidationProblemAsync(response, field);
        Assert.Contains(message, detail, StringComparison.Ordinal);
        Assert.Single(AgentApi.Emails(await maria.GetWorkAsync()));
    }

    [Fact]
    public async Task Transfer_OfferedEmail_ConflictNamesState()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Billing", new { });
        await scenario.PutAgentAsync("maria");
        using var maria = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await maria.SetStatusAsync("Available");
        var offer = await maria.WaitForOfferOfAsync("e-1");

        using var response = await TransferAsync(maria, offer, new { skillQueue = "Billing" });

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Contains("is Offered", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transfer_EmailInWrap_ConflictNamesState()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Parts", new { wrapSeconds = 30 });
        await scenario.PutAsync("skill-queues/Billing", new { });
        await scenario.PutAgentAsync("maria");
        using var maria = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await maria.SetStatusAsync("Available");
        var offer = await maria.WaitForOfferOfAsync("e-1");
        await maria.AcceptAndCompleteAsync(offer);

        using var response = await TransferAsync(maria, offer, new { skillQueue = "Billing" });

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Contains("is Wrap", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transfer_ToAwayAgent_ConflictNamesStatus()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        await PutBillingAgentAsync(scenario, "bob");
        using var maria = await scenario.SignInAsync("maria");
        using var bob = await scenario.SignInAsync("bob");
        await bob.SetStatusAsync("Away");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await maria.SetStatusAsync("Available");
        var offer = await maria.WaitForOfferOfAsync("e-1");
        await maria.AcceptAsync(offer);

        using var response = await TransferAsync(maria, offer, new { agentId = "bob" });

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Contains("\"bob\" is Away", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Single(AgentApi.Emails(await maria.GetWorkAsync()));
    }

    [Fact]
    public async Task Transfer_ToAgentAtMaximum_Conflict()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        await scenario.PutAgentAsync("bob");
        using var maria = await scenario.SignInAsync("maria");
        using var bob = await scenario.SignInAsync("bob");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await maria.SetStatusAsync("Available");
        var offer = await maria.WaitForOfferOfAsync("e-1");
        await maria.AcceptAsync(offer);
        await scenario.IngestAcceptedAsync(scenario.Item("e-2"));
        await bob.SetStatusAsync("Available");
        await bob.WaitForOfferOfAsync("e-2");

        using var response = await TransferAsync(maria, offer, new { agentId = "bob" });

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Contains("maximum", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transfer_OtherAgentsEmail_NotFound()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Billing", new { });
        await scenario.PutAgentAsync("maria");
        await scenario.PutAgentAsync("bob");
        using var maria = await scenario.SignInAsync("maria");
        using var bob = await scenario.SignInAsync("bob");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await maria.SetStatusAsync("Available");
        var offer = await maria.WaitForOfferOfAsync("e-1");
        await maria.AcceptAsync(offer);

        using var response = await TransferAsync(bob, offer, new { skillQueue = "Billing" });

        await IngestAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Hub_Transfer_SameRulesAsRest()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Billing", new { });
        await scenario.PutAgentAsync("maria");
        using var maria = await scenario.SignInAsync("maria");
        var (hub, _) = await HubTestClient.ConnectAsync(server, maria);
        await using var disposeHub = hub;
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await maria.SetStatusAsync("Available");
        var offer = await maria.WaitForOfferOfAsync("e-1");
        await maria.AcceptAsync(offer);
        var emailId = AgentApi.EmailIdOf(offer);

        var error = await Assert.ThrowsAsync<HubException>(
            () => hub.Connection.InvokeAsync<JsonObject>("Transfer", emailId, "Nowhere", null));
        var transferred = await hub.Connection.InvokeAsync<JsonObject>("Transfer", emailId, "Billing", null);

        Assert.Contains("\"Nowhere\" does not exist", error.Message, StringComparison.Ordinal);
        Assert.Equal("Transfer", HubTestClient.ReasonOf(transferred));
        Assert.Empty(AgentApi.Emails(HubTestClient.WorkOf(transferred)));
        await hub.NextAsync(message => HubTestClient.ReasonOf(message) == "Transferred", "a Transferred push");
    }

    /// <summary>Has maria accept e-1 and transfer it to bob, who serves only Billing and is Available.</summary>
    private static async Task<(Scenario Scenario, HttpClient Maria, HttpClient Bob)> TransferToBobAsync(
        TestServer server)
    {
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        await PutBillingAgentAsync(scenario, "bob");
        var maria = await scenario.SignInAsync("maria");
        var bob = await scenario.SignInAsync("bob");
        await bob.SetStatusAsync("Available");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await maria.SetStatusAsync("Available");
        var offer = await maria.WaitForOfferOfAsync("e-1");
        await maria.AcceptAsync(offer);
        using var response = await TransferAsync(maria, offer, new { agentId = "bob" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (scenario, maria, bob);
    }

    private static async Task PutBillingAgentAsync(Scenario scenario, string agentId)
    {
        await scenario.PutAsync("skill-queues/Billing", new { });
        await scenario.PutAsync($"agents/{agentId}", new
        {
            displayName = agentId,
            password = "password-" + agentId,
            skillQueues = new[] { new { name = "Billing", rank = 1 } },
        });
    }

    [Fact]
    public async Task Transfer_SameQueueAfterEscalation_NotEscalatedAgain()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Parts", new { escalation = new { afterSeconds = 10, raisePriorityBy = 5 } });
        await scenario.PutAgentAsync("maria");
        using var maria = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        time.Advance(TimeSpan.FromSeconds(10));
        await EscalationTests.WaitForPriorityAsync(scenario, "e-1", 5);
        await maria.SetStatusAsync("Available");
        var offer = await maria.WaitForOfferOfAsync("e-1");
        await maria.AcceptAsync(offer);
        await maria.SetStatusAsync("Away");

        using var response = await TransferAsync(maria, offer, new { skillQueue = "Parts" });

        response.EnsureSuccessStatusCode();
        time.Advance(TimeSpan.FromMinutes(1));
        await DeclineTests.AssertNoOfferAsync(maria);
        var email = (await scenario.FindEmailAsync("e-1"))!;
        Assert.Equal("Queued", email["state"]!.GetValue<string>());
        Assert.Equal(5, email["priority"]!.GetValue<int>());
        Assert.Equal(Start.AddSeconds(10), email["escalatedAt"]!.GetValue<DateTimeOffset>());
        Assert.Single(EventLog.ReadTypesAndDetails(server, "Escalated"));
    }

    private static Task<HttpResponseMessage> TransferAsync(HttpClient agent, JsonObject offer, object body) =>
        agent.PostAsJsonAsync($"/api/v1/agent/emails/{AgentApi.EmailIdOf(offer)}/transfer", body);
}

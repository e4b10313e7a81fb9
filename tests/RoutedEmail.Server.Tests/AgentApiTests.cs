using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

/// <summary>The agent API: sign-in, status, offers, accept and complete, and the routing order agents see.</summary>
public sealed class AgentApiTests
{
    [Theory]
    [InlineData("maria", "wrong-password")]
    [InlineData("nobody", "password-nobody")]
    public async Task SignIn_WrongCredentials_Returns401Problem(string agentId, string password)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var client = server.CreateClient();

        using var response = await client.PostAsJsonAsync("/api/v1/agent/sign-in",
            new { companyCode = scenario.CompanyCode, environment = scenario.Environment, agentId, password });

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.DoesNotContain(password, problem.ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/api/v1/agent/work", null)]
    [InlineData("PUT", "/api/v1/agent/status", null)]
    [InlineData("POST", "/api/v1/agent/offers/1/accept", null)]
    [InlineData("POST", "/api/v1/agent/emails/1/complete", null)]
    [InlineData("GET", "/api/v1/agent/work", "not-a-valid-agent-token")]
    [InlineData("GET", "/api/v1/agent/work", TestServer.AdminToken)]
    public async Task AgentApi_MissingOrInvalidToken_Returns401Problem(string method, string path, string? token)
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method != "GET")
        {
            request.Content = JsonContent.Create(new { status = "Available" });
        }

        using var response = await client.SendAsync(request);

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains("sign-in", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Missed")]
    [InlineData("available")]
    [InlineData("1")]
    [InlineData("Busy")]
    public async Task Status_NotChoosable_Returns400(string status)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");

        using var response = await agent.PutAsJsonAsync("/api/v1/agent/status", new { status });

        var message = await IngestAssert.ValidationProblemAsync(response, "status");
        Assert.Contains(status, message, StringComparison.Ordinal);
        Assert.Equal("Offline", (await agent.GetWorkAsync())["status"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("away", "Away")]
    [InlineData("AVAILABLE", "Available")]
    [InlineData("offline", "Offline")]
    public async Task Status_WrongCase_NamesCaseSensitivity(string status, string expected)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");

        using var response = await agent.PutAsJsonAsync("/api/v1/agent/status", new { status });

        var message = await IngestAssert.ValidationProblemAsync(response, "status");
        Assert.Contains("case-sensitive", message, StringComparison.Ordinal);
        Assert.Contains($"Send \"{expected}\".", message, StringComparison.Ordinal);
        Assert.Contains("\"Available\", \"Away\" or \"Offline\"", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missed")]
    [InlineData("Busy")]
    public async Task Status_UnknownName_ListsExactValues(string status)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");

        using var response = await agent.PutAsJsonAsync("/api/v1/agent/status", new { status });

        var message = await IngestAssert.ValidationProblemAsync(response, "status");
        Assert.Contains(
            "Send \"Available\", \"Away\" or \"Offline\", which are case-sensitive.", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Send \"Missed\"", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_Missing_Rejected()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");

        using var response = await agent.PutAsJsonAsync("/api/v1/agent/status", new { reason = (string?)null });

        var message = await IngestAssert.ValidationProblemAsync(response, "status");
        Assert.Contains("status is missing.", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_Away_WithdrawsOfferToQueuedInPlace()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("away-1"));
        var queued = await scenario.FindEmailAsync("away-1");
        await agent.SetStatusAsync("Available");
        await agent.WaitForOfferOfAsync("away-1");

        await agent.SetStatusAsync("Away");

        var work = await agent.GetWorkAsync();
        var email = await scenario.FindEmailAsync("away-1");
        Assert.Equal("Away", work["status"]!.GetValue<string>());
        Assert.Empty(AgentApi.Offers(work));
        Assert.Equal("Queued", email!["state"]!.GetValue<string>());
        Assert.Null(email["agentId"]);
        Assert.Equal(queued!["enqueuedAt"]!.GetValue<DateTimeOffset>(), email["enqueuedAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(queued["priority"]!.GetValue<int>(), email["priority"]!.GetValue<int>());
        Assert.Equal(queued["attributes"]!.ToJsonString(), email["attributes"]!.ToJsonString());
        Assert.Equal(["Received", "Offered", "OfferWithdrawn"], Events(email));
        Assert.Equal(1, (await scenario.GetQueueStatsAsync())["waiting"]!.GetValue<int>());
    }

    [Fact]
    public async Task Accept_OtherAgentsOffer_Returns404()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        await scenario.PutAgentAsync("ana");
        using var maria = await scenario.SignInAsync("maria");
        using var ana = await scenario.SignInAsync("ana");
        await scenario.IngestAcceptedAsync(scenario.Item("mine-1"));
        await maria.SetStatusAsync("Available");
        var offer = await maria.WaitForOfferOfAsync("mine-1");

        using var response = await ana.PostAsync($"/api/v1/agent/offers/{AgentApi.OfferIdOf(offer)}/accept", null);

        await IngestAssert.ProblemAsync(response, HttpStatusCode.NotFound);
        var email = await scenario.FindEmailAsync("mine-1");
        Assert.Equal("Offered", email!["state"]!.GetValue<string>());
        Assert.Equal("maria", email["agentId"]!.GetValue<string>());
        Assert.Single(AgentApi.Offers(await maria.GetWorkAsync()));
    }

    [Fact]
    public async Task Accept_Twice_Returns200AndOneAcceptedEvent()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("accept-1"));
        await agent.SetStatusAsync("Available");
        var offer = await agent.WaitForOfferOfAsync("accept-1");
        var path = $"/api/v1/agent/offers/{AgentApi.OfferIdOf(offer)}/accept";

        using var first = await agent.PostAsync(path, null);
        using var second = await agent.PostAsync(path, null);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var work = (await second.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Empty(AgentApi.Offers(work));
        Assert.Equal("accept-1", Assert.Single(AgentApi.Emails(work))["entityId"]!.GetValue<string>());
        var email = await scenario.FindEmailAsync("accept-1");
        Assert.Equal("Active", email!["state"]!.GetValue<string>());
        Assert.Single(Events(email), type => type == "Accepted");
    }

    [Fact]
    public async Task Complete_OfferedEmail_Returns409()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("early-1"));
        await agent.SetStatusAsync("Available");
        var offer = await agent.WaitForOfferOfAsync("early-1");

        using var response = await agent.PostAsJsonAsync(
            $"/api/v1/agent/emails/{AgentApi.EmailIdOf(offer)}/complete", new { workCode = "Resolved" });

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Contains("Offered", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Offered", (await scenario.FindEmailAsync("early-1"))!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Complete_OtherAgentsEmail_Returns404()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        await scenario.PutAgentAsync("ana");
        using var maria = await scenario.SignInAsync("maria");
        using var ana = await scenario.SignInAsync("ana");
        await scenario.IngestAcceptedAsync(scenario.Item("mine-1"));
        await maria.SetStatusAsync("Available");
        var offer = await maria.WaitForOfferOfAsync("mine-1");
        await maria.AcceptAsync(offer);

        using var response = await ana.PostAsJsonAsync(
            $"/api/v1/agent/emails/{AgentApi.EmailIdOf(offer)}/complete", new { workCode = "Resolved" });

        await IngestAssert.ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("Active", (await scenario.FindEmailAsync("mine-1"))!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Complete_FreesCapacity_OffersNextEmail()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("next-1"), scenario.Item("next-2"));
        await agent.SetStatusAsync("Available");
        var first = await agent.WaitForOfferOfAsync("next-1");
        await agent.AcceptAsync(first);
        Assert.Equal(1, (await scenario.GetQueueStatsAsync())["waiting"]!.GetValue<int>());

        await agent.CompleteAsync(first);

        await agent.WaitForOfferOfAsync("next-2");
        var completed = await scenario.FindEmailAsync("next-1");
        Assert.Equal("Completed", completed!["state"]!.GetValue<string>());
        Assert.Empty(AgentApi.Emails(await agent.GetWorkAsync()));
    }

    [Fact]
    public async Task Routing_HigherPriorityFirst_ThenOldest()
    {
        var time = new FakeTimeProvider();
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("routed-email-configurations/USPartsVip", new { skillQueue = "Parts", priority = 5 });
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("low-old"));
        time.Advance(TimeSpan.FromSeconds(1));
        await scenario.IngestAcceptedAsync(scenario.Item("low-new"));
        time.Advance(TimeSpan.FromSeconds(1));
        await scenario.IngestAcceptedAsync(scenario.Item("vip", ownerId: "USPartsVip"));

        await agent.SetStatusAsync("Available");

        var order = new List<string>();
        foreach (var expected in new[] { "vip", "low-old", "low-new" })
        {
            var offer = await agent.WaitForOfferOfAsync(expected);
            order.Add(AgentApi.EntityIdOf(offer));
            await agent.AcceptAndCompleteAsync(offer);
        }

        Assert.Equal(["vip", "low-old", "low-new"], order);
        Assert.Equal(5, (await scenario.FindEmailAsync("vip"))!["priority"]!.GetValue<int>());
    }

    [Fact]
    public async Task Routing_MaxTwoConcurrent_ReceivesTwoOffers()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria", maxConcurrentEmails: 2);
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("two-1"), scenario.Item("two-2"), scenario.Item("two-3"));

        await agent.SetStatusAsync("Available");

        var offers = await agent.WaitForOffersAsync(2);
        Assert.Equal(["two-1", "two-2"], offers.Select(AgentApi.EntityIdOf));
        var stats = await scenario.GetQueueStatsAsync();
        Assert.Equal(2, stats["offered"]!.GetValue<int>());
        Assert.Equal(1, stats["waiting"]!.GetValue<int>());
    }

    [Fact]
    public async Task Accept_CanceledOffer_Returns409()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("gone-1"));
        await agent.SetStatusAsync("Available");
        var offer = await agent.WaitForOfferOfAsync("gone-1");
        await scenario.CancelAsync("gone-1");

        using var response = await agent.PostAsync($"/api/v1/agent/offers/{AgentApi.OfferIdOf(offer)}/accept", null);

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Contains("Withdrawn", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Canceled", (await scenario.FindEmailAsync("gone-1"))!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Complete_CanceledEmail_Returns409()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("gone-1"));
        await agent.SetStatusAsync("Available");
        var offer = await agent.WaitForOfferOfAsync("gone-1");
        await agent.AcceptAsync(offer);
        await scenario.CancelAsync("gone-1");

        using var response = await agent.PostAsJsonAsync(
            $"/api/v1/agent/emails/{AgentApi.EmailIdOf(offer)}/complete", new { workCode = "Resolved" });

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Contains("Canceled", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Canceled", (await scenario.FindEmailAsync("gone-1"))!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Routing_AgentWithoutQueue_GetsNoOffer()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Billing", new { });
        await scenario.PutAsync("agents/ana", new
        {
            password = "password-ana", skillQueues = new[] { new { name = "Billing", rank = 1 } },
        });
        await scenario.PutAgentAsync("maria");
        using var ana = await scenario.SignInAsync("ana");
        using var maria = await scenario.SignInAsync("maria");
        await ana.SetStatusAsync("Available");
        await scenario.IngestAcceptedAsync(scenario.Item("parts-1"));

        await maria.SetStatusAsync("Available");

        await maria.WaitForOfferOfAsync("parts-1");
        Assert.Empty(AgentApi.Offers(await ana.GetWorkAsync()));
    }

    [Fact]
    public async Task Routing_TwoAgents_LongestIdleFirst()
    {
        var time = new FakeTimeProvider();
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("ana");
        await scenario.PutAgentAsync("maria");
        using var ana = await scenario.SignInAsync("ana");
        using var maria = await scenario.SignInAsync("maria");
        await maria.SetStatusAsync("Available");
        time.Advance(TimeSpan.FromSeconds(10));
        await ana.SetStatusAsync("Available");

        await scenario.IngestAcceptedAsync(scenario.Item("idle-1"));

        await maria.WaitForOfferOfAsync("idle-1");
        Assert.Empty(AgentApi.Offers(await ana.GetWorkAsync()));
    }

    [Fact]
    public async Task Routing_NewEmail_PrefersAgentRankingQueueBest()
    {
        var time = new FakeTimeProvider();
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Billing", new { });
        await scenario.PutAsync("agents/ana", new
        {
            password = "password-ana",
            skillQueues = new[] { new { name = "Billing", rank = 1 }, new { name = "Parts", rank = 2 } },
        });
        await scenario.PutAgentAsync("maria");
        using var ana = await scenario.SignInAsync("ana");
        using var maria = await scenario.SignInAsync("maria");
        await ana.SetStatusAsync("Available");
        time.Advance(TimeSpan.FromSeconds(10));
        await maria.SetStatusAsync("Available");

        await scenario.IngestAcceptedAsync(scenario.Item("parts-1"));

        // Both can take it and ana has been idle longer, but maria ranks Parts 1 and ana ranks it 2.
        await maria.WaitForOfferOfAsync("parts-1");
        Assert.Empty(AgentApi.Offers(await ana.GetWorkAsync()));
    }

    private static string[] Events(JsonObject email) =>
        [.. email["history"]!.AsArray().Select(entry => entry!["event"]!.GetValue<string>())];
}

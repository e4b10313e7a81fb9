using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

public sealed class ExplanationTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Explanation_OfflineAgent_PositionAndReason()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"), scenario.Item("e-2"));

        var explanation = await ExplainAsync(scenario, "e-2");

        Assert.Equal("Queued", explanation["state"]!.GetValue<string>());
        Assert.Equal(2, explanation["position"]!.GetValue<int>());
        Assert.Equal(2, explanation["queueSize"]!.GetValue<int>());
        var line = SingleAgent(explanation);
        Assert.Equal("maria", line["agentId"]!.GetValue<string>());
        Assert.Equal("Offline", line["status"]!.GetValue<string>());
        Assert.Equal("Offline", line["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Explanation_AwayAgent_Away()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await agent.SetStatusAsync("Away");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));

        var line = SingleAgent(await ExplainAsync(scenario, "e-1"));

        Assert.Equal("Away", line["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Explanation_ExpiredOffer_Missed()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await agent.SetStatusAsync("Available");
        await agent.WaitForOfferOfAsync("e-1");

        time.Advance(TimeSpan.FromSeconds(60));
        await agent.WaitForWorkAsync(work => work["status"]!.GetValue<string>() == "Missed", "status Missed");

        var line = SingleAgent(await ExplainAsync(scenario, "e-1"));
        Assert.Equal("Missed", line["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Explanation_AgentAtMaximum_AtCapacity()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"), scenario.Item("e-2"));
        await agent.SetStatusAsync("Available");
        await agent.WaitForOfferOfAsync("e-1");

        var explanation = await ExplainAsync(scenario, "e-2");

        Assert.Equal(1, explanation["position"]!.GetValue<int>());
        var line = SingleAgent(explanation);
        Assert.Equal("AtCapacity", line["reason"]!.GetValue<string>());
        Assert.Equal("At capacity: 1 of 1 emails.", line["detail"]!.GetValue<string>());
        Assert.Equal(1, line["emailsHeld"]!.GetValue<int>());
    }

    [Fact]
    public async Task Explanation_DeclinedEmail_SkippedUntil()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria", maxConcurrentEmails: 2);
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await agent.SetStatusAsync("Available");
        var offer = await agent.WaitForOfferOfAsync("e-1");
        time.Advance(TimeSpan.FromSeconds(10));
        await DeclineTests.DeclineAsync(agent, offer);

        var line = SingleAgent(await ExplainAsync(scenario, "e-1"));

        Assert.Equal("Skipped", line["reason"]!.GetValue<string>());
        Assert.Equal(Start.AddSeconds(310), line["skippedUntil"]!.GetValue<DateTimeOffset>());
        Assert.Contains("declining", line["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explanation_BetterRankedQueueWaiting_NamesQueue()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/VIP", new { });
        await scenario.PutAsync("routed-email-configurations/Vip", new { skillQueue = "VIP" });
        await scenario.PutAsync("agents/maria", new
        {
            password = "password-maria",
            skillQueues = new[] { new { name = "VIP", rank = 1 }, new { name = "Parts", rank = 2 } },
        });
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(
            scenario.Item("v-1", "Vip"), scenario.Item("v-2", "Vip"), scenario.Item("p-1"));
        await agent.SetStatusAsync("Available");
        await agent.WaitForOfferOfAsync("v-1");

        var line = SingleAgent(await ExplainAsync(scenario, "p-1"));

        Assert.Equal("ServingBetterQueue", line["reason"]!.GetValue<string>());
        Assert.Equal("VIP", line["betterQueue"]!.GetValue<string>());
        Assert.Equal(2, line["rank"]!.GetValue<int>());
    }

    [Fact]
    public async Task Explanation_OfferedEmail_ChosenWithRecordedInputs()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await agent.SetStatusAsync("Available");
        time.Advance(TimeSpan.FromSeconds(5));
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await agent.WaitForOfferOfAsync("e-1");

        var explanation = await ExplainAsync(scenario, "e-1");

        Assert.Equal("Offered", explanation["state"]!.GetValue<string>());
        Assert.Empty(explanation["agents"]!.AsArray());
        var chosen = explanation["chosen"]!;
        Assert.Equal("maria", chosen["agentId"]!.GetValue<string>());
        Assert.Equal(1, chosen["rank"]!.GetValue<int>());
        Assert.Equal(0, chosen["emailsHeld"]!.GetValue<int>());
        Assert.Equal(Start, chosen["idleSince"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task Explanation_CanceledEmail_StateAndHistoryPointer()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await scenario.CancelAsync("e-1");

        var explanation = await ExplainAsync(scenario, "e-1");

        Assert.Equal("Canceled", explanation["state"]!.GetValue<string>());
        Assert.Contains("history", explanation["summary"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(explanation["position"]);
        Assert.Null(explanation["chosen"]);
    }

    [Fact]
    public async Task Explanation_QueryForm_ReachesSlashEntityId()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        await scenario.IngestAcceptedAsync(scenario.Item("a/b"));

        using var response = await SendAsync(scenario, "/api/v1/routed-emails/explanation?entityId=a%2Fb");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var explanation = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("a/b", explanation["entityId"]!.GetValue<string>());
        Assert.Contains("No agent", explanation["summary"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explanation_PathWithEncodedSlash_ReadsEntityId()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        await scenario.IngestAcceptedAsync(scenario.Item("a/b"));

        var explanation = await ExplainAsync(scenario, "a/b");

        Assert.Equal("a/b", explanation["entityId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Explanation_EntityNamedExplanation_LookUpStillWorks()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        await scenario.IngestAcceptedAsync(scenario.Item("explanation"));

        var email = await scenario.FindEmailAsync("explanation");

        Assert.NotNull(email);
        Assert.Equal("explanation", email["entityId"]!.GetValue<string>());
        Assert.NotNull(email["history"]);
    }

    [Fact]
    public async Task Explanation_UnknownEntityId_NotFound()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);

        using var response = await SendAsync(scenario, "/api/v1/routed-emails/missing/explanation");

        await IngestAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Explanation_WrongApiKey_Unauthorized()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));

        using var response = await SendAsync(scenario, "/api/v1/routed-emails/e-1/explanation",
            request =>
            {
                request.Headers.Remove("X-sc-company-api-key");
                request.Headers.Add("X-sc-company-api-key", "wrong-key");
            });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Explanation_AdminPath_SameAnswer()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));

        var explanation = await server.Admin.GetFromJsonAsync<JsonObject>(
            $"{scenario.TenantPath}/routed-emails/e-1/explanation");

        Assert.Equal(1, explanation!["position"]!.GetValue<int>());
        Assert.Equal("Offline", SingleAgent(explanation)["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Explanation_AdminPathUnknownId_NamesPath()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);

        using var response = await server.Admin.GetAsync($"{scenario.TenantPath}/routed-emails/missing/explanation");

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.NotFound);
        var detail = problem["detail"]!.GetValue<string>();
        Assert.Contains("entityId \"missing\"", detail, StringComparison.Ordinal);
        Assert.Contains("in the request path", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("X-sc-company", detail, StringComparison.Ordinal);
    }

    internal static async Task<JsonObject> ExplainAsync(Scenario scenario, string entityId)
    {
        using var response = await SendAsync(
            scenario, $"/api/v1/routed-emails/{Uri.EscapeDataString(entityId)}/explanation");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Explanation failed: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private static async Task<HttpResponseMessage> SendAsync(
        Scenario scenario, string path, Action<HttpRequestMessage>? change = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        scenario.AddIntegratorHeaders(request);
        change?.Invoke(request);
        using var client = scenario.Server.CreateClient();
        return await client.SendAsync(request);
    }

    private static JsonObject SingleAgent(JsonObject explanation) =>
        Assert.Single(explanation["agents"]!.AsArray())!.AsObject();
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

public sealed class DeclineTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// How long a check that no offer appears waits first: routing runs in the background, so an offer that the
    /// rules forbid would appear within this time on a loaded machine.
    /// </summary>
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task Decline_PendingOffer_EmailBackAtOriginalPlace()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("routed-email-configurations/USPartsSpanish", new { skillQueue = "Parts", priority = 7 });
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        var item = scenario.Item("e-1");
        item["attributes"] = new JsonArray(new JsonObject { ["key"] = "CustomerId", ["value"] = "42" });
        await scenario.IngestAcceptedAsync(item);
        await agent.SetStatusAsync("Available");
        var offer = await agent.WaitForOfferOfAsync("e-1");
        time.Advance(TimeSpan.FromSeconds(10));

        using var response = await agent.PostAsync($"/api/v1/agent/offers/{AgentApi.OfferIdOf(offer)}/decline", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var work = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Empty(work["offers"]!.AsArray());
        var email = (await scenario.FindEmailAsync("e-1"))!;
        Assert.Equal("Queued", email["state"]!.GetValue<string>());
        Assert.Equal(Start, email["enqueuedAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(7, email["priority"]!.GetValue<int>());
        Assert.Equal("42", email["attributes"]![0]!["value"]!.GetValue<string>());
        Assert.Null(email["agentId"]);
        Assert.Equal(1, email["declineCount"]!.GetValue<int>());
        Assert.Equal(0, email["expiryCount"]!.GetValue<int>());
        Assert.Equal("OfferDeclined", email["history"]!.AsArray()[^1]!["event"]!.GetValue<string>());
    }

    [Fact]
    public async Task Decline_TwoAgents_OtherAgentGetsEmail()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        await scenario.PutAgentAsync("bob");
        using var maria = await scenario.SignInAsync("maria");
        using var bob = await scenario.SignInAsync("bob");
        await maria.SetStatusAsync("Available");
        time.Advance(TimeSpan.FromSeconds(1));
        await bob.SetStatusAsync("Available");

        // Maria has been idle longest, so she gets the email first and would get it again without the skip rule.
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        var offer = await maria.WaitForOfferOfAsync("e-1");
        await DeclineAsync(maria, offer);

        await bob.WaitForOfferOfAsync("e-1");
        await AssertNoOfferAsync(maria);
    }

    [Fact]
    public async Task Decline_OnlyAgent_OfferedAgainAfterSkip()
    {
        var time = new FakeTimeProvider(Start);
        var settings = new Dictionary<string, string> { ["Routing:DeclineSkipSeconds"] = "120" };
        await using var server = await TestServer.StartAsync(time: time, settings: settings);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        time.Advance(TimeSpan.FromSeconds(1));
        await scenario.IngestAcceptedAsync(scenario.Item("e-2"));
        await agent.SetStatusAsync("Available");
        await DeclineAsync(agent, await agent.WaitForOfferOfAsync("e-1"));

        await agent.AcceptAndCompleteAsync(await agent.WaitForOfferOfAsync("e-2"));
        time.Advance(TimeSpan.FromSeconds(119));
        await AssertNoOfferAsync(agent);
        time.Advance(TimeSpan.FromSeconds(1));

        await agent.WaitForOfferOfAsync("e-1");
    }

    [Fact]
    public async Task Decline_SkipZero_OfferedAgainAtOnce()
    {
        var settings = new Dictionary<string, string> { ["Routing:DeclineSkipSeconds"] = "0" };
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start), settings: settings);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await agent.SetStatusAsync("Available");
        var first = await agent.WaitForOfferOfAsync("e-1");

        await DeclineAsync(agent, first);

        var second = await agent.WaitForOfferOfAsync("e-1");
        Assert.NotEqual(AgentApi.OfferIdOf(first), AgentApi.OfferIdOf(second));
    }

    [Theory]
    [InlineData(false, "Declined")]
    [InlineData(true, "Accepted")]
    public async Task Decline_OfferNotPending_ConflictNamesState(bool acceptFirst, string state)
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await agent.SetStatusAsync("Available");
        var offer = await agent.WaitForOfferOfAsync("e-1");
        if (acceptFirst)
        {
            await agent.AcceptAsync(offer);
        }
        else
        {
            await DeclineAsync(agent, offer);
        }

        using var response = await agent.PostAsync($"/api/v1/agent/offers/{AgentApi.OfferIdOf(offer)}/decline", null);

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Contains(state, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decline_AfterDeadline_ConflictNamesExpiredAndCounts()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await agent.SetStatusAsync("Available");
        var offer = await agent.WaitForOfferOfAsync("e-1");
        time.Advance(TimeSpan.FromSeconds(60));

        using var response = await agent.PostAsync($"/api/v1/agent/offers/{AgentApi.OfferIdOf(offer)}/decline", null);

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Contains("Expired", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var email = (await scenario.FindEmailAsync("e-1"))!;
        Assert.Equal(1, email["expiryCount"]!.GetValue<int>());
        Assert.Equal(0, email["declineCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task Decline_OtherAgentsOffer_NotFound()
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

        using var response = await bob.PostAsync($"/api/v1/agent/offers/{AgentApi.OfferIdOf(offer)}/decline", null);

        await IngestAssert.ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Single(AgentApi.Offers(await maria.GetWorkAsync()));
    }

    internal static async Task DeclineAsync(HttpClient agent, JsonObject offer)
    {
        using var response = await agent.PostAsync($"/api/v1/agent/offers/{AgentApi.OfferIdOf(offer)}/decline", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Decline failed: {(int)response.StatusCode} {body}");
    }

    /// <summary>Waits <see cref="QuietPeriod"/> of real time and checks that the agent has no pending offer.</summary>
    internal static async Task AssertNoOfferAsync(HttpClient agent)
    {
        await Task.Delay(QuietPeriod);
        var work = await agent.GetWorkAsync();
        Assert.True(AgentApi.Offers(work).Length == 0, $"Expected no offer. Work: {work.ToJsonString()}");
    }
}

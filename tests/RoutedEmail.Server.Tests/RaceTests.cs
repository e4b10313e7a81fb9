using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

/// <summary>
/// Rounds of two conflicting requests sent at the same moment against the real server. Each round offers one new
/// email to one agent with a maximum of 1, races two actions on it, checks the outcome, and frees the agent again,
/// so the next round's offer also proves that the agent's capacity was restored. The environment variable
/// <c>ROUTED_EMAIL_RACE_ROUNDS</c> sets the rounds per test (default 50).
/// </summary>
public sealed class RaceTests
{
    private const int DefaultRounds = 50;

    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(10);

    private static int Rounds
    {
        get
        {
            var text = System.Environment.GetEnvironmentVariable("ROUTED_EMAIL_RACE_ROUNDS");
            if (string.IsNullOrEmpty(text))
            {
                return DefaultRounds;
            }

            var valid = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var rounds);
            var message =
                $"ROUTED_EMAIL_RACE_ROUNDS is \"{text}\", which is invalid. Set it to a positive whole number or unset it.";
            Assert.True(valid, message);
            Assert.True(rounds > 0, message);
            return rounds;
        }
    }

    [Fact]
    public async Task Race_AcceptAndAccept_OneAcceptedEvent()
    {
        var (server, scenario, agent) = await StartAsync();
        await using var _ = server;
        using var disposeAgent = agent;

        for (var round = 0; round < Rounds; round++)
        {
            var entityId = $"accept-accept-{round}";
            var offer = await OfferAsync(scenario, agent, entityId);
            var acceptPath = AcceptPath(offer);

            var (first, second) = await RaceAsync(
                () => agent.PostAsync(acceptPath, null), () => agent.PostAsync(acceptPath, null));

            var context = $"round {round}: accept {(int)first} and accept {(int)second}";
            AssertNoServerError(first, context);
            AssertNoServerError(second, context);
            Assert.True(first == HttpStatusCode.OK || second == HttpStatusCode.OK, $"No accept succeeded in {context}.");
            Assert.Contains(first, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict });
            Assert.Contains(second, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict });
            var email = (await scenario.FindEmailAsync(entityId))!;
            Assert.Equal("Active", StateOf(email));
            Assert.Equal(1, CountEvents(email, "Accepted"));
            await agent.CompleteAsync(offer);
            await AssertAgentFreeAsync(scenario, agent, context);
        }
    }

    [Fact]
    public async Task Race_AcceptAndDecline_ExactlyOneWins()
    {
        var (server, scenario, agent) = await StartAsync(declineSkipSeconds: 0);
        await using var _ = server;
        using var disposeAgent = agent;

        for (var round = 0; round < Rounds; round++)
        {
            var entityId = $"accept-decline-{round}";
            var offer = await OfferAsync(scenario, agent, entityId);

            var (accept, decline) = await RaceAsync(
                () => agent.PostAsync(AcceptPath(offer), null),
                () => agent.PostAsync($"/api/v1/agent/offers/{AgentApi.OfferIdOf(offer)}/decline", null));

            var context = $"round {round}: accept {(int)accept} and decline {(int)decline}";
            AssertNoServerError(accept, context);
            AssertNoServerError(decline, context);
            Assert.True((accept == HttpStatusCode.OK) != (decline == HttpStatusCode.OK),
                $"Expected exactly one of accept and decline to succeed in {context}.");
            Assert.Contains(accept, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict });
            Assert.Contains(decline, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict });
            var email = (await scenario.FindEmailAsync(entityId))!;
            Assert.Equal(accept == HttpStatusCode.OK ? 1 : 0, CountEvents(email, "Accepted"));
            Assert.Equal(decline == HttpStatusCode.OK ? 1 : 0, CountEvents(email, "OfferDeclined"));
            if (accept == HttpStatusCode.OK)
            {
                Assert.Equal("Active", StateOf(email));
            }

            // With the skip rule off, a declined email may be offered to the agent again, and the cancel frees it either way.
            await scenario.CancelAsync(entityId);
            await AssertAgentFreeAsync(scenario, agent, context);
        }
    }

    [Fact]
    public async Task Race_CancelAndAccept_CapacityFreed()
    {
        var (server, scenario, agent) = await StartAsync();
        await using var _ = server;
        using var disposeAgent = agent;

        for (var round = 0; round < Rounds; round++)
        {
            var entityId = $"cancel-accept-{round}";
            var offer = await OfferAsync(scenario, agent, entityId);

            var (cancel, accept) = await RaceAsync(
                () => scenario.SendIntegratorAsync(HttpMethod.Delete, entityId),
                () => agent.PostAsync(AcceptPath(offer), null));

            // The cancel succeeds in any open state, so the accept wins only by coming first, and then the cancel
            // ends the active email.
            var context = $"round {round}: cancel {(int)cancel} and accept {(int)accept}";
            AssertNoServerError(cancel, context);
            AssertNoServerError(accept, context);
            Assert.Equal(HttpStatusCode.OK, cancel);
            Assert.Contains(accept, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict });
            var email = (await scenario.FindEmailAsync(entityId))!;
            Assert.Equal("Canceled", StateOf(email));
            Assert.Equal(1, CountEvents(email, "Canceled"));
            Assert.Equal(accept == HttpStatusCode.OK ? 1 : 0, CountEvents(email, "Accepted"));
            await AssertAgentFreeAsync(scenario, agent, context);
        }
    }

    [Fact]
    public async Task Race_HubAcceptAndAccept_OneAcceptedEvent()
    {
        var (server, scenario, agent) = await StartAsync();
        await using var _ = server;
        using var disposeAgent = agent;

        // Two connections, because one connection runs its hub invocations one at a time.
        var (firstHub, _) = await HubTestClient.ConnectAsync(server, agent);
        await using var disposeFirst = firstHub;
        var (secondHub, _) = await HubTestClient.ConnectAsync(server, agent);
        await using var disposeSecond = secondHub;

        for (var round = 0; round < Rounds; round++)
        {
            var entityId = $"hub-accept-{round}";
            var offerId = AgentApi.OfferIdOf(await OfferAsync(scenario, agent, entityId));

            var results = await Task.WhenAll(
                Task.Run(() => HubAcceptAsync(firstHub, offerId)), Task.Run(() => HubAcceptAsync(secondHub, offerId)));

            var context = $"round {round}: hub accepts returned [{string.Join("], [", results)}]";
            Assert.True(results.Contains("ok"), $"No accept succeeded in {context}.");
            Assert.All(results, result => Assert.True(
                result == "ok" || result.StartsWith($"Offer {offerId} is", StringComparison.Ordinal),
                $"Unexpected hub result in {context}."));
            var email = (await scenario.FindEmailAsync(entityId))!;
            Assert.Equal("Active", StateOf(email));
            Assert.Equal(1, CountEvents(email, "Accepted"));
            await agent.CompleteAsync(await OfferOfActiveAsync(agent, entityId));
            await AssertAgentFreeAsync(scenario, agent, context);
        }
    }

    private static async Task<(TestServer Server, Scenario Scenario, HttpClient Agent)> StartAsync(
        int? declineSkipSeconds = null)
    {
        var settings = new Dictionary<string, string>();
        if (declineSkipSeconds is { } seconds)
        {
            settings["Routing:DeclineSkipSeconds"] = seconds.ToString(CultureInfo.InvariantCulture);
        }

        var server = await TestServer.StartAsync(settings: settings);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        var agent = await scenario.SignInAsync("maria");
        await agent.SetStatusAsync("Available");
        return (server, scenario, agent);
    }

    private static async Task<JsonObject> OfferAsync(Scenario scenario, HttpClient agent, string entityId)
    {
        await scenario.IngestAcceptedAsync(scenario.Item(entityId));
        return await agent.WaitForOfferOfAsync(entityId);
    }

    /// <summary>Starts both requests together after both tasks are ready, and returns their status codes.</summary>
    private static async Task<(HttpStatusCode First, HttpStatusCode Second)> RaceAsync(
        Func<Task<HttpResponseMessage>> first, Func<Task<HttpResponseMessage>> second)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstTask = Task.Run(async () => { await gate.Task; return await first(); });
        var secondTask = Task.Run(async () => { await gate.Task; return await second(); });
        gate.SetResult();
        using var firstResponse = await firstTask;
        using var secondResponse = await secondTask;
        return (firstResponse.StatusCode, secondResponse.StatusCode);
    }

    /// <summary>Calls the hub's Accept and returns "ok", or the hub error's message.</summary>
    private static async Task<string> HubAcceptAsync(HubTestClient hub, long offerId)
    {
        try
        {
            await hub.Connection.InvokeAsync<JsonObject>("Accept", offerId);
            return "ok";
        }
        catch (HubException exception)
        {
            return exception.Message;
        }
    }

    private static async Task<JsonObject> OfferOfActiveAsync(HttpClient agent, string entityId)
    {
        var work = await agent.GetWorkAsync();
        var email = AgentApi.Emails(work).Single(email => email["entityId"]!.GetValue<string>() == entityId);
        return new JsonObject { ["email"] = email.DeepClone() };
    }

    private static string AcceptPath(JsonObject offer) =>
        $"/api/v1/agent/offers/{AgentApi.OfferIdOf(offer)}/accept";

    private static void AssertNoServerError(HttpStatusCode status, string context) =>
        Assert.True((int)status < 500, $"Server error in {context}.");

    private static string StateOf(JsonObject email) => email["state"]!.GetValue<string>();

    private static int CountEvents(JsonObject email, string name) =>
        email["history"]!.AsArray().Count(entry => entry!["event"]!.GetValue<string>() == name);

    /// <summary>
    /// Waits until the agent has no offer and no email and the queue shows nothing offered or active, so no
    /// slot is left reserved by the round.
    /// </summary>
    private static async Task AssertAgentFreeAsync(Scenario scenario, HttpClient agent, string context)
    {
        await agent.WaitForWorkAsync(
            work => AgentApi.Offers(work).Length == 0 && AgentApi.Emails(work).Length == 0,
            $"no offers and no emails after {context}");
        using var timeout = new CancellationTokenSource(CleanupTimeout);
        var stats = await scenario.GetQueueStatsAsync();
        while (stats["offered"]!.GetValue<int>() + stats["active"]!.GetValue<int>() > 0)
        {
            Assert.False(timeout.IsCancellationRequested, $"Queue still shows {stats.ToJsonString()} after {context}.");
            await Task.Delay(20, CancellationToken.None);
            stats = await scenario.GetQueueStatsAsync();
        }

        Assert.Equal("Available", (await agent.GetWorkAsync())["status"]!.GetValue<string>());
    }
}

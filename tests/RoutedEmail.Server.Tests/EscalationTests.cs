using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

public sealed class EscalationTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan EscalationTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task RaisePriority_OldEmail_OfferedFirst()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Parts", new { escalation = new { afterSeconds = 60, raisePriorityBy = 10 } });
        await scenario.PutAsync("routed-email-configurations/Urgent", new { skillQueue = "Parts", priority = 5 });
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("old"));
        time.Advance(TimeSpan.FromSeconds(30));
        await scenario.IngestAcceptedAsync(scenario.Item("urgent", "Urgent"));
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(0, (await scenario.FindEmailAsync("old"))!["priority"]!.GetValue<int>());

        time.Advance(TimeSpan.FromSeconds(1));

        var escalated = await WaitForPriorityAsync(scenario, "old", 10);
        Assert.Equal(Start.AddSeconds(60), escalated["escalatedAt"]!.GetValue<DateTimeOffset>());
        Assert.Null(escalated["overflowQueue"]);
        Assert.Equal(Start, escalated["enqueuedAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(5, (await scenario.FindEmailAsync("urgent"))!["priority"]!.GetValue<int>());
        await agent.SetStatusAsync("Available");
        await agent.WaitForOfferOfAsync("old");
        Assert.Equal(
            ["""Escalated {"queue":"Parts","previousPriority":0,"priority":10,"overflowQueue":null}"""],
            EventLog.ReadTypesAndDetails(server, "Escalated"));
    }

    [Fact]
    public async Task RaisePriority_AboveMaximum_StopsAt1000()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Parts", new { escalation = new { afterSeconds = 5, raisePriorityBy = 2000 } });
        await scenario.PutAsync("routed-email-configurations/USPartsSpanish", new { skillQueue = "Parts", priority = 990 });
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));

        time.Advance(TimeSpan.FromSeconds(5));

        await WaitForPriorityAsync(scenario, "e-1", 1000);
    }

    [Fact]
    public async Task OverflowQueue_Agent_GetsOfferWithOwnTimeout()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Billing", new { offerTimeoutSeconds = 300 });
        await scenario.PutAsync("skill-queues/Parts", new
        {
            offerTimeoutSeconds = 30,
            escalation = new { afterSeconds = 120, overflowQueue = "Billing" },
        });
        await scenario.PutAsync("agents/ana", new
        {
            password = "password-ana",
            skillQueues = new[] { new { name = "Billing", rank = 1 } },
        });
        using var ana = await scenario.SignInAsync("ana");
        await ana.SetStatusAsync("Available");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        time.Advance(TimeSpan.FromSeconds(119));
        await DeclineTests.AssertNoOfferAsync(ana);
        var waitingExplanation = await ExplanationTests.ExplainAsync(scenario, "e-1");
        Assert.Null(waitingExplanation["escalatedAt"]);

        time.Advance(TimeSpan.FromSeconds(1));

        var offer = await ana.WaitForOfferOfAsync("e-1");
        Assert.Equal(Start.AddSeconds(150), offer["expiresAt"]!.GetValue<DateTimeOffset>());
        var offeredExplanation = await ExplanationTests.ExplainAsync(scenario, "e-1");
        Assert.Equal("Billing", offeredExplanation["overflowQueue"]!.GetValue<string>());
        Assert.Equal(Start.AddSeconds(120), offeredExplanation["escalatedAt"]!.GetValue<DateTimeOffset>());
        var summary = offeredExplanation["summary"]!.GetValue<string>();
        Assert.Contains("ranks queue \"Billing\" 1", summary, StringComparison.Ordinal);
        Assert.Contains("agents of queue \"Billing\" may also take it", summary, StringComparison.Ordinal);
        var email = (await scenario.FindEmailAsync("e-1"))!;
        Assert.Equal("Parts", email["skillQueue"]!.GetValue<string>());
        Assert.Equal("Billing", email["overflowQueue"]!.GetValue<string>());
        Assert.Equal(0, email["priority"]!.GetValue<int>());
        await ana.AcceptAndCompleteAsync(offer);
        Assert.Equal("Completed", (await scenario.FindEmailAsync("e-1"))!["state"]!.GetValue<string>());
    }

    /// <summary>
    /// An escalated email waits in two lists at once, its own queue's and the overflow queue's. Offering it from one
    /// must take it out of the other, or a second agent would be offered the same email.
    /// </summary>
    [Fact]
    public async Task OverflowQueue_BothQueuesServed_OfferedOnce()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Billing", new { });
        await scenario.PutAsync("skill-queues/Parts", new { escalation = new { afterSeconds = 10, overflowQueue = "Billing" } });
        await scenario.PutAgentAsync("maria");
        await scenario.PutAsync("agents/ana", new
        {
            password = "password-ana",
            skillQueues = new[] { new { name = "Billing", rank = 1 } },
        });
        using var maria = await scenario.SignInAsync("maria");
        using var ana = await scenario.SignInAsync("ana");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        time.Advance(TimeSpan.FromSeconds(10));
        await WaitForEscalationAsync(scenario, "e-1");

        await maria.SetStatusAsync("Available");
        await ana.SetStatusAsync("Available");

        await maria.WaitForOfferOfAsync("e-1");
        await DeclineTests.AssertNoOfferAsync(ana);
    }

    [Fact]
    public async Task Explanation_OverflowQueue_ListsItsAgentsAndPlaces()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Billing", new { });
        await scenario.PutAsync("routed-email-configurations/BillingOwner", new { skillQueue = "Billing" });
        await scenario.PutAsync("skill-queues/Parts", new
        {
            escalation = new { afterSeconds = 10, raisePriorityBy = 15, overflowQueue = "Billing" },
        });
        await scenario.PutAgentAsync("maria");
        await PutAgentWithRanksAsync(scenario, "ana", ("Billing", 2));
        await PutAgentWithRanksAsync(scenario, "bob", ("Parts", 2), ("Billing", 1));
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        time.Advance(TimeSpan.FromSeconds(5));
        await scenario.IngestAcceptedAsync(scenario.Item("b-1", "BillingOwner"));
        Assert.Equal(1, (await ExplanationTests.ExplainAsync(scenario, "b-1"))["position"]!.GetValue<int>());

        time.Advance(TimeSpan.FromSeconds(5));
        await WaitForEscalationAsync(scenario, "e-1");

        var billingEmail = await ExplanationTests.ExplainAsync(scenario, "b-1");
        Assert.Equal(2, billingEmail["position"]!.GetValue<int>());
        Assert.Equal(2, billingEmail["queueSize"]!.GetValue<int>());
        Assert.StartsWith("Waiting in queue \"Billing\" at position 2 of 2.",
            billingEmail["summary"]!.GetValue<string>(), StringComparison.Ordinal);
        var escalated = await ExplanationTests.ExplainAsync(scenario, "e-1");
        Assert.Equal(1, escalated["position"]!.GetValue<int>());
        Assert.Equal(1, escalated["queueSize"]!.GetValue<int>());
        var lines = escalated["agents"]!.AsArray().Select(line => line!.AsObject()).ToList();
        Assert.Equal(["maria", "bob", "ana"], lines.Select(line => line["agentId"]!.GetValue<string>()));
        Assert.Equal(["Parts", "Billing", "Billing"], lines.Select(line => line["queue"]!.GetValue<string>()));
        Assert.Equal([1, 1, 2], lines.Select(line => line["rank"]!.GetValue<int>()));
        Assert.All(lines, line => Assert.Equal("Offline", line["reason"]!.GetValue<string>()));
        var summary = escalated["summary"]!.GetValue<string>();
        Assert.Contains("It is also in the list of queue \"Billing\", at position 1 of 2.", summary,
            StringComparison.Ordinal);
        Assert.EndsWith("Agents taking it through queue \"Billing\", by reason: Offline: 2.", summary,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explanation_OverflowAgentBetterQueue_OverflowRank()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Billing", new { });
        await scenario.PutAsync("skill-queues/VIP", new { });
        await scenario.PutAsync("routed-email-configurations/Vip", new { skillQueue = "VIP" });
        await scenario.PutAsync("skill-queues/Parts", new { escalation = new { afterSeconds = 10, overflowQueue = "Billing" } });
        await PutAgentWithRanksAsync(scenario, "ana", ("VIP", 1), ("Billing", 2));
        using var ana = await scenario.SignInAsync("ana");
        await ana.SetStatusAsync("Available");
        await scenario.IngestAcceptedAsync(scenario.Item("v-1", "Vip"), scenario.Item("v-2", "Vip"));
        await ana.WaitForOfferOfAsync("v-1");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));

        time.Advance(TimeSpan.FromSeconds(10));
        await WaitForEscalationAsync(scenario, "e-1");

        var explanation = await ExplanationTests.ExplainAsync(scenario, "e-1");
        var line = Assert.Single(explanation["agents"]!.AsArray())!.AsObject();
        Assert.Equal("ana", line["agentId"]!.GetValue<string>());
        Assert.Equal("Billing", line["queue"]!.GetValue<string>());
        Assert.Equal(2, line["rank"]!.GetValue<int>());
        Assert.Equal("ServingBetterQueue", line["reason"]!.GetValue<string>());
        Assert.Equal("VIP", line["betterQueue"]!.GetValue<string>());
        Assert.StartsWith("Serving queue \"VIP\" first: the agent ranks it 1 and queue \"Billing\" 2,",
            line["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var summary = explanation["summary"]!.GetValue<string>();
        Assert.Contains("No agent has this queue in its routing profile. It waited", summary,
            StringComparison.Ordinal);
        Assert.EndsWith("Agents taking it through queue \"Billing\", by reason: serving a better-ranked queue: 1.",
            summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transfer_ToQueue_EndsOverflow()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Billing", new { });
        await scenario.PutAsync("skill-queues/Other", new { });
        await scenario.PutAsync("skill-queues/Parts", new
        {
            escalation = new { afterSeconds = 10, raisePriorityBy = 2, overflowQueue = "Billing" },
        });
        await scenario.PutAgentAsync("maria");
        using var maria = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        time.Advance(TimeSpan.FromSeconds(10));
        await WaitForPriorityAsync(scenario, "e-1", 2);
        await maria.SetStatusAsync("Available");
        var offer = await maria.WaitForOfferOfAsync("e-1");
        await maria.AcceptAsync(offer);

        using var content = new StringContent("""{"skillQueue":"Other"}""", System.Text.Encoding.UTF8, "application/json");
        using var response = await maria.PostAsync(
            $"/api/v1/agent/emails/{AgentApi.EmailIdOf(offer)}/transfer", content);

        response.EnsureSuccessStatusCode();
        var email = (await scenario.FindEmailAsync("e-1"))!;
        Assert.Equal("Other", email["skillQueue"]!.GetValue<string>());
        Assert.Equal(2, email["priority"]!.GetValue<int>());
        Assert.Null(email["escalatedAt"]);
        Assert.Null(email["overflowQueue"]);
    }

    [Fact]
    public async Task Restart_Overdue_EscalatesAtStart()
    {
        var time = new FakeTimeProvider(Start);
        var dataDirectory = Directory.CreateTempSubdirectory("routed-email-test-").FullName;
        try
        {
            Scenario scenario;
            await using (var first = await TestServer.StartAsync(dataDirectory, time))
            {
                scenario = await Scenario.CreateAsync(first);
                await scenario.PutAsync("skill-queues/Parts", new { escalation = new { afterSeconds = 60, raisePriorityBy = 3 } });
                await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
            }

            time.Advance(TimeSpan.FromMinutes(5));
            await using var second = await TestServer.StartAsync(dataDirectory, time);

            var escalated = await WaitForPriorityAsync(scenario.On(second), "e-1", 3);
            Assert.Equal(Start.AddMinutes(5), escalated["escalatedAt"]!.GetValue<DateTimeOffset>());
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Decline_AfterEscalation_NotEscalatedAgain()
    {
        var time = new FakeTimeProvider(Start);
        var settings = new Dictionary<string, string> { ["Routing:DeclineSkipSeconds"] = "300" };
        await using var server = await TestServer.StartAsync(time: time, settings: settings);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Parts", new { escalation = new { afterSeconds = 30, raisePriorityBy = 4 } });
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        time.Advance(TimeSpan.FromSeconds(30));
        await WaitForPriorityAsync(scenario, "e-1", 4);
        await agent.SetStatusAsync("Available");
        var offer = await agent.WaitForOfferOfAsync("e-1");

        using var declined = await agent.PostAsync(
            $"/api/v1/agent/offers/{AgentApi.OfferIdOf(offer)}/decline", null);
        declined.EnsureSuccessStatusCode();

        // The email waits out the skip period, far past another escalation time.
        time.Advance(TimeSpan.FromSeconds(300));

        await agent.WaitForOfferOfAsync("e-1");
        Assert.Equal(4, (await scenario.FindEmailAsync("e-1"))!["priority"]!.GetValue<int>());
        Assert.Single(EventLog.ReadTypesAndDetails(server, "Escalated"));
    }

    [Fact]
    public async Task Put_Rule_ReadBack()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Billing", new { });

        await scenario.PutAsync("skill-queues/Parts", new
        {
            escalation = new { afterSeconds = 600, raisePriorityBy = 5, overflowQueue = "Billing" },
        });

        var queue = (await server.Admin.GetFromJsonAsync<JsonObject>($"{scenario.TenantPath}/skill-queues/Parts"))!;
        Assert.Equal("""{"afterSeconds":600,"raisePriorityBy":5,"overflowQueue":"Billing"}""",
            queue["escalation"]!.ToJsonString());
        var billing = (await server.Admin.GetFromJsonAsync<JsonObject>($"{scenario.TenantPath}/skill-queues/Billing"))!;
        Assert.Null(billing["escalation"]);
    }

    [Theory]
    [InlineData("""{"escalation":{"raisePriorityBy":5}}""", "escalation.afterSeconds", "is missing")]
    [InlineData("""{"escalation":{"afterSeconds":0,"raisePriorityBy":5}}""", "escalation.afterSeconds", "is 0")]
    [InlineData("""{"escalation":{"afterSeconds":60}}""", "escalation", "changes nothing")]
    [InlineData("""{"escalation":{"afterSeconds":60,"raisePriorityBy":-1}}""", "escalation.raisePriorityBy", "is -1")]
    [InlineData("""{"escalation":{"afterSeconds":60,"overflowQueue":"Parts"}}""", "escalation.overflowQueue", "the queue itself")]
    [InlineData("""{"escalation":{"afterSeconds":60,"overflowQueue":"Nowhere"}}""", "escalation.overflowQueue", "\"Nowhere\" does not exist")]
    public async Task Put_InvalidRule_400NamesField(string body, string field, string message)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await server.Admin.PutAsync($"{scenario.TenantPath}/skill-queues/Parts", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await IngestAssert.ValidationProblemAsync(response, field);
        Assert.Contains(message, text, StringComparison.Ordinal);
        var queue = (await server.Admin.GetFromJsonAsync<JsonObject>($"{scenario.TenantPath}/skill-queues/Parts"))!;
        Assert.Null(queue["escalation"]);
    }

    private static Task<JsonObject> PutAgentWithRanksAsync(
        Scenario scenario, string agentId, params (string Queue, int Rank)[] ranks) =>
        scenario.PutAsync($"agents/{agentId}", new
        {
            password = "password-" + agentId,
            skillQueues = ranks.Select(pair => new { name = pair.Queue, rank = pair.Rank }).ToArray(),
        });

    /// <summary>Polls the email until its priority is the expected one, because escalation runs in the background.</summary>
    internal static async Task<JsonObject> WaitForPriorityAsync(Scenario scenario, string entityId, int priority)
    {
        using var timeout = new CancellationTokenSource(EscalationTimeout);
        var email = (await scenario.FindEmailAsync(entityId))!;
        while (email["priority"]!.GetValue<int>() != priority)
        {
            await DelayOrFailAsync(timeout, $"priority {priority}", email);
            email = (await scenario.FindEmailAsync(entityId))!;
        }

        return email;
    }

    private static async Task WaitForEscalationAsync(Scenario scenario, string entityId)
    {
        using var timeout = new CancellationTokenSource(EscalationTimeout);
        var email = (await scenario.FindEmailAsync(entityId))!;
        while (email["escalatedAt"] is null)
        {
            await DelayOrFailAsync(timeout, "escalation", email);
            email = (await scenario.FindEmailAsync(entityId))!;
        }
    }

    private static async Task DelayOrFailAsync(CancellationTokenSource timeout, string awaited, JsonObject email)
    {
        try
        {
            await Task.Delay(20, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"Timed out waiting for {awaited}. Last email: {email.ToJsonString()}");
        }
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

public sealed class WrapTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Complete_QueueWrap_HoldsSlotUntilDeadline()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Parts", new { wrapSeconds = 30 });
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"), scenario.Item("e-2"));
        await agent.SetStatusAsync("Available");
        var offer = await agent.WaitForOfferOfAsync("e-1");

        await agent.AcceptAndCompleteAsync(offer);

        var wrapping = (await scenario.FindEmailAsync("e-1"))!;
        Assert.Equal("Wrap", wrapping["state"]!.GetValue<string>());
        Assert.Equal(Start.AddSeconds(30), wrapping["wrapEndsAt"]!.GetValue<DateTimeOffset>());
        Assert.Single(AgentApi.Emails(await agent.GetWorkAsync()));
        time.Advance(TimeSpan.FromSeconds(29));
        await DeclineTests.AssertNoOfferAsync(agent);

        time.Advance(TimeSpan.FromSeconds(1));

        await agent.WaitForOfferOfAsync("e-2");
        var completed = (await scenario.FindEmailAsync("e-1"))!;
        Assert.Equal("Completed", completed["state"]!.GetValue<string>());
        var events = completed["history"]!.AsArray().Select(entry => entry!["event"]!.GetValue<string>()).ToArray();
        Assert.Equal(["Received", "Offered", "Accepted", "WrapStarted", "Completed"], events);
        Assert.Equal(Start.AddSeconds(30), completed["history"]!.AsArray()[^1]!["at"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task Complete_AgentWrapZero_OverridesQueueWrap()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Parts", new { wrapSeconds = 30 });
        await PutAgentAsync(scenario, "maria", wrapSeconds: 0);
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await agent.SetStatusAsync("Available");

        await agent.AcceptAndCompleteAsync(await agent.WaitForOfferOfAsync("e-1"));

        var email = (await scenario.FindEmailAsync("e-1"))!;
        Assert.Equal("Completed", email["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Complete_AgentWrapOnly_EntersWrap()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        var agentJson = await PutAgentAsync(scenario, "maria", wrapSeconds: 45);
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await agent.SetStatusAsync("Available");

        await agent.AcceptAndCompleteAsync(await agent.WaitForOfferOfAsync("e-1"));

        Assert.Equal(45, agentJson["wrapSeconds"]!.GetValue<int>());
        var email = (await scenario.FindEmailAsync("e-1"))!;
        Assert.Equal("Wrap", email["state"]!.GetValue<string>());
        Assert.Equal(Start.AddSeconds(45), email["wrapEndsAt"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task EndWrap_DuringWrap_CompletesAndFreesAgent()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Parts", new { wrapSeconds = 300 });
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"), scenario.Item("e-2"));
        await agent.SetStatusAsync("Available");
        var offer = await agent.WaitForOfferOfAsync("e-1");
        await agent.AcceptAndCompleteAsync(offer);
        time.Advance(TimeSpan.FromSeconds(5));

        using var response = await agent.PostAsync($"/api/v1/agent/emails/{AgentApi.EmailIdOf(offer)}/end-wrap", null);
        using var repeat = await agent.PostAsync($"/api/v1/agent/emails/{AgentApi.EmailIdOf(offer)}/end-wrap", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        var email = (await scenario.FindEmailAsync("e-1"))!;
        Assert.Equal("Completed", email["state"]!.GetValue<string>());
        Assert.Null(email["wrapEndsAt"]);
        Assert.Equal(Start.AddSeconds(5), email["history"]!.AsArray()[^1]!["at"]!.GetValue<DateTimeOffset>());
        await agent.WaitForOfferOfAsync("e-2");
    }

    [Fact]
    public async Task EndWrap_ActiveEmail_ConflictNamesState()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await agent.SetStatusAsync("Available");
        var offer = await agent.WaitForOfferOfAsync("e-1");
        await agent.AcceptAsync(offer);

        using var response = await agent.PostAsync($"/api/v1/agent/emails/{AgentApi.EmailIdOf(offer)}/end-wrap", null);

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Contains("Active", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrap_OverdueAtRestart_EndsAtStart()
    {
        var time = new FakeTimeProvider(Start);
        var dataDirectory = Directory.CreateTempSubdirectory("routed-email-test-").FullName;
        try
        {
            Scenario scenario;
            await using (var first = await TestServer.StartAsync(dataDirectory, time))
            {
                scenario = await Scenario.CreateAsync(first);
                await scenario.PutAsync("skill-queues/Parts", new { wrapSeconds = 60 });
                await scenario.PutAgentAsync("maria");
                using var agent = await scenario.SignInAsync("maria");
                await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
                await agent.SetStatusAsync("Available");
                await agent.AcceptAndCompleteAsync(await agent.WaitForOfferOfAsync("e-1"));
            }

            time.Advance(TimeSpan.FromMinutes(5));
            await using var second = await TestServer.StartAsync(dataDirectory, time);
            var restarted = scenario.On(second);

            var email = await WaitForStateAsync(restarted, "e-1", "Completed");
            Assert.Equal(Start.AddMinutes(5), email["history"]!.AsArray()[^1]!["at"]!.GetValue<DateTimeOffset>());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Retention_CountsFromCompletedNotWrapStart()
    {
        var time = new FakeTimeProvider(Start);
        var settings = new Dictionary<string, string> { ["Ingest:IdempotencyWindow"] = "01:00:00" };
        await using var server = await TestServer.StartAsync(time: time, settings: settings);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Parts", new { wrapSeconds = 1800 });
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await agent.SetStatusAsync("Available");
        await agent.AcceptAndCompleteAsync(await agent.WaitForOfferOfAsync("e-1"));
        var emailId = (await scenario.FindEmailAsync("e-1"))!["emailId"]!.GetValue<long>();
        time.Advance(TimeSpan.FromMinutes(30));
        await WaitForStateAsync(scenario, "e-1", "Completed");

        // 70 minutes after the wrap started but 40 after Completed: still inside the one-hour window.
        time.Advance(TimeSpan.FromMinutes(40));
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        var retried = (await scenario.FindEmailAsync("e-1"))!;

        time.Advance(TimeSpan.FromMinutes(21));
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        var renewed = (await scenario.FindEmailAsync("e-1"))!;

        Assert.Equal(emailId, retried["emailId"]!.GetValue<long>());
        Assert.NotEqual(emailId, renewed["emailId"]!.GetValue<long>());
    }

    private static Task<JsonObject> PutAgentAsync(Scenario scenario, string agentId, int wrapSeconds) =>
        scenario.PutAsync($"agents/{agentId}", new
        {
            password = "password-" + agentId,
            skillQueues = new[] { new { name = "Parts", rank = 1 } },
            wrapSeconds,
        });

    /// <summary>Polls the integrator API until the email has the state; bounded to 10 seconds.</summary>
    private static async Task<JsonObject> WaitForStateAsync(Scenario scenario, string entityId, string state)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var email = (await scenario.FindEmailAsync(entityId))!;
            if (email["state"]!.GetValue<string>() == state)
            {
                return email;
            }

            await Task.Delay(20, timeout.Token);
        }
    }
}

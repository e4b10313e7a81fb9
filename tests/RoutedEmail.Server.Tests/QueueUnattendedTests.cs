using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

public sealed class QueueUnattendedTests
{
    private static readonly TimeSpan RoutingTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Queue_WaitingWithoutAgent_UnattendedOnce()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        (await scenario.IngestAsync(Scenario.Body(scenario.Item("e-1")))).EnsureSuccessStatusCode();

        await WaitForUnattendedAsync(scenario, "Parts", true);
        Assert.Equal(["QueueUnattended Parts"], ReadQueueEvents(server));
    }

    [Fact]
    public async Task Queue_AgentSignsInAvailable_AttendedAgain()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        (await scenario.IngestAsync(Scenario.Body(scenario.Item("e-1")))).EnsureSuccessStatusCode();
        await WaitForUnattendedAsync(scenario, "Parts", true);

        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await agent.SetStatusAsync("Available");

        await WaitForUnattendedAsync(scenario, "Parts", false);
        Assert.Equal(["QueueUnattended Parts", "QueueAttended Parts"], ReadQueueEvents(server));
    }

    /// <summary>
    /// Several routing steps run while "Parts" stays unattended. Agent "ana" serves only queue "Other"; when she
    /// goes Offline, "Other" becomes unattended, which shows that every earlier step has finished.
    /// </summary>
    [Fact]
    public async Task Queue_RepeatedRoutingSteps_NoDuplicateEvent()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Other", new { });
        await scenario.PutAsync("routed-email-configurations/OtherOwner", new { skillQueue = "Other" });
        await scenario.PutAsync("agents/ana", new
        {
            password = "password-ana",
            skillQueues = new[] { new { name = "Other", rank = 1 } },
        });
        (await scenario.IngestAsync(Scenario.Body(scenario.Item("e-1")))).EnsureSuccessStatusCode();
        await WaitForUnattendedAsync(scenario, "Parts", true);

        (await scenario.IngestAsync(Scenario.Body(scenario.Item("e-2")))).EnsureSuccessStatusCode();
        (await scenario.IngestAsync(Scenario.Body(scenario.Item("e-3")))).EnsureSuccessStatusCode();
        using var agent = await scenario.SignInAsync("ana");
        await agent.SetStatusAsync("Available");
        (await scenario.IngestAsync(Scenario.Body(scenario.Item("o-1", "OtherOwner")))).EnsureSuccessStatusCode();
        await agent.WaitForOfferOfAsync("o-1");
        await agent.SetStatusAsync("Offline");
        await WaitForUnattendedAsync(scenario, "Other", true);

        Assert.Equal(["QueueUnattended Parts", "QueueUnattended Other"], ReadQueueEvents(server));
        var stats = await ReadStatsAsync(scenario);
        Assert.True(FindQueue(stats, "Parts")["unattended"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Check_WithinInterval_WaitsForIntervalEnd()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        (await scenario.IngestAsync(Scenario.Body(scenario.Item("e-1")))).EnsureSuccessStatusCode();
        await WaitForUnattendedAsync(scenario, "Parts", true);

        // The offer shows that a step ran after maria went Available. Its check is due only a second after the
        // last one, and the fake clock has not moved.
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await agent.SetStatusAsync("Available");
        await agent.WaitForOfferOfAsync("e-1");

        Assert.True(FindQueue(await ReadStatsAsync(scenario), "Parts")["unattended"]!.GetValue<bool>());
        time.Advance(TimeSpan.FromSeconds(1));
        await WaitForUnattendedAsync(scenario, "Parts", false);
        Assert.Equal(["QueueUnattended Parts", "QueueAttended Parts"], ReadQueueEvents(server));
    }

    [Fact]
    public async Task Check_IntervalZero_RunsAfterEveryStep()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        await using var server = await TestServer.StartAsync(
            time: time, settings: new Dictionary<string, string> { ["Routing:AttendanceCheckMilliseconds"] = "0" });
        var scenario = await Scenario.CreateAsync(server);
        (await scenario.IngestAsync(Scenario.Body(scenario.Item("e-1")))).EnsureSuccessStatusCode();
        await WaitForUnattendedAsync(scenario, "Parts", true);

        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await agent.SetStatusAsync("Available");

        await WaitForUnattendedAsync(scenario, "Parts", false);
        Assert.Equal(["QueueUnattended Parts", "QueueAttended Parts"], ReadQueueEvents(server));
    }

    /// <summary>
    /// Polls the tenant's stats until the queue's unattended flag has the expected value, because the check runs in
    /// a background routing step. Fails the test after 10 seconds with the last stats seen.
    /// </summary>
    private static async Task WaitForUnattendedAsync(Scenario scenario, string queue, bool expected)
    {
        using var timeout = new CancellationTokenSource(RoutingTimeout);
        var stats = await ReadStatsAsync(scenario);
        while (FindQueue(stats, queue)["unattended"]!.GetValue<bool>() != expected)
        {
            try
            {
                await Task.Delay(20, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Timed out waiting for unattended {expected} on {queue}. Last stats: {stats.ToJsonString()}");
            }

            stats = await ReadStatsAsync(scenario);
        }
    }

    private static async Task<JsonObject> ReadStatsAsync(Scenario scenario) =>
        (await scenario.Server.Admin.GetFromJsonAsync<JsonObject>($"{scenario.TenantPath}/stats"))!;

    private static JsonObject FindQueue(JsonObject stats, string queue) =>
        stats["queues"]!.AsArray().Single(entry => entry!["name"]!.GetValue<string>() == queue)!.AsObject();

    private static List<string> ReadQueueEvents(TestServer server) =>
        EventLog.ReadTypesAndDetails(server, "QueueUnattended", "QueueAttended");
}

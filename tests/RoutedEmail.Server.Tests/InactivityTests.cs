using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Tests.Infrastructure;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Tests;

/// <summary>Agents who vanish without signing out become Offline after the inactivity timeouts.</summary>
public sealed class InactivityTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task RestAgent_AfterTimeout_OfflineAndOfferQueued()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var (scenario, agent) = await OfferToRestAgentAsync(server);

        // Checks before the timeout go through the integrator API, because an agent request would count as activity.
        time.Advance(TimeSpan.FromMinutes(29));
        await Task.Delay(QuietPeriod);
        Assert.Equal("Offered", await ReadEmailStateAsync(scenario));

        time.Advance(TimeSpan.FromMinutes(1));
        await WaitForEmailStateAsync(scenario, "Queued");
        Assert.Equal(["Available", "Offline timeout"], EventLog.ReadDetails(server, ["AgentStatusChanged"]));
        var work = await agent.GetWorkAsync();
        Assert.Equal("Offline", work["status"]!.GetValue<string>());
        Assert.Empty(AgentApi.Offers(work));
    }

    [Fact]
    public async Task RestAgent_RequestBeforeTimeout_StaysAvailable()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var (scenario, agent) = await OfferToRestAgentAsync(server);

        time.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal("Available", (await agent.GetWorkAsync())["status"]!.GetValue<string>());
        time.Advance(TimeSpan.FromMinutes(15));
        await Task.Delay(QuietPeriod);
        Assert.Equal("Offered", await ReadEmailStateAsync(scenario));

        time.Advance(TimeSpan.FromMinutes(15));
        await WaitForEmailStateAsync(scenario, "Queued");
    }

    [Fact]
    public async Task HubAgent_Disconnected_OfflineAfterHubTimeout()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        var (hub, _) = await HubTestClient.ConnectAsync(server, agent);
        await hub.Connection.InvokeAsync<JsonObject>("SetStatus", "Available");

        // An open hub connection stops the REST inactivity timeout.
        time.Advance(TimeSpan.FromMinutes(31));
        await Task.Delay(QuietPeriod);
        Assert.Equal("Available", await ReadStatusAsync(hub));

        await hub.DisposeAsync();
        await InactivityDeadline.WaitForAsync(server, time.GetUtcNow() + TimeSpan.FromMinutes(2));
        time.Advance(TimeSpan.FromSeconds(119));
        await Task.Delay(QuietPeriod);
        Assert.Equal("Available", (await agent.GetWorkAsync())["status"]!.GetValue<string>());

        time.Advance(TimeSpan.FromSeconds(1));
        await agent.WaitForWorkAsync(
            work => work["status"]!.GetValue<string>() == "Offline", "status Offline after the hub timeout");
    }

    /// <summary>
    /// The offer expires after the hub connection closed, so the service sets the agent Missed. That status was not
    /// the agent's choice, so the hub timeout still applies, not the 30-minute REST timeout.
    /// </summary>
    [Fact]
    public async Task HubAgent_MissedAfterClose_OfflineAfterHubTimeout()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Parts", new { offerTimeoutSeconds = 60 });
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        var (hub, _) = await HubTestClient.ConnectAsync(server, agent);
        await hub.Connection.InvokeAsync<JsonObject>("SetStatus", "Available");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await hub.NextWithOffersAsync(1);
        await hub.DisposeAsync();
        await InactivityDeadline.WaitForAsync(server, Start + TimeSpan.FromMinutes(2));

        time.Advance(TimeSpan.FromSeconds(60));
        await WaitForEmailStateAsync(scenario, "Queued");
        await InactivityDeadline.WaitForAsync(server, Start + TimeSpan.FromMinutes(2));

        time.Advance(TimeSpan.FromMinutes(1));
        await agent.WaitForWorkAsync(
            work => work["status"]!.GetValue<string>() == "Offline", "status Offline after the hub timeout");
        Assert.Equal(["Available", "Missed", "Offline timeout"], EventLog.ReadDetails(server, ["AgentStatusChanged"]));
    }

    /// <summary>
    /// After the hub timeout set the agent Offline, the agent chooses Available through REST. From then on only the
    /// REST timeout applies, so the closed hub connection does not set it Offline again at once.
    /// </summary>
    [Fact]
    public async Task HubAgent_AfterHubTimeoutRestStatus_RestTimeoutApplies()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        var (hub, _) = await HubTestClient.ConnectAsync(server, agent);
        await hub.Connection.InvokeAsync<JsonObject>("SetStatus", "Available");
        await hub.DisposeAsync();
        await InactivityDeadline.WaitForAsync(server, Start + TimeSpan.FromMinutes(2));
        time.Advance(TimeSpan.FromMinutes(2));
        await agent.WaitForWorkAsync(
            work => work["status"]!.GetValue<string>() == "Offline", "status Offline after the hub timeout");

        time.Advance(TimeSpan.FromMinutes(1));
        await agent.SetStatusAsync("Available");

        await InactivityDeadline.WaitForAsync(server, Start + TimeSpan.FromMinutes(33));
        time.Advance(TimeSpan.FromMinutes(5));
        await Task.Delay(QuietPeriod);
        Assert.Equal("Available", (await agent.GetWorkAsync())["status"]!.GetValue<string>());
    }

    /// <summary>
    /// The last request was written before the status change, so the REST timeout counts from the status change.
    /// </summary>
    [Fact]
    public async Task RestAgent_StatusAfterOldRequest_TimeoutFromStatusChange()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        time.Advance(TimeSpan.FromSeconds(30));

        await agent.SetStatusAsync("Available");

        await InactivityDeadline.WaitForAsync(server, Start + TimeSpan.FromSeconds(30) + TimeSpan.FromMinutes(30));
    }

    [Fact]
    public async Task HubAgent_ReconnectsInTime_StaysAvailable()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        var (first, _) = await HubTestClient.ConnectAsync(server, agent);
        await first.Connection.InvokeAsync<JsonObject>("SetStatus", "Available");
        await first.DisposeAsync();
        await InactivityDeadline.WaitForAsync(server, Start + TimeSpan.FromMinutes(2));

        time.Advance(TimeSpan.FromMinutes(1));
        var (second, connected) = await HubTestClient.ConnectAsync(server, agent);
        await using var _ = second;
        Assert.Equal("Available", HubTestClient.WorkOf(connected)["status"]!.GetValue<string>());
        await InactivityDeadline.WaitForAsync(server, null);

        time.Advance(TimeSpan.FromMinutes(5));
        await Task.Delay(QuietPeriod);
        Assert.Equal("Available", await ReadStatusAsync(second));
    }

    /// <summary>Creates an agent who uses only REST, sets it Available and waits for an offer of email e-1.</summary>
    private static async Task<(Scenario Scenario, HttpClient Agent)> OfferToRestAgentAsync(TestServer server)
    {
        var scenario = await Scenario.CreateAsync(server);

        // The maximum offer timeout, so the offer is still pending when the inactivity timeout passes.
        await scenario.PutAsync("skill-queues/Parts", new { offerTimeoutSeconds = 3600 });
        await scenario.PutAgentAsync("maria");
        var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await agent.SetStatusAsync("Available");
        await WalkthroughTests.WaitForOfferAsync(agent);
        return (scenario, agent);
    }

    private static async Task<string> ReadEmailStateAsync(Scenario scenario) =>
        (await scenario.FindEmailAsync("e-1"))!["state"]!.GetValue<string>();

    private static async Task<string> ReadStatusAsync(HubTestClient hub)
    {
        var message = await hub.Connection.InvokeAsync<JsonObject>("GetWork");
        return HubTestClient.WorkOf(message)["status"]!.GetValue<string>();
    }

    /// <summary>Polls until the deadline service fires the timeout and the email is in the state; 10 seconds.</summary>
    private static async Task WaitForEmailStateAsync(Scenario scenario, string state)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await ReadEmailStateAsync(scenario) != state)
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}

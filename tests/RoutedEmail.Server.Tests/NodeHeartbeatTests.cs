using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Tests.Infrastructure;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Tests;

/// <summary>
/// Hub connections are stored per node, and the connections of a node whose heartbeat stopped are removed by a live
/// node, so that their agents get the hub disconnect timeout. A crashed node is played by rows written through the
/// stores, because an in-process server always closes its connections when it stops.
/// </summary>
public sealed class NodeHeartbeatTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan HubTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task SilentNode_AgentOfflineAfterTimeouts()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var (_, agent, tenantId) = await CreateAvailableAgentAsync(server, "ana");
        var nodes = server.Services.GetRequiredService<INodeStore>();
        await nodes.RegisterNodeAsync("crashed-node", default);
        await Activity(server).RecordHubConnectedAsync(new("crashed-node", "c-1", tenantId, "ana"), default);
        Assert.Null(await InactivityDeadline.FindAsync(server));

        // The crashed node's last heartbeat was at Start; it counts as stopped once it is 30 seconds old.
        await AdvanceInHeartbeatsAsync(time, TimeSpan.FromSeconds(30));
        await Task.Delay(QuietPeriod);
        Assert.Null(await InactivityDeadline.FindAsync(server));

        await AdvanceInHeartbeatsAsync(time, Heartbeat);
        await InactivityDeadline.WaitForAsync(server, Start + HubTimeout);
        time.Advance(Start + HubTimeout - time.GetUtcNow());
        await agent.WaitForWorkAsync(
            work => work["status"]!.GetValue<string>() == "Offline", "status Offline after the hub timeout");
        Assert.Equal(["Available", "Offline timeout"], EventLog.ReadDetails(server, ["AgentStatusChanged"]));
    }

    [Fact]
    public async Task AgentOnTwoNodes_OneCloses_StaysConnected()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var (_, _, tenantId) = await CreateAvailableAgentAsync(server, "ana");
        var activity = Activity(server);
        await activity.RecordHubConnectedAsync(new("node-a", "c-1", tenantId, "ana"), default);
        await activity.RecordHubConnectedAsync(new("node-b", "c-1", tenantId, "ana"), default);

        time.Advance(TimeSpan.FromSeconds(10));
        var lastClosed = await activity.RecordHubClosedAsync(new("node-a", "c-1", tenantId, "ana"), default);

        Assert.False(lastClosed);
        Assert.Null(await InactivityDeadline.FindAsync(server));

        time.Advance(TimeSpan.FromSeconds(10));
        lastClosed = await activity.RecordHubClosedAsync(new("node-b", "c-1", tenantId, "ana"), default);

        Assert.True(lastClosed);
        Assert.Equal(time.GetUtcNow() + HubTimeout, await InactivityDeadline.FindAsync(server));
    }

    [Fact]
    public async Task ConnectionOfUnregisteredNode_AfterNodeTimeout_Removed()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var (_, _, tenantId) = await CreateAvailableAgentAsync(server, "ana");
        await Activity(server).RecordHubConnectedAsync(new("unregistered-node", "c-1", tenantId, "ana"), default);

        await AdvanceInHeartbeatsAsync(time, TimeSpan.FromSeconds(35));

        await InactivityDeadline.WaitForAsync(server, Start + HubTimeout);
    }

    /// <summary>
    /// Another node removed this live node, as it would after a long database outage. The next heartbeat registers
    /// the node again and stores its open connection again, so the agent has no deadline.
    /// </summary>
    [Fact]
    public async Task RemovedLiveNode_StoresConnectionsAgain()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("ana");
        using var agent = await scenario.SignInAsync("ana");
        var (hub, _) = await HubTestClient.ConnectAsync(server, agent);
        await using var _ = hub;
        await hub.Connection.InvokeAsync<JsonObject>("SetStatus", "Available");
        Assert.Null(await InactivityDeadline.FindAsync(server));

        var removed = await server.Services.GetRequiredService<INodeStore>()
            .RemoveSilentNodesAsync(Start + TimeSpan.FromHours(1), "another-node", default);
        Assert.Equal(1, Assert.Single(removed).Connections);
        Assert.Equal(Start + HubTimeout, await InactivityDeadline.FindAsync(server));

        await AdvanceInHeartbeatsAsync(time, Heartbeat);

        await InactivityDeadline.WaitForAsync(server, null);
    }

    /// <summary>
    /// On SQLite one process owns the database, so connections stored by an earlier run are removed at start,
    /// without waiting for the node timeout.
    /// </summary>
    [SqliteFact]
    public async Task SqliteRestart_ConnectionsOfEarlierRun_RemovedAtStart()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("routed-email-test-").FullName;
        try
        {
            var time = new FakeTimeProvider(Start);
            await using (var first = await TestServer.StartAsync(dataDirectory, time))
            {
                var (_, _, tenantId) = await CreateAvailableAgentAsync(first, "ana");
                await first.Services.GetRequiredService<INodeStore>().RegisterNodeAsync("earlier-run", default);
                await Activity(first).RecordHubConnectedAsync(new("earlier-run", "c-1", tenantId, "ana"), default);
            }

            time.Advance(TimeSpan.FromSeconds(10));
            await using var second = await TestServer.StartAsync(dataDirectory, time);

            await InactivityDeadline.WaitForAsync(second, Start + HubTimeout);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static async Task<(Scenario Scenario, HttpClient Agent, long TenantId)> CreateAvailableAgentAsync(
        TestServer server, string agentId)
    {
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync(agentId);
        var agent = await scenario.SignInAsync(agentId);
        await agent.SetStatusAsync("Available");
        var tenant = await server.Services.GetRequiredService<ITenantStore>()
            .FindTenantAsync(scenario.CompanyCode, scenario.Environment, default);
        return (scenario, agent, tenant!.Id);
    }

    /// <summary>
    /// Advances the clock one heartbeat interval at a time, with a pause after each, so that the heartbeat service
    /// runs once per interval as it would in real time.
    /// </summary>
    private static async Task AdvanceInHeartbeatsAsync(FakeTimeProvider time, TimeSpan total)
    {
        for (var advanced = TimeSpan.Zero; advanced < total; advanced += Heartbeat)
        {
            time.Advance(Heartbeat);
            await Task.Delay(QuietPeriod / 3);
        }
    }

    private static IAgentActivityStore Activity(TestServer server) =>
        server.Services.GetRequiredService<IAgentActivityStore>();
}

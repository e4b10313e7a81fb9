using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Data.Sqlite;
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

    /// <summary>
    /// A heartbeat that fails at every tick, as on a full disk, logs its first failure with the stack trace. Then it
    /// logs at most one a minute with the count of the others, and one line when a step succeeds again.
    /// </summary>
    [Fact]
    public async Task HeartbeatFailures_DiskFull_LogOncePerMinute()
    {
        var time = new FakeTimeProvider(Start);
        var capture = new LogCapture();
        FailingNodeStore? store = null;
        await using var server = await TestServer.StartAsync(time: time, services: services =>
        {
            capture.AddTo(services);
            var registered = services.Last(descriptor => descriptor.ServiceType == typeof(INodeStore));
            services.AddSingleton<INodeStore>(provider => store = new FailingNodeStore(
                (INodeStore)ActivatorUtilities.CreateInstance(provider, registered.ImplementationType!)));
        });
        await AdvanceUntilLoggedAsync(time, capture, RegisteredEvent, 1);

        store!.Failing = true;
        await AdvanceUntilLoggedAsync(time, capture, FailedEvent, 1);
        await AdvanceInHeartbeatsAsync(time, TimeSpan.FromSeconds(50));
        var withinMinute = HeartbeatLines(capture, FailedEvent);
        await AdvanceUntilLoggedAsync(time, capture, FailedEvent, 2);
        store.Failing = false;
        await AdvanceUntilLoggedAsync(time, capture, RecoveredEvent, 1);

        var first = Assert.Single(withinMinute);
        Assert.IsType<SqliteException>(first.Exception);
        Assert.Contains("0 such failures", first.Message, StringComparison.Ordinal);
        var second = HeartbeatLines(capture, FailedEvent)[1];
        Assert.NotNull(second.Exception);
        Assert.True(CountIn(second.Message, "such failures") > 0, second.Message);
        var recovered = Assert.Single(HeartbeatLines(capture, RecoveredEvent));
        Assert.True(CountIn(recovered.Message, "failed steps") > 2, recovered.Message);
    }

    private const int RegisteredEvent = 8021;
    private const int FailedEvent = 8023;
    private const int RecoveredEvent = 8027;

    private static List<CapturedLog> HeartbeatLines(LogCapture capture, int eventId) =>
        [.. capture.Lines.Where(line => line.EventId == eventId
            && line.Category == "RoutedEmail.Server.Hosting.NodeHeartbeatService")];

    /// <summary>Reads the number just before <paramref name="words"/> in a log message.</summary>
    private static int CountIn(string message, string words)
    {
        var before = message[..message.IndexOf(words, StringComparison.Ordinal)].TrimEnd();
        return int.Parse(before[(before.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }

    /// <summary>Advances the clock a heartbeat at a time until the service has logged the event that often.</summary>
    private static async Task AdvanceUntilLoggedAsync(FakeTimeProvider time, LogCapture capture, int eventId, int count)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (HeartbeatLines(capture, eventId).Count < count)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"Timed out waiting for {count} lines {eventId}.");
            await AdvanceInHeartbeatsAsync(time, Heartbeat);
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

    /// <summary>The node store, with every step but the unregistration failing while <see cref="Failing"/> is set.</summary>
    private sealed class FailingNodeStore(INodeStore inner) : INodeStore
    {
        // SQLITE_FULL, the result code of a write to a full disk.
        private const int SqliteFull = 13;

        private volatile bool _failing;

        public bool Failing
        {
            get => _failing;
            set => _failing = value;
        }

        public Task RegisterNodeAsync(string nodeId, CancellationToken cancellationToken) =>
            Failing ? Task.FromException(DiskFull()) : inner.RegisterNodeAsync(nodeId, cancellationToken);

        public Task<bool> RecordHeartbeatAsync(string nodeId, CancellationToken cancellationToken) =>
            Failing ? Task.FromException<bool>(DiskFull()) : inner.RecordHeartbeatAsync(nodeId, cancellationToken);

        public Task UnregisterNodeAsync(string nodeId, CancellationToken cancellationToken) =>
            inner.UnregisterNodeAsync(nodeId, cancellationToken);

        public Task<IReadOnlyList<RemovedNode>> RemoveSilentNodesAsync(
            DateTimeOffset silentSince, string exceptNodeId, CancellationToken cancellationToken) =>
            Failing
                ? Task.FromException<IReadOnlyList<RemovedNode>>(DiskFull())
                : inner.RemoveSilentNodesAsync(silentSince, exceptNodeId, cancellationToken);

        private static SqliteException DiskFull() => new("database or disk is full", SqliteFull);
    }
}

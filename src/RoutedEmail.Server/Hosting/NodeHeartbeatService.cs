using System.Data.Common;
using Microsoft.Extensions.Options;
using RoutedEmail.Server.Hubs;
using RoutedEmail.Server.Routing;
using RoutedEmail.Storage;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Hosting;

/// <summary>
/// Registers this node in the database, stores its heartbeat at a fixed interval, and removes the hub connections
/// of nodes whose heartbeat stopped, so that agents of a node that crashed get their hub disconnect timeout.
/// </summary>
internal sealed partial class NodeHeartbeatService(
    INodeStore nodes, IAgentActivityStore activity, AgentConnections connections, NodeIdentity node,
    StartupGate startup, DeadlineSignal deadlines, IOptions<NodeOptions> options, IOptions<StorageOptions> storage,
    TimeProvider time, ILogger<NodeHeartbeatService> logger) : BackgroundService
{
    // Its own instance, so that heartbeat failures neither use up the log budget of failed requests nor change
    // readiness, which reports failed requests only.
    private readonly StorageFailures _failures = new(time);
    private int _failedSteps;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await startup.WaitAsync(stoppingToken);
        var lastStepSucceeded = await TryAsync(RegisterAsync, stoppingToken);

        // One process owns a SQLite database, so every other registered node is an earlier run of this service.
        var sqlite = string.Equals(storage.Value.Provider, "Sqlite", StringComparison.OrdinalIgnoreCase);
        if (sqlite)
        {
            await TryAsync(token => RemoveSilentNodesAsync(time.GetUtcNow(), token), stoppingToken);
        }

        // After a failed step the node registers again with its connections, in case another node removed it.
        var ticks = new IntervalTicks(time, options.Value.HeartbeatInterval);
        while (true)
        {
            await ticks.WaitAsync(stoppingToken);
            lastStepSucceeded = lastStepSucceeded
                ? await TryAsync(BeatAsync, stoppingToken)
                : await TryAsync(RegisterAgainAsync, stoppingToken);
        }
    }

    /// <summary>
    /// Runs one database step and returns whether it succeeded. A failure is logged and the next tick tries again,
    /// because a busy or unreachable database must not stop the service. Nodes time out only after several missed
    /// heartbeats. A lasting failure, such as a full disk, logs its first failure with the stack trace and then at
    /// most one a minute with the count of the others, and the first step that succeeds again logs the total.
    /// </summary>
    private async Task<bool> TryAsync(Func<CancellationToken, Task> step, CancellationToken stoppingToken)
    {
        try
        {
            await step(stoppingToken);
        }
        catch (DbException exception)
        {
            _failedSteps++;
            if (_failures.Record(out var skipped))
            {
                Log.HeartbeatFailed(logger, node.Id, skipped, exception);
            }

            return false;
        }

        if (_failedSteps > 0)
        {
            Log.HeartbeatRecovered(logger, node.Id, _failedSteps);
            _failedSteps = 0;
        }

        return true;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!startup.IsReady)
        {
            return;
        }

        try
        {
            await nodes.UnregisterNodeAsync(node.Id, cancellationToken);
            Log.Unregistered(logger, node.Id);
        }
        catch (DbException exception)
        {
            // The other nodes remove this node once its heartbeat is older than the node timeout.
            Log.UnregisterFailed(logger, node.Id, exception);
        }
    }

    private async Task BeatAsync(CancellationToken stoppingToken)
    {
        if (!await nodes.RecordHeartbeatAsync(node.Id, stoppingToken))
        {
            // Another node found this one silent, for example during a long database outage, and removed its
            // connections, so they are stored again.
            Log.NodeRemovedByOthers(logger, node.Id);
            await RegisterAgainAsync(stoppingToken);
        }

        await RemoveSilentNodesAsync(time.GetUtcNow() - options.Value.NodeTimeout, stoppingToken);
    }

    private async Task RegisterAgainAsync(CancellationToken stoppingToken)
    {
        await RegisterAsync(stoppingToken);
        foreach (var connection in connections.ListOpenConnections())
        {
            await activity.RecordHubConnectedAsync(connection, stoppingToken);
        }
    }

    private async Task RegisterAsync(CancellationToken stoppingToken)
    {
        await nodes.RegisterNodeAsync(node.Id, stoppingToken);
        Log.Registered(logger, node.Id, options.Value.HeartbeatInterval.TotalSeconds);
    }

    private async Task RemoveSilentNodesAsync(DateTimeOffset silentSince, CancellationToken stoppingToken)
    {
        var removed = await nodes.RemoveSilentNodesAsync(silentSince, node.Id, stoppingToken);
        foreach (var silent in removed)
        {
            Log.SilentNodeRemoved(logger, silent.NodeId, silent.LastHeartbeat, silent.Connections);
        }

        if (removed.Any(silent => silent.Connections > 0))
        {
            deadlines.Notify();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(8021, LogLevel.Information,
            "Registered node {NodeId}, with a heartbeat every {IntervalSeconds} s")]
        public static partial void Registered(ILogger logger, string nodeId, double intervalSeconds);

        [LoggerMessage(8022, LogLevel.Warning,
            "Removed node {NodeId}, silent since {LastHeartbeat}, and its {Connections} hub connections; the hub " +
            "disconnect timeout of their agents runs from that time")]
        public static partial void SilentNodeRemoved(
            ILogger logger, string nodeId, DateTimeOffset? lastHeartbeat, int connections);

        [LoggerMessage(8023, LogLevel.Warning,
            "A heartbeat step of node {NodeId} failed in the database; the next heartbeat tries again. {Skipped} " +
            "such failures since the last one logged were not logged")]
        public static partial void HeartbeatFailed(ILogger logger, string nodeId, int skipped, Exception exception);

        [LoggerMessage(8027, LogLevel.Information,
            "A heartbeat step of node {NodeId} succeeded again after {FailedSteps} failed steps")]
        public static partial void HeartbeatRecovered(ILogger logger, string nodeId, int failedSteps);

        [LoggerMessage(8024, LogLevel.Warning,
            "Node {NodeId} was removed by another node that found its heartbeat too old; registering it again " +
            "with its open hub connections")]
        public static partial void NodeRemovedByOthers(ILogger logger, string nodeId);

        [LoggerMessage(8025, LogLevel.Information, "Unregistered node {NodeId} at its stop")]
        public static partial void Unregistered(ILogger logger, string nodeId);

        [LoggerMessage(8026, LogLevel.Warning,
            "Unregistering node {NodeId} at its stop failed; the other nodes remove it after the node timeout")]
        public static partial void UnregisterFailed(ILogger logger, string nodeId, Exception exception);
    }
}

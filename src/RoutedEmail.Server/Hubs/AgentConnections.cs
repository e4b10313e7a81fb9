using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using RoutedEmail.Server.Agents;
using RoutedEmail.Server.Hosting;
using RoutedEmail.Core.Agents;
using RoutedEmail.Server.Routing;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Hubs;

/// <summary>
/// The agent hub connections of this node, grouped per agent, with each agent's push sequence. Every snapshot of an
/// agent is read and sent while holding that agent's lock, so a higher sequence never carries older work.
/// </summary>
internal sealed partial class AgentConnections(
    IAgentStore agents, IAgentActivityStore activity, NodeIdentity node, DeadlineSignal deadlines,
    IHubContext<AgentHub> hub, TimeProvider time, ILogger<AgentConnections> logger)
{
    // NOTE: one small entry stays per agent that ever connected to this node, so the sequence survives
    // reconnects. The entries are lost at restart, when every client reconnects and resynchronises.
    private readonly ConcurrentDictionary<AgentKey, AgentChannel> _channels = new();

    /// <summary>
    /// Registers an open connection with the hash of the token it signed in with, stores it in the database, which
    /// stops the agent's inactivity timeouts, and sends it the <c>Connected</c> snapshot. The connection is closed
    /// when its session expires, so that an agent whose sign-in ended does not stay routable through the hub.
    /// </summary>
    /// <remarks>
    /// All of it runs under the agent's lock, the group membership included, so no push reaches the connection before
    /// its snapshot. A push that took the lock earlier went to the group without this connection, and a later one
    /// carries a higher sequence than the snapshot.
    /// </remarks>
    public async Task AddAsync(AgentKey agent, HubCallerContext connection, byte[] tokenHash, IClientProxy caller)
    {
        var channel = _channels.GetOrAdd(agent, _ => new AgentChannel());
        await channel.Lock.WaitAsync(connection.ConnectionAborted);
        try
        {
            await hub.Groups.AddToGroupAsync(connection.ConnectionId, agent.GroupName, connection.ConnectionAborted);
            var session = await agents.FindSessionAsync(tokenHash, connection.ConnectionAborted);
            var untilExpiry = session is null ? TimeSpan.Zero : session.ExpiresAt - time.GetUtcNow();
            var expiry = time.CreateTimer(
                _ => CloseExpired(agent, connection), null, untilExpiry > TimeSpan.Zero ? untilExpiry : TimeSpan.Zero,
                Timeout.InfiniteTimeSpan);
            channel.Connections[connection.ConnectionId] = new OpenConnection(connection, tokenHash, expiry);
            await activity.RecordHubConnectedAsync(
                Stored(agent, connection.ConnectionId), connection.ConnectionAborted);
            var work = await agents.GetWorkAsync(agent.TenantId, agent.AgentId, connection.ConnectionAborted);
            var message = new AgentWorkMessage(channel.Sequence, AgentHubProtocol.ConnectedReason, work);
            await caller.SendAsync(AgentHubProtocol.WorkMessage, message, connection.ConnectionAborted);
        }
        finally
        {
            channel.Lock.Release();
        }
    }

    /// <summary>
    /// Unregisters a closed connection and removes it from the database. When it was the agent's last one on any
    /// node, the hub disconnect timeout starts, and the deadline service is notified.
    /// </summary>
    public async Task RemoveAsync(AgentKey agent, string connectionId)
    {
        if (!_channels.TryGetValue(agent, out var channel))
        {
            return;
        }

        // The lock orders this against AddAsync, so a reconnect that races the close is not marked gone.
        await channel.Lock.WaitAsync(CancellationToken.None);
        try
        {
            // A connection closed for an ended session was removed from memory already, but not from the database.
            if (channel.Connections.TryRemove(connectionId, out var closed))
            {
                closed.Expiry.Dispose();
            }

            if (await activity.RecordHubClosedAsync(Stored(agent, connectionId), CancellationToken.None))
            {
                deadlines.Notify();
            }
        }
        finally
        {
            channel.Lock.Release();
        }
    }

    /// <summary>Whether the agent has an open hub connection on this node.</summary>
    public bool HasConnections(AgentKey agent) =>
        _channels.TryGetValue(agent, out var channel) && !channel.Connections.IsEmpty;

    /// <summary>Lists the open hub connections on this node in their stored form.</summary>
    public IReadOnlyList<AgentHubConnection> ListOpenConnections() =>
        [.. _channels.SelectMany(entry => entry.Value.Connections.Keys.Select(id => Stored(entry.Key, id)))];

    /// <summary>Lists the agents that have an open hub connection on this node.</summary>
    public IReadOnlyList<AgentKey> ListConnectedAgents() =>
        [.. _channels.Where(entry => !entry.Value.Connections.IsEmpty).Select(entry => entry.Key)];

    /// <summary>
    /// Reads the agent's work for a hub method to return. The pushes requested before it (<see cref="RequestPush"/>)
    /// and not sent yet are sent first with the same read, so the returned sequence is that of the last push.
    /// </summary>
    public async Task<AgentWorkMessage> ReadSnapshotAsync(
        AgentKey agent, string reason, CancellationToken cancellationToken)
    {
        var channel = _channels.GetOrAdd(agent, _ => new AgentChannel());
        await channel.Lock.WaitAsync(cancellationToken);
        try
        {
            // Only the pushes requested before the read are sure to find their change in it.
            var pending = channel.PendingReasons.Count;
            var work = await agents.GetWorkAsync(agent.TenantId, agent.AgentId, cancellationToken);
            if (pending > 0 && await CloseEndedSessionsAsync(agent, channel, cancellationToken) > 0)
            {
                await SendPendingAsync(agent, channel, pending, work, cancellationToken);
            }

            return new AgentWorkMessage(channel.Sequence, reason, work);
        }
        finally
        {
            channel.Lock.Release();
        }
    }

    /// <summary>
    /// Records that the agent's committed work changed, for the next <see cref="PushAsync"/> or
    /// <see cref="ReadSnapshotAsync"/> of the agent to send. Returns false when the agent has no connection here.
    /// </summary>
    public bool RequestPush(AgentKey agent, string reason)
    {
        if (!_channels.TryGetValue(agent, out var channel) || channel.Connections.IsEmpty)
        {
            return false;
        }

        channel.PendingReasons.Enqueue(reason);
        return true;
    }

    /// <summary>
    /// Sends the requested pushes of the agent that are still pending, each under the next sequence number, with
    /// one read of the agent's committed work for all of them. A connection whose session ended (sign-out, new
    /// password, expiry) is closed first and gets nothing.
    /// </summary>
    public async Task PushAsync(AgentKey agent, CancellationToken cancellationToken)
    {
        if (!_channels.TryGetValue(agent, out var channel))
        {
            return;
        }

        await channel.Lock.WaitAsync(cancellationToken);
        try
        {
            // A hub method's snapshot, or an earlier push, may have sent the pending pushes already.
            if (channel.PendingReasons.IsEmpty)
            {
                return;
            }

            if (await CloseEndedSessionsAsync(agent, channel, cancellationToken) == 0)
            {
                channel.PendingReasons.Clear();
                return;
            }

            var pending = channel.PendingReasons.Count;
            var work = await agents.GetWorkAsync(agent.TenantId, agent.AgentId, cancellationToken);
            await SendPendingAsync(agent, channel, pending, work, cancellationToken);
        }
        finally
        {
            channel.Lock.Release();
        }
    }

    /// <summary>
    /// Sends one message for each of the first <paramref name="count"/> pending reasons, all with the same work. The
    /// caller holds the agent's lock and counted them before it read the work, so the work contains their changes.
    /// A reason requested later stays for its own push.
    /// </summary>
    private async Task SendPendingAsync(
        AgentKey agent, AgentChannel channel, int count, AgentWork work, CancellationToken cancellationToken)
    {
        for (var sent = 0; sent < count && channel.PendingReasons.TryDequeue(out var reason); sent++)
        {
            channel.Sequence++;
            var message = new AgentWorkMessage(channel.Sequence, reason, work);
            await hub.Clients.Group(agent.GroupName).SendAsync(AgentHubProtocol.WorkMessage, message, cancellationToken);
        }
    }

    /// <summary>Closes the connections whose session ended and returns how many remain open.</summary>
    private async Task<int> CloseEndedSessionsAsync(
        AgentKey agent, AgentChannel channel, CancellationToken cancellationToken)
    {
        foreach (var (connectionId, connection) in channel.Connections)
        {
            if (await agents.FindSessionAsync(connection.TokenHash, cancellationToken) is not null)
            {
                continue;
            }

            await hub.Groups.RemoveFromGroupAsync(connectionId, agent.GroupName, cancellationToken);
            channel.Connections.TryRemove(connectionId, out _);
            connection.Expiry.Dispose();
            connection.Context.Abort();
            Log.SessionEnded(logger, agent.TenantId, agent.AgentId, connectionId);
        }

        return channel.Connections.Count;
    }

    private AgentHubConnection Stored(AgentKey agent, string connectionId) =>
        new(node.Id, connectionId, agent.TenantId, agent.AgentId);

    private sealed class AgentChannel
    {
        public SemaphoreSlim Lock { get; } = new(1, 1);

        public long Sequence { get; set; }

        /// <summary>The reasons of the pushes requested and not sent yet, oldest first.</summary>
        public ConcurrentQueue<string> PendingReasons { get; } = new();

        public ConcurrentDictionary<string, OpenConnection> Connections { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>
    /// Closes a connection whose session expired. The close runs the hub's disconnect path, so the agent becomes
    /// Offline after the hub disconnect timeout unless it signs in again and reconnects.
    /// </summary>
    private void CloseExpired(AgentKey agent, HubCallerContext connection)
    {
        Log.SessionExpired(logger, agent.TenantId, agent.AgentId, connection.ConnectionId);
        connection.Abort();
    }

    private sealed record OpenConnection(HubCallerContext Context, byte[] TokenHash, ITimer Expiry);

    private static partial class Log
    {
        [LoggerMessage(6105, LogLevel.Information,
            "Closed hub connection {ConnectionId} of agent {AgentId} of tenant {TenantId} because its session ended")]
        public static partial void SessionEnded(ILogger logger, long tenantId, string agentId, string connectionId);

        [LoggerMessage(6111, LogLevel.Information,
            "Closed hub connection {ConnectionId} of agent {AgentId} of tenant {TenantId} because its session expired")]
        public static partial void SessionExpired(ILogger logger, long tenantId, string agentId, string connectionId);
    }
}

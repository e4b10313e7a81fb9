namespace RoutedEmail.Storage.Abstractions;

/// <summary>
/// The server nodes that share the database, each with the time of its last heartbeat, from which the other nodes
/// find a node that stopped without closing its hub connections.
/// </summary>
public interface INodeStore
{
    /// <summary>Stores the node as running, with its start as its first heartbeat.</summary>
    Task RegisterNodeAsync(string nodeId, CancellationToken cancellationToken);

    /// <summary>
    /// Stores the node's heartbeat now. Returns false when the node is no longer registered, because another node
    /// found it silent for too long and removed it with its hub connections.
    /// </summary>
    Task<bool> RecordHeartbeatAsync(string nodeId, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the node and its remaining hub connections at a graceful stop, so that the other nodes do not take it
    /// for a crashed one. The hub disconnect timeout of each agent that lost a connection runs from now.
    /// </summary>
    Task UnregisterNodeAsync(string nodeId, CancellationToken cancellationToken);

    /// <summary>
    /// Removes every node other than <paramref name="exceptNodeId"/> whose last heartbeat is older than
    /// <paramref name="silentSince"/>, with its hub connections, and hub connections of unregistered nodes opened
    /// before that time. The hub disconnect timeout of each agent that lost a connection runs from the node's last
    /// heartbeat, unless a later close is stored.
    /// </summary>
    Task<IReadOnlyList<RemovedNode>> RemoveSilentNodesAsync(
        DateTimeOffset silentSince, string exceptNodeId, CancellationToken cancellationToken);
}

/// <summary>A node removed because its heartbeat stopped.</summary>
/// <param name="NodeId">The node.</param>
/// <param name="LastHeartbeat">The node's last heartbeat, or null for connections of a node that was not registered.</param>
/// <param name="Connections">The number of hub connections removed with it.</param>
public sealed record RemovedNode(string NodeId, DateTimeOffset? LastHeartbeat, int Connections);

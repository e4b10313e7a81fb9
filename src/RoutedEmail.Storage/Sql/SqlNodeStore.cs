using System.Data.Common;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>The tables nodes and hub_connections, as far as they concern whole nodes.</summary>
internal sealed class SqlNodeStore(SqlDatabase database, TimeProvider time) : INodeStore
{
    public Task RegisterNodeAsync(string nodeId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToStored();
        using var connection = database.Open();
        using var command = connection.Command(
            """
            INSERT INTO nodes (node_id, started_at, heartbeat_at) VALUES (@node, @now, @now)
            ON CONFLICT (node_id) DO UPDATE SET heartbeat_at = @now
            """, null);
        command.With("@node", nodeId).With("@now", now).ExecuteNonQuery();
        return Task.CompletedTask;
    }

    public Task<bool> RecordHeartbeatAsync(string nodeId, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command("UPDATE nodes SET heartbeat_at = @now WHERE node_id = @node", null);
        var updated = command.With("@now", time.GetUtcNow().ToStored()).With("@node", nodeId).ExecuteNonQuery();
        return Task.FromResult(updated == 1);
    }

    public Task UnregisterNodeAsync(string nodeId, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId: null);
        RemoveConnections(connection, transaction, nodeId, time.GetUtcNow().ToStored());
        using var command = connection.Command("DELETE FROM nodes WHERE node_id = @node", transaction);
        command.With("@node", nodeId).ExecuteNonQuery();
        transaction.Commit();
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<RemovedNode>> RemoveSilentNodesAsync(
        DateTimeOffset silentSince, string exceptNodeId, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId: null);
        var removed = new List<RemovedNode>();
        foreach (var (nodeId, lastHeartbeat) in ListSilentNodes(connection, transaction, silentSince, exceptNodeId))
        {
            var connections = RemoveConnections(connection, transaction, nodeId, lastHeartbeat);
            using var command = connection.Command("DELETE FROM nodes WHERE node_id = @node", transaction);
            command.With("@node", nodeId).ExecuteNonQuery();
            removed.Add(new RemovedNode(nodeId, SqlCommands.ToTime(lastHeartbeat), connections));
        }

        foreach (var (nodeId, lastConnected) in ListUnregisteredNodes(connection, transaction, silentSince, exceptNodeId))
        {
            removed.Add(new RemovedNode(nodeId, null, RemoveConnections(connection, transaction, nodeId, lastConnected)));
        }

        transaction.Commit();
        return Task.FromResult<IReadOnlyList<RemovedNode>>(removed);
    }

    private static List<(string NodeId, long LastHeartbeat)> ListSilentNodes(
        DbConnection connection, DbTransaction transaction, DateTimeOffset silentSince, string exceptNodeId)
    {
        using var command = connection.Command(
            "SELECT node_id, heartbeat_at FROM nodes WHERE heartbeat_at < @since AND node_id <> @self",
            transaction);
        command.With("@since", silentSince.ToStored()).With("@self", exceptNodeId);
        return ReadNodes(command);
    }

    /// <summary>
    /// Lists nodes that have hub connections but no registration, with their newest connection time. A node
    /// registers before it accepts connections, so such rows outlived a removal or a crash during start.
    /// </summary>
    private static List<(string NodeId, long LastHeartbeat)> ListUnregisteredNodes(
        DbConnection connection, DbTransaction transaction, DateTimeOffset silentSince, string exceptNodeId)
    {
        using var command = connection.Command(
            """
            SELECT node_id, MAX(connected_at) FROM hub_connections AS c
            WHERE node_id <> @self AND NOT EXISTS (SELECT 1 FROM nodes AS n WHERE n.node_id = c.node_id)
            GROUP BY node_id
            HAVING MAX(connected_at) < @since
            """, transaction);
        command.With("@since", silentSince.ToStored()).With("@self", exceptNodeId);
        return ReadNodes(command);
    }

    private static List<(string NodeId, long LastHeartbeat)> ReadNodes(DbCommand command)
    {
        var nodes = new List<(string, long)>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            nodes.Add((reader.GetString(0), reader.ReadInt64(1)));
        }

        return nodes;
    }

    /// <summary>
    /// Deletes the node's hub connections and stores <paramref name="goneAt"/> as the time their agents' last
    /// connection closed, unless a later close is stored. Returns how many connections were deleted.
    /// </summary>
    /// <remarks>
    /// A status chosen after the node's last heartbeat was most likely chosen over that node's hub, so the close
    /// is stored no earlier than that choice. Otherwise the REST timeout, not the hub timeout, would apply.
    /// </remarks>
    private static int RemoveConnections(DbConnection connection, DbTransaction transaction, string nodeId, long goneAt)
    {
        using (var update = connection.Command(
                   """
                   UPDATE agents
                   SET hub_gone_at = CASE WHEN status_chosen_at > @goneAt THEN status_chosen_at ELSE @goneAt END
                   WHERE (hub_gone_at IS NULL OR hub_gone_at < @goneAt)
                     AND EXISTS (SELECT 1 FROM hub_connections AS c
                                 WHERE c.node_id = @node
                                   AND c.tenant_id = agents.tenant_id AND c.agent_id = agents.agent_id)
                   """, transaction))
        {
            update.With("@goneAt", goneAt).With("@node", nodeId).ExecuteNonQuery();
        }

        using var delete = connection.Command("DELETE FROM hub_connections WHERE node_id = @node", transaction);
        return delete.With("@node", nodeId).ExecuteNonQuery();
    }
}

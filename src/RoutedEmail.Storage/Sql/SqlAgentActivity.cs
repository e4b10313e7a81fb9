using System.Data.Common;
using RoutedEmail.Core.Agents;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>The activity of agents: the columns last_request_at and hub_gone_at, and the table hub_connections.</summary>
internal sealed class SqlAgentActivityStore(SqlDatabase database, TimeProvider time) : IAgentActivityStore
{
    // An agent connected to the hub has no inactivity deadline. After its last hub connection closed, the hub
    // disconnect timeout runs, unless the agent chose a status since, through REST or after an earlier timeout.
    // A status the service set (Missed, or Offline by a timeout) does not count as chosen.
    // Otherwise the REST timeout runs from the later of its last request and its last status change.
    // A node that stops without closing its connections (a crash) leaves its rows in hub_connections until
    // another node, or the next start on SQLite, removes them as those of a silent node (SqlNodeStore).
    private const string HubGone = "hub_gone_at IS NOT NULL AND hub_gone_at >= status_chosen_at";

    private const string Deadline =
        $"""
        CASE
            WHEN EXISTS (SELECT 1 FROM hub_connections AS c
                         WHERE c.tenant_id = agents.tenant_id AND c.agent_id = agents.agent_id) THEN NULL
            WHEN {HubGone} THEN hub_gone_at + @hubTimeout
            WHEN last_request_at > status_since THEN last_request_at + @restTimeout
            ELSE status_since + @restTimeout
        END
        """;

    public Task RecordRequestAsync(long tenantId, string agentId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command(
            "UPDATE agents SET last_request_at = @at WHERE tenant_id = @tenant AND agent_id = @agent", null);
        command.With("@at", at.ToStored()).With("@tenant", tenantId).With("@agent", agentId).ExecuteNonQuery();
        return Task.CompletedTask;
    }

    public Task RecordHubConnectedAsync(
        AgentHubConnection hubConnection, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command(
            """
            INSERT INTO hub_connections (node_id, connection_id, tenant_id, agent_id, connected_at)
            VALUES (@node, @connection, @tenant, @agent, @now)
            ON CONFLICT (node_id, connection_id) DO NOTHING
            """, null);
        With(command, hubConnection).With("@now", time.GetUtcNow().ToStored()).ExecuteNonQuery();
        return Task.CompletedTask;
    }

    public Task<bool> RecordHubClosedAsync(AgentHubConnection hubConnection, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, hubConnection.TenantId);
        using (var delete = connection.Command(
                   "DELETE FROM hub_connections WHERE node_id = @node AND connection_id = @connection", transaction))
        {
            With(delete, hubConnection).ExecuteNonQuery();
        }

        // The close time is stored even when another connection remains, because the deadline ignores it while
        // any connection exists, and the close of the last one overwrites it.
        using (var update = connection.Command(
                   "UPDATE agents SET hub_gone_at = @now WHERE tenant_id = @tenant AND agent_id = @agent",
                   transaction))
        {
            With(update, hubConnection).With("@now", time.GetUtcNow().ToStored()).ExecuteNonQuery();
        }

        using var count = connection.Command(
            "SELECT COUNT(*) FROM hub_connections WHERE tenant_id = @tenant AND agent_id = @agent", transaction);
        var remaining = With(count, hubConnection).ExecuteInt64();
        transaction.Commit();
        return Task.FromResult(remaining == 0);
    }

    public Task<DateTimeOffset?> FindNextInactivityDeadlineAsync(
        TimeSpan restTimeout, TimeSpan hubTimeout, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command(
            $"SELECT MIN({Deadline}) FROM agents WHERE status <> 'Offline'", null);
        WithTimeouts(command, restTimeout, hubTimeout);
        var next = command.ExecuteInt64();
        return Task.FromResult(next is { } stored ? SqlCommands.ToTime(stored) : (DateTimeOffset?)null);
    }

    public Task<int?> SetOfflineIfInactiveAsync(
        long tenantId, string agentId, TimeSpan restTimeout, TimeSpan hubTimeout, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId);

        // Checked again under the tenant's lock, because the agent may have reconnected or made a request, on any
        // node, since the list was read.
        using var check = connection.Command(
            $"""
            SELECT COUNT(*) FROM agents
            WHERE tenant_id = @tenant AND agent_id = @agent AND status <> 'Offline' AND {Deadline} <= @now
            """, transaction);
        WithTimeouts(check, restTimeout, hubTimeout)
            .With("@tenant", tenantId).With("@agent", agentId).With("@now", now.ToStored());
        if (check.ExecuteInt64() == 0)
        {
            return Task.FromResult<int?>(null);
        }

        var withdrawn = AgentStatusTransitions.Apply(
            connection, transaction, tenantId, agentId, AgentStatus.Offline, awayReason: null, byTimeout: true, now);
        transaction.Commit();
        return Task.FromResult(withdrawn);
    }

    public Task<IReadOnlyList<InactiveAgent>> ListInactiveAgentsAsync(
        TimeSpan restTimeout, TimeSpan hubTimeout, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command(
            $"""
            SELECT tenant_id, agent_id, {HubGone} FROM agents
            WHERE status <> 'Offline' AND {Deadline} <= @now
            ORDER BY tenant_id, agent_id
            """, null);
        WithTimeouts(command, restTimeout, hubTimeout).With("@now", time.GetUtcNow().ToStored());
        var agents = new List<InactiveAgent>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            agents.Add(new InactiveAgent(reader.ReadInt64(0), reader.GetString(1), reader.GetBoolean(2)));
        }

        return Task.FromResult<IReadOnlyList<InactiveAgent>>(agents);
    }

    /// <summary>Adds the parameters @node, @connection, @tenant and @agent, which a command may leave unused.</summary>
    private static DbCommand With(DbCommand command, AgentHubConnection hubConnection) =>
        command.With("@node", hubConnection.NodeId).With("@connection", hubConnection.ConnectionId)
            .With("@tenant", hubConnection.TenantId).With("@agent", hubConnection.AgentId);

    private static DbCommand WithTimeouts(
        DbCommand command, TimeSpan restTimeout, TimeSpan hubTimeout) =>
        command.With("@restTimeout", (long)restTimeout.TotalMilliseconds)
            .With("@hubTimeout", (long)hubTimeout.TotalMilliseconds);
}

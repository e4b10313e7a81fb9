using System.Data.Common;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>The activity of agents: the columns last_request_at, hub_connected and hub_gone_at.</summary>
internal sealed class SqlAgentActivityStore(SqlDatabase database, TimeProvider time) : IAgentActivityStore
{
    // An agent connected to the hub has no inactivity deadline. After its last hub connection closed, the hub
    // disconnect timeout runs, unless the agent chose a status since, through REST or after an earlier timeout.
    // Otherwise the REST timeout runs from the later of its last request and its last status change.
    // NOTE: when a node stops without closing its connections (a crash), hub_connected stays set, and the agent
    // keeps its status until it connects and disconnects again.
    private const string HubGone = "hub_gone_at IS NOT NULL AND hub_gone_at >= status_since";

    private const string Deadline =
        $"""
        CASE
            WHEN hub_connected THEN NULL
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

    public Task RecordHubConnectedAsync(long tenantId, string agentId, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command(
            """
            UPDATE agents SET hub_connected = TRUE, hub_gone_at = NULL
            WHERE tenant_id = @tenant AND agent_id = @agent
            """, null);
        command.With("@tenant", tenantId).With("@agent", agentId).ExecuteNonQuery();
        return Task.CompletedTask;
    }

    public Task RecordHubGoneAsync(long tenantId, string agentId, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command(
            """
            UPDATE agents SET hub_connected = FALSE, hub_gone_at = @now
            WHERE tenant_id = @tenant AND agent_id = @agent
            """, null);
        command.With("@now", time.GetUtcNow().ToStored()).With("@tenant", tenantId).With("@agent", agentId)
            .ExecuteNonQuery();
        return Task.CompletedTask;
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

    private static DbCommand WithTimeouts(
        DbCommand command, TimeSpan restTimeout, TimeSpan hubTimeout) =>
        command.With("@restTimeout", (long)restTimeout.TotalMilliseconds)
            .With("@hubTimeout", (long)hubTimeout.TotalMilliseconds);
}

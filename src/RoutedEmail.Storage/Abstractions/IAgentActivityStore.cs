namespace RoutedEmail.Storage.Abstractions;

/// <summary>
/// The activity of agents: their last request and their hub connections, from which the service finds agents who
/// vanished without signing out.
/// </summary>
public interface IAgentActivityStore
{
    /// <summary>Stores the time of the agent's last authenticated request.</summary>
    Task RecordRequestAsync(long tenantId, string agentId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Stores an open hub connection of the agent. While the agent has one on any node, neither inactivity timeout
    /// runs.
    /// </summary>
    Task RecordHubConnectedAsync(AgentHubConnection hubConnection, CancellationToken cancellationToken);

    /// <summary>
    /// Removes a closed hub connection and stores the time. Returns true when the agent has no hub connection left
    /// on any node, so its hub disconnect timeout now runs.
    /// </summary>
    Task<bool> RecordHubClosedAsync(AgentHubConnection hubConnection, CancellationToken cancellationToken);

    /// <summary>
    /// Finds the earliest inactivity deadline of any agent that is not Offline, or null when there is none.
    /// </summary>
    Task<DateTimeOffset?> FindNextInactivityDeadlineAsync(
        TimeSpan restTimeout, TimeSpan hubTimeout, CancellationToken cancellationToken);

    /// <summary>
    /// Sets the agent Offline, with the event detail <c>Offline timeout</c>, if its inactivity deadline still has
    /// passed when checked under the tenant's lock. Returns the number of pending offers withdrawn, or null when the
    /// agent is no longer inactive or is Offline already, for example because another node set it Offline first.
    /// </summary>
    Task<int?> SetOfflineIfInactiveAsync(
        long tenantId, string agentId, TimeSpan restTimeout, TimeSpan hubTimeout, CancellationToken cancellationToken);

    /// <summary>Lists the agents that are not Offline and whose inactivity deadline has passed.</summary>
    Task<IReadOnlyList<InactiveAgent>> ListInactiveAgentsAsync(
        TimeSpan restTimeout, TimeSpan hubTimeout, CancellationToken cancellationToken);
}

/// <summary>An agent's hub connection on one server node.</summary>
/// <param name="NodeId">The node the connection is open on.</param>
/// <param name="ConnectionId">The connection's id, unique on its node.</param>
/// <param name="TenantId">The agent's tenant.</param>
/// <param name="AgentId">The agent.</param>
public sealed record AgentHubConnection(string NodeId, string ConnectionId, long TenantId, string AgentId);

/// <summary>An agent whose inactivity deadline passed.</summary>
/// <param name="TenantId">The agent's tenant.</param>
/// <param name="AgentId">The agent.</param>
/// <param name="HubGone">True when the hub disconnect timeout passed, false for the REST inactivity timeout.</param>
public sealed record InactiveAgent(long TenantId, string AgentId, bool HubGone);

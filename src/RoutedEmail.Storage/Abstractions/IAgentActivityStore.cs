namespace RoutedEmail.Storage.Abstractions;

/// <summary>
/// The activity of agents: their last request and their hub connections, from which the service finds agents who
/// vanished without signing out.
/// </summary>
public interface IAgentActivityStore
{
    /// <summary>Stores the time of the agent's last authenticated request.</summary>
    Task RecordRequestAsync(long tenantId, string agentId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Marks the agent as connected to the hub, which stops both inactivity timeouts.</summary>
    Task RecordHubConnectedAsync(long tenantId, string agentId, CancellationToken cancellationToken);

    /// <summary>
    /// Stores that the agent's last hub connection on this node closed now, which starts the hub disconnect timeout.
    /// </summary>
    Task RecordHubGoneAsync(long tenantId, string agentId, CancellationToken cancellationToken);

    /// <summary>
    /// Finds the earliest inactivity deadline of any agent that is not Offline, or null when there is none.
    /// </summary>
    Task<DateTimeOffset?> FindNextInactivityDeadlineAsync(
        TimeSpan restTimeout, TimeSpan hubTimeout, CancellationToken cancellationToken);

    /// <summary>Lists the agents that are not Offline and whose inactivity deadline has passed.</summary>
    Task<IReadOnlyList<InactiveAgent>> ListInactiveAgentsAsync(
        TimeSpan restTimeout, TimeSpan hubTimeout, CancellationToken cancellationToken);
}

/// <summary>An agent whose inactivity deadline passed.</summary>
/// <param name="TenantId">The agent's tenant.</param>
/// <param name="AgentId">The agent.</param>
/// <param name="HubGone">True when the hub disconnect timeout passed, false for the REST inactivity timeout.</param>
public sealed record InactiveAgent(long TenantId, string AgentId, bool HubGone);

using RoutedEmail.Core.Agents;

namespace RoutedEmail.Storage.Abstractions;

/// <summary>Agent sessions, status and work.</summary>
public interface IAgentStore
{
    /// <summary>Finds the stored password hash of an agent, or null when the agent does not exist.</summary>
    Task<string?> FindPasswordHashAsync(long tenantId, string agentId, CancellationToken cancellationToken);

    /// <summary>Stores a new session token hash for an agent.</summary>
    Task CreateSessionAsync(
        long tenantId, string agentId, byte[] tokenHash, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Deletes a session, so that its token stops being accepted at once.</summary>
    Task EndSessionAsync(byte[] tokenHash, CancellationToken cancellationToken);

    /// <summary>Finds an unexpired session by token hash.</summary>
    Task<AgentSession?> FindSessionAsync(byte[] tokenHash, CancellationToken cancellationToken);

    /// <summary>
    /// Sets an agent's status. Leaving Available withdraws the agent's pending offers, which go back to their queue
    /// at their original place.
    /// </summary>
    /// <returns>The number of offers withdrawn.</returns>
    Task<int> SetStatusAsync(long tenantId, string agentId, AgentStatus status, CancellationToken cancellationToken);

    /// <summary>Reads an agent's status, pending offers and accepted emails.</summary>
    Task<AgentWork> GetWorkAsync(long tenantId, string agentId, CancellationToken cancellationToken);

    /// <summary>Accepts a pending offer of this agent, making its email Active.</summary>
    Task<AgentActionOutcome> AcceptAsync(
        long tenantId, string agentId, long offerId, CancellationToken cancellationToken);

    /// <summary>Completes an Active email of this agent.</summary>
    Task<AgentActionOutcome> CompleteAsync(
        long tenantId, string agentId, long emailId, string? workCode, string? notes,
        CancellationToken cancellationToken);
}

/// <summary>A signed-in agent's session.</summary>
/// <param name="TenantId">The agent's tenant.</param>
/// <param name="AgentId">The agent.</param>
/// <param name="ExpiresAt">When the token stops being accepted.</param>
public sealed record AgentSession(long TenantId, string AgentId, DateTimeOffset ExpiresAt);

/// <summary>The outcome of an agent's accept or complete.</summary>
/// <param name="Status">What happened.</param>
/// <param name="CurrentState">For a conflict, the current state of the offer or email, in words.</param>
public sealed record AgentActionOutcome(AgentActionStatus Status, string? CurrentState = null);

/// <summary>What an agent's accept or complete did.</summary>
public enum AgentActionStatus
{
    /// <summary>The transition happened.</summary>
    Done,

    /// <summary>The same request was already applied, so nothing changed.</summary>
    AlreadyDone,

    /// <summary>No offer or email with this id belongs to the agent.</summary>
    NotFound,

    /// <summary>The offer or email is in a state that does not allow the transition.</summary>
    Conflict,
}

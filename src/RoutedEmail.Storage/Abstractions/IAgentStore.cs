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
    /// Sets an agent's status and away reason. Leaving Available withdraws the agent's pending offers, which go back
    /// to their queue at their original place. The <c>AgentStatusChanged</c> event's detail is the status, followed
    /// by a space and the reason code when there is one, such as <c>Away lunch</c>.
    /// </summary>
    /// <param name="tenantId">The agent's tenant.</param>
    /// <param name="agentId">The agent.</param>
    /// <param name="status">The new status.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <param name="awayReason">The away reason code, only with <see cref="AgentStatus.Away"/>; null for none.</param>
    /// <param name="supervisor">
    /// The user who sets the status from the supervisor API, recorded in a <c>SupervisorAction</c> event in the
    /// same transaction; null when the agent sets it.
    /// </param>
    /// <returns>The number of offers withdrawn.</returns>
    Task<int> SetStatusAsync(
        long tenantId, string agentId, AgentStatus status, CancellationToken cancellationToken,
        string? awayReason = null, string? supervisor = null);

    /// <summary>Reads an agent's status, pending offers and accepted emails.</summary>
    Task<AgentWork> GetWorkAsync(long tenantId, string agentId, CancellationToken cancellationToken);

    /// <summary>Accepts a pending offer of this agent, making its email Active.</summary>
    Task<AgentActionOutcome> AcceptAsync(
        long tenantId, string agentId, long offerId, CancellationToken cancellationToken);

    /// <summary>
    /// Declines a pending offer of this agent: the email goes back to its queue at its original place and its
    /// decline count grows by one.
    /// </summary>
    Task<AgentActionOutcome> DeclineAsync(
        long tenantId, string agentId, long offerId, CancellationToken cancellationToken);

    /// <summary>
    /// Completes an Active email of this agent. The email enters Wrap when the agent's wrap time, or else its
    /// queue's, is above zero, and becomes Completed otherwise. The work code is checked against the queue's work
    /// code groups and <c>workCodeRequired</c>; an empty code counts as none.
    /// </summary>
    Task<AgentActionOutcome> CompleteAsync(
        long tenantId, string agentId, long emailId, string? workCode, string? notes,
        CancellationToken cancellationToken);

    /// <summary>Ends the wrap time of an email of this agent now, making it Completed.</summary>
    Task<AgentActionOutcome> EndWrapAsync(
        long tenantId, string agentId, long emailId, CancellationToken cancellationToken);

    /// <summary>
    /// Stores the count of the agent's tasks on other channels, which counts against its maximum of concurrent
    /// tasks. A higher count withdraws no offer and no email.
    /// </summary>
    /// <returns>True when the count changed.</returns>
    Task<bool> SetOtherWorkAsync(long tenantId, string agentId, int count, CancellationToken cancellationToken);

    /// <summary>
    /// Transfers an Active email of this agent and frees the agent's capacity. With a skill queue, the email goes
    /// back to Queued in that queue with its priority and enqueue time. With a target agent, the email is offered
    /// to that agent only, with the timeout of the email's current queue. Exactly one of the two is given. A
    /// <paramref name="supervisor"/> who transfers the email from the supervisor API is recorded in a
    /// <c>SupervisorAction</c> event in the same transaction; it is null when the agent transfers.
    /// </summary>
    Task<AgentActionOutcome> TransferAsync(
        long tenantId, string agentId, long emailId, string? skillQueue, string? targetAgentId,
        CancellationToken cancellationToken, string? supervisor = null);
}

/// <summary>A signed-in agent's session.</summary>
/// <param name="TenantId">The agent's tenant.</param>
/// <param name="AgentId">The agent.</param>
/// <param name="ExpiresAt">When the token stops being accepted.</param>
public sealed record AgentSession(long TenantId, string AgentId, DateTimeOffset ExpiresAt);

/// <summary>The outcome of an agent's action on an offer or email.</summary>
/// <param name="Status">What happened.</param>
/// <param name="CurrentState">For a conflict, the current state of the offer or email, in words.</param>
/// <param name="Event">When the action changed something, the event it appended, such as <c>WrapStarted</c>.</param>
/// <param name="AllowedWorkCodes">
/// For <see cref="AgentActionStatus.InvalidWorkCode"/>, the codes of the queue's work code groups; empty when the
/// queue has no groups, so any code is allowed.
/// </param>
/// <param name="OfferedTo">For a transfer to an agent, the agent who got the new offer.</param>
public sealed record AgentActionOutcome(
    AgentActionStatus Status, string? CurrentState = null, string? Event = null,
    IReadOnlyList<string>? AllowedWorkCodes = null, string? OfferedTo = null);

/// <summary>What an agent's action on an offer or email did.</summary>
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

    /// <summary>
    /// The work code is missing although the queue requires one, or is not in the queue's work code groups.
    /// Nothing changed.
    /// </summary>
    InvalidWorkCode,

    /// <summary>The transfer names a skill queue that does not exist. Nothing changed.</summary>
    UnknownSkillQueue,

    /// <summary>The transfer names an agent that does not exist, or the transferring agent. Nothing changed.</summary>
    UnknownAgent,

    /// <summary>
    /// The transfer names an agent who cannot take the email now: not Available, or at a maximum.
    /// <see cref="AgentActionOutcome.CurrentState"/> names the agent's status, or <c>AtMaximum</c>. Nothing changed.
    /// </summary>
    AgentUnavailable,
}

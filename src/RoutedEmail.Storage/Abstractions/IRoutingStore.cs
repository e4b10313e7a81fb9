namespace RoutedEmail.Storage.Abstractions;

/// <summary>Routing steps: offering waiting email to routable agents in one transaction.</summary>
public interface IRoutingStore
{
    /// <summary>Lists the ids of every tenant, so routing can resume for each after a start.</summary>
    Task<IReadOnlyList<long>> ListTenantIdsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Offers waiting email to Available agents of a tenant until no agent below its maximum serves a queue with
    /// waiting email it may be offered. Each offer and its event are committed before this returns.
    /// </summary>
    /// <param name="tenantId">The tenant to route.</param>
    /// <param name="declineSkip">
    /// The skip period: an agent who declined an email, or let its offer expire, less than this long ago is not
    /// offered that email again, even when no other agent can take it.
    /// </param>
    /// <param name="cancellationToken">Cancels the step before it starts.</param>
    /// <returns>The offers made.</returns>
    Task<IReadOnlyList<OfferMade>> RouteAsync(
        long tenantId, TimeSpan declineSkip, CancellationToken cancellationToken);

    /// <summary>
    /// Updates the stored unattended flag of each of the tenant's skill queues, in one transaction, and appends a
    /// QueueUnattended or QueueAttended event for each queue whose flag changed. A queue is unattended while it has
    /// Queued email and no agent whose status is not Offline has it in its routing profile.
    /// </summary>
    /// <returns>The queues whose flag changed.</returns>
    Task<IReadOnlyList<QueueAttendanceChanged>> UpdateQueueAttendanceAsync(
        long tenantId, CancellationToken cancellationToken);

    /// <summary>Finds the earliest deadline of any pending offer, or null when no offer is pending.</summary>
    Task<DateTimeOffset?> FindNextOfferDeadlineAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Finds the next moment at which an email may reach its queue's escalation time. That is the earliest
    /// escalation time of a waiting email that is not escalated yet. For a queue with a rule and no such email, it is
    /// now plus the queue's escalation time, because no new email can reach it sooner. Null when no queue has a rule.
    /// </summary>
    Task<DateTimeOffset?> FindNextEscalationAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Escalates every waiting email that has reached its queue's escalation time, in one transaction per tenant.
    /// Its priority rises by the queue's amount, at most to the highest priority, and the queue's overflow queue is
    /// recorded with it. An Escalated event is appended, and each email is escalated once per queue it waits in.
    /// </summary>
    /// <returns>The emails escalated.</returns>
    Task<IReadOnlyList<EmailEscalated>> EscalateDueEmailsAsync(CancellationToken cancellationToken);

    /// <summary>Finds the earliest end of any email's wrap time, or null when no email is in Wrap.</summary>
    Task<DateTimeOffset?> FindNextWrapEndAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Finds the earliest moment after <paramref name="after"/> at which the skip period of a waiting email ends for
    /// some agent, or null when there is none. The caller passes the time up to which it has handled ended skip
    /// periods, so a period that ends while it works is returned, even if that moment has passed.
    /// </summary>
    Task<DateTimeOffset?> FindNextSkipEndAsync(
        DateTimeOffset after, TimeSpan declineSkip, CancellationToken cancellationToken);

    /// <summary>
    /// Lists the tenants in which the skip period of a waiting email ended after <paramref name="after"/> and no
    /// later than now, so that routing can offer those emails to the agents they skipped.
    /// </summary>
    Task<IReadOnlyList<long>> ListTenantsWithSkipsEndedAsync(
        DateTimeOffset after, TimeSpan declineSkip, CancellationToken cancellationToken);

    /// <summary>
    /// Completes every email whose wrap time has ended, in one transaction per tenant, freeing each agent's capacity.
    /// An email another node completed first is skipped.
    /// </summary>
    /// <returns>The emails completed.</returns>
    Task<IReadOnlyList<WrapEnded>> EndDueWrapsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Expires every pending offer whose deadline has passed, in one transaction per tenant. Each email goes back to
    /// its queue at its original place, each Available agent involved becomes Missed, and those agents' other
    /// pending offers are withdrawn. An offer another node closed first is skipped.
    /// </summary>
    /// <returns>The offers expired.</returns>
    Task<IReadOnlyList<OfferExpired>> ExpireDueOffersAsync(CancellationToken cancellationToken);
}

/// <summary>An offer created by a routing step.</summary>
/// <param name="OfferId">The offer's id.</param>
/// <param name="EmailId">The offered email.</param>
/// <param name="EntityId">The offered email's entity id.</param>
/// <param name="AgentId">The agent it is offered to.</param>
/// <param name="ExpiresAt">When the offer expires unless the agent accepts or declines it first.</param>
/// <param name="Queue">The skill queue it was offered from: its own, or the overflow queue the agent serves.</param>
/// <param name="EnqueuedAt">The email's enqueue time, which a decline or an expiry keeps.</param>
public sealed record OfferMade(
    long OfferId, long EmailId, string EntityId, string AgentId, DateTimeOffset ExpiresAt, string Queue,
    DateTimeOffset EnqueuedAt);

/// <summary>A skill queue that became unattended, or attended again.</summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="Queue">The skill queue's name.</param>
/// <param name="Unattended">True when the queue became unattended, false when it is attended again.</param>
public sealed record QueueAttendanceChanged(long TenantId, string Queue, bool Unattended);

/// <summary>An offer closed because its deadline passed.</summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="OfferId">The expired offer.</param>
/// <param name="EmailId">The email, now back in its queue.</param>
/// <param name="EntityId">The email's entity id.</param>
/// <param name="AgentId">The agent who let the offer expire.</param>
public sealed record OfferExpired(long TenantId, long OfferId, long EmailId, string EntityId, string AgentId);

/// <summary>An email completed because its wrap time ended.</summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="EmailId">The email, now Completed.</param>
/// <param name="EntityId">The email's entity id.</param>
/// <param name="AgentId">The agent whose capacity was freed.</param>
public sealed record WrapEnded(long TenantId, long EmailId, string EntityId, string AgentId);

/// <summary>A waiting email escalated because it waited its queue's escalation time.</summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="EmailId">The email.</param>
/// <param name="EntityId">The email's entity id.</param>
/// <param name="Queue">The skill queue it waits in.</param>
/// <param name="PreviousPriority">Its priority before.</param>
/// <param name="Priority">Its priority now.</param>
/// <param name="OverflowQueue">The queue whose agents may now take it too; null for none.</param>
public sealed record EmailEscalated(
    long TenantId, long EmailId, string EntityId, string Queue, int PreviousPriority, int Priority,
    string? OverflowQueue);

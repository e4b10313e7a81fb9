using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Emails;
using RoutedEmail.Core.Routing;

namespace RoutedEmail.Core.Explanations;

/// <summary>The routed email to explain.</summary>
/// <param name="EmailId">The email's server id.</param>
/// <param name="EntityId">The client's entity id.</param>
/// <param name="State">The email's state now.</param>
/// <param name="Queue">The skill queue the email is in.</param>
/// <param name="Priority">The email's priority; a larger number is served first.</param>
/// <param name="EnqueuedAt">When the email entered its queue.</param>
/// <param name="AgentId">The agent holding the email, or null while it is Queued.</param>
public sealed record ExplainedEmail(
    long EmailId, string EntityId, RoutedEmailState State, string Queue, int Priority, DateTimeOffset EnqueuedAt,
    string? AgentId)
{
    /// <summary>When the email was escalated in its queue, or null when it was not.</summary>
    public DateTimeOffset? EscalatedAt { get; init; }

    /// <summary>The queue whose agents may also take the email since its escalation, or null.</summary>
    public string? OverflowQueue { get; init; }
}

/// <summary>
/// An agent whose routing profile contains the email's queue or its overflow queue, as the router would see it now.
/// </summary>
/// <param name="AgentId">The agent's identifier.</param>
/// <param name="Status">The agent's status.</param>
/// <param name="EmailsHeld">The agent's Offered, Active and Wrap emails.</param>
/// <param name="MaxConcurrentEmails">The agent's maximum of concurrent emails.</param>
/// <param name="Ranks">The agent's rank for each queue of its profile, by queue name; 1 is the best.</param>
public sealed record ExplainedAgent(
    string AgentId, AgentStatus Status, int EmailsHeld, int MaxConcurrentEmails,
    IReadOnlyDictionary<string, int> Ranks)
{
    /// <summary>Tasks the agent has on other channels, which count against <see cref="MaxConcurrentTasks"/>.</summary>
    public int OtherWork { get; init; }

    /// <summary>The agent's maximum of concurrent tasks of all channels; null means the email maximum.</summary>
    public int? MaxConcurrentTasks { get; init; }

    /// <summary>When the agent's skip period for this email ends, or null when none is running.</summary>
    public DateTimeOffset? SkippedUntil { get; init; }

    /// <summary>Whether the running skip period started with an expiry rather than a decline.</summary>
    public bool SkippedAfterExpiry { get; init; }
}

/// <summary>Everything the explanation of a Queued email reads.</summary>
/// <param name="Email">The email.</param>
/// <param name="Waiting">
/// Every email in the routing list of the email's queue, in any order: the queue's Queued emails and the Queued
/// emails whose overflow queue it is.
/// </param>
/// <param name="Agents">The agents whose routing profile contains the email's queue or its overflow queue.</param>
/// <param name="OtherQueueHeads">
/// The first email in the routing list of each other queue in those agents' profiles. Entries for the email's queue
/// and its overflow queue are ignored, because <paramref name="Waiting"/> and <see cref="OverflowWaiting"/> give
/// those lists whole.
/// </param>
/// <param name="Now">The time the explanation is for.</param>
public sealed record QueuedEmailInputs(
    ExplainedEmail Email, IReadOnlyList<QueueHead> Waiting, IReadOnlyList<ExplainedAgent> Agents,
    IReadOnlyDictionary<string, QueueHead> OtherQueueHeads, DateTimeOffset Now)
{
    /// <summary>
    /// Every email in the routing list of the email's overflow queue, in any order, the email itself included.
    /// Default: empty, as for an email without an overflow queue.
    /// </summary>
    public IReadOnlyList<QueueHead> OverflowWaiting { get; init; } = [];
}

/// <summary>The routing inputs recorded when an email was offered to the agent holding it.</summary>
/// <param name="AgentId">The chosen agent.</param>
/// <param name="Rank">The agent's rank for the email's queue at offer time; null when not recorded.</param>
/// <param name="EmailsHeld">The emails the agent held just before the offer; null when not recorded.</param>
/// <param name="IdleSince">When the agent had last become Available or freed a slot; null when not recorded.</param>
public sealed record ChosenAgent(string AgentId, int? Rank, int? EmailsHeld, DateTimeOffset? IdleSince)
{
    /// <summary>
    /// The queue the agent was chosen for: the email's own queue, or the overflow queue after an escalation; null
    /// when not recorded.
    /// </summary>
    public string? Queue { get; init; }
}

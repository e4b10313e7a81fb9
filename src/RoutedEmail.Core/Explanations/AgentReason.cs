namespace RoutedEmail.Core.Explanations;

/// <summary>
/// Why an agent that serves the email's queue, or the overflow queue of an escalated email, is not taking a Queued
/// email now.
/// </summary>
public enum AgentReason
{
    /// <summary>The agent is signed out.</summary>
    Offline,

    /// <summary>The agent is signed in but not taking work.</summary>
    Away,

    /// <summary>The agent let an offer expire and has not chosen Available again.</summary>
    Missed,

    /// <summary>The agent has as many Offered, Active and Wrap emails as its maximum allows.</summary>
    AtCapacity,

    /// <summary>The agent declined this email, or let its offer expire, and its skip period is running.</summary>
    Skipped,

    /// <summary>A queue the agent ranks better has waiting email, so the agent takes that first.</summary>
    ServingBetterQueue,

    /// <summary>The agent can take email from this queue, and only earlier emails are ahead of this one.</summary>
    NextInLine,
}

/// <summary>One agent's line in an explanation.</summary>
/// <param name="AgentId">The agent's identifier.</param>
/// <param name="Status">The agent's status, such as <c>Available</c>.</param>
/// <param name="Reason">Why the agent is not taking the email now.</param>
/// <param name="Detail">The reason in plain words, for a supervisor.</param>
public sealed record AgentExplanation(string AgentId, string Status, AgentReason Reason, string Detail)
{
    /// <summary>
    /// The queue through which the agent would take the email: the email's own queue, or its overflow queue for an
    /// agent that serves only the overflow queue or ranks it better.
    /// </summary>
    public string Queue { get; init; } = string.Empty;

    /// <summary>The agent's rank for <see cref="Queue"/>; 1 is the best.</summary>
    public int Rank { get; init; }

    /// <summary>The agent's Offered, Active and Wrap emails.</summary>
    public int EmailsHeld { get; init; }

    /// <summary>The agent's maximum of concurrent emails.</summary>
    public int MaxConcurrentEmails { get; init; }

    /// <summary>When the skip period ends; set only for <see cref="AgentReason.Skipped"/>.</summary>
    public DateTimeOffset? SkippedUntil { get; init; }

    /// <summary>The queue the agent serves first; set only for <see cref="AgentReason.ServingBetterQueue"/>.</summary>
    public string? BetterQueue { get; init; }
}

/// <summary>Why a routed email is where it is: the response body of the explanation endpoints.</summary>
/// <param name="EntityId">The client's entity id.</param>
/// <param name="State">The email's state, such as <c>Queued</c>.</param>
/// <param name="Summary">One or two sentences for a supervisor.</param>
/// <param name="Agents">
/// For a Queued email, every agent serving its queue or, once it is escalated, its overflow queue; otherwise empty.
/// </param>
public sealed record EmailExplanation(
    string EntityId, string State, string Summary, IReadOnlyList<AgentExplanation> Agents)
{
    /// <summary>
    /// The email's 1-based place in its own queue's routing list, which includes emails that overflowed into the
    /// queue; set only while Queued.
    /// </summary>
    public int? Position { get; init; }

    /// <summary>
    /// How many emails are in the queue's routing list, overflowed ones included; set only while Queued.
    /// </summary>
    public int? QueueSize { get; init; }

    /// <summary>The agent holding the email and the inputs it was chosen on; set while Offered, Active or Wrap.</summary>
    public ChosenAgent? Chosen { get; init; }

    /// <summary>When the email was escalated in its queue; null when it was not.</summary>
    public DateTimeOffset? EscalatedAt { get; init; }

    /// <summary>The queue whose agents may also take the email since its escalation; null for none.</summary>
    public string? OverflowQueue { get; init; }
}

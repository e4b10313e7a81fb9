namespace RoutedEmail.Core.Emails;

/// <summary>A routed email as integrators, agents and administrators see it.</summary>
/// <param name="EmailId">The server's identifier.</param>
/// <param name="EntityId">The client's identifier of the request.</param>
/// <param name="State">The lifecycle state.</param>
/// <param name="OwnerId">The owner id that chose the routed email configuration.</param>
/// <param name="SkillQueue">The queue the email is in or was routed from.</param>
/// <param name="Priority">The priority; a larger number is served first.</param>
/// <param name="AgentId">The agent who has or last had the email, or null.</param>
/// <param name="FromAddress">The original sender.</param>
/// <param name="ToAddress">The original recipient.</param>
/// <param name="Subject">The subject line.</param>
/// <param name="Attributes">The attributes sent with the request.</param>
/// <param name="EnqueuedAt">When the email entered its queue; the routing order uses it.</param>
/// <param name="History">Every event of the email, oldest first.</param>
/// <param name="DeclineCount">How many offers of this email agents declined.</param>
/// <param name="ExpiryCount">How many offers of this email expired before the agent accepted.</param>
/// <param name="WrapEndsAt">In the Wrap state, when the wrap time ends and the email becomes Completed; else null.</param>
public sealed record RoutedEmailDetails(
    long EmailId,
    string EntityId,
    RoutedEmailState State,
    string OwnerId,
    string SkillQueue,
    int Priority,
    string? AgentId,
    string FromAddress,
    string ToAddress,
    string Subject,
    IReadOnlyList<EmailAttribute> Attributes,
    DateTimeOffset EnqueuedAt,
    IReadOnlyList<HistoryEntry> History,
    int DeclineCount = 0,
    int ExpiryCount = 0,
    DateTimeOffset? WrapEndsAt = null)
{
    /// <summary>When the email was escalated in its current queue; null when it was not.</summary>
    public DateTimeOffset? EscalatedAt { get; init; }

    /// <summary>The queue whose agents may also take the email since its escalation; null for none.</summary>
    public string? OverflowQueue { get; init; }
}

/// <summary>One event in a routed email's history.</summary>
/// <param name="At">When the event happened.</param>
/// <param name="Event">The event type, one of <see cref="EventTypes"/>.</param>
/// <param name="AgentId">The agent involved, or null.</param>
public sealed record HistoryEntry(DateTimeOffset At, string Event, string? AgentId);

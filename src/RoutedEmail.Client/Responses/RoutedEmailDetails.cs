namespace RoutedEmail.Client;

/// <summary>The state of a routed email.</summary>
public enum RoutedEmailState
{
    /// <summary>Waiting in its skill queue.</summary>
    Queued,

    /// <summary>Offered to an agent who has not accepted it yet.</summary>
    Offered,

    /// <summary>Accepted by an agent, who is working on it.</summary>
    Active,

    /// <summary>Finished by the agent, who is in wrap time.</summary>
    Wrap,

    /// <summary>Completed by an agent.</summary>
    Completed,

    /// <summary>Cancelled by the integrator.</summary>
    Canceled,
}

/// <summary>One event in the history of a routed email.</summary>
/// <param name="At">When the event happened.</param>
/// <param name="Event">The event, such as <c>Received</c>, <c>Offered</c> or <c>Completed</c>.</param>
/// <param name="AgentId">The agent involved, or null.</param>
public sealed record RoutedEmailHistoryEntry(DateTimeOffset At, string Event, string? AgentId);

/// <summary>A key and value of a stored routed email.</summary>
/// <param name="Key">The attribute's key.</param>
/// <param name="Value">The attribute's value.</param>
public sealed record RoutedEmailAttributeValue(string Key, string Value);

/// <summary>A routed email as the service stores it: its state, queue, agent and history.</summary>
public sealed record RoutedEmailDetails
{
    /// <summary>The service's id of the email.</summary>
    public long EmailId { get; init; }

    /// <summary>The entity id it was sent with.</summary>
    public required string EntityId { get; init; }

    /// <summary>The current state.</summary>
    public RoutedEmailState State { get; init; }

    /// <summary>The owner id it was sent with.</summary>
    public required string OwnerId { get; init; }

    /// <summary>The skill queue it is routed through.</summary>
    public required string SkillQueue { get; init; }

    /// <summary>Its priority. A larger number is served first.</summary>
    public int Priority { get; init; }

    /// <summary>The agent it is offered to or held by, or null.</summary>
    public string? AgentId { get; init; }

    /// <summary>The original From address.</summary>
    public string FromAddress { get; init; } = string.Empty;

    /// <summary>The original To address.</summary>
    public string ToAddress { get; init; } = string.Empty;

    /// <summary>The subject.</summary>
    public string Subject { get; init; } = string.Empty;

    /// <summary>The attributes it was sent with.</summary>
    public IReadOnlyList<RoutedEmailAttributeValue> Attributes { get; init; } = [];

    /// <summary>When it entered its queue.</summary>
    public DateTimeOffset EnqueuedAt { get; init; }

    /// <summary>Its events, oldest first.</summary>
    public IReadOnlyList<RoutedEmailHistoryEntry> History { get; init; } = [];

    /// <summary>How many offers of it agents declined.</summary>
    public int DeclineCount { get; init; }

    /// <summary>How many offers of it expired.</summary>
    public int ExpiryCount { get; init; }

    /// <summary>When its wrap time ends, set only in <see cref="RoutedEmailState.Wrap"/>.</summary>
    public DateTimeOffset? WrapEndsAt { get; init; }

    /// <summary>When it was escalated in its queue, or null.</summary>
    public DateTimeOffset? EscalatedAt { get; init; }

    /// <summary>The overflow queue it was escalated to, or null.</summary>
    public string? OverflowQueue { get; init; }
}

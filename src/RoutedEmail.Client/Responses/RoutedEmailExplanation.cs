namespace RoutedEmail.Client;

/// <summary>Where a routed email is and why: its place in the queue and each agent's reason.</summary>
public sealed record RoutedEmailExplanation
{
    /// <summary>The entity id.</summary>
    public required string EntityId { get; init; }

    /// <summary>The state, such as <c>Queued</c>.</summary>
    public required string State { get; init; }

    /// <summary>One sentence on why the email is where it is.</summary>
    public required string Summary { get; init; }

    /// <summary>The email's place in its queue, 1 for the next, or null unless it is queued.</summary>
    public int? Position { get; init; }

    /// <summary>The number of emails waiting in its queue, or null unless it is queued.</summary>
    public int? QueueSize { get; init; }

    /// <summary>Each agent of the queue and why it does or does not get the email.</summary>
    public IReadOnlyList<AgentExplanation> Agents { get; init; } = [];

    /// <summary>The agent the email was offered to, with the inputs of that choice, or null.</summary>
    public ChosenAgentExplanation? Chosen { get; init; }

    /// <summary>When the email was escalated, or null.</summary>
    public DateTimeOffset? EscalatedAt { get; init; }

    /// <summary>The overflow queue it was escalated to, or null.</summary>
    public string? OverflowQueue { get; init; }
}

/// <summary>One agent's status and the reason it does or does not get an email.</summary>
public sealed record AgentExplanation
{
    /// <summary>The agent.</summary>
    public required string AgentId { get; init; }

    /// <summary>The agent's status, such as <c>Available</c>.</summary>
    public required string Status { get; init; }

    /// <summary>The reason, such as <c>AtCapacity</c> or <c>NextInLine</c>.</summary>
    public required string Reason { get; init; }

    /// <summary>The reason in one sentence.</summary>
    public string Detail { get; init; } = string.Empty;

    /// <summary>The queue the agent would take the email through.</summary>
    public string Queue { get; init; } = string.Empty;

    /// <summary>The agent's rank for that queue, 1 for the best.</summary>
    public int Rank { get; init; }

    /// <summary>The emails the agent holds.</summary>
    public int EmailsHeld { get; init; }

    /// <summary>The agent's maximum of concurrent emails.</summary>
    public int MaxConcurrentEmails { get; init; }

    /// <summary>Until when the agent is skipped after declining the email, or null.</summary>
    public DateTimeOffset? SkippedUntil { get; init; }

    /// <summary>A queue the agent serves first, or null.</summary>
    public string? BetterQueue { get; init; }
}

/// <summary>The agent an email was offered to, with the routing inputs recorded at that time.</summary>
/// <param name="AgentId">The agent.</param>
/// <param name="Rank">The agent's rank for the queue, or null when not recorded.</param>
/// <param name="EmailsHeld">The emails the agent held just before the offer, or null.</param>
/// <param name="IdleSince">When the agent had last become free, or null.</param>
/// <param name="Queue">The queue the agent was chosen for, or null.</param>
public sealed record ChosenAgentExplanation(
    string AgentId, int? Rank, int? EmailsHeld, DateTimeOffset? IdleSince, string? Queue);

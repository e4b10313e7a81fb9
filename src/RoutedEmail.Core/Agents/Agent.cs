namespace RoutedEmail.Core.Agents;

/// <summary>A skill queue in an agent's routing profile.</summary>
/// <param name="Name">The skill queue's name.</param>
/// <param name="Rank">The queue's rank for this agent; 1 is the best.</param>
public sealed record SkillAssignment(string Name, int Rank);

/// <summary>An agent as defined by an administrator, with the current routing status.</summary>
/// <param name="AgentId">The agent's identifier, unique within a tenant.</param>
/// <param name="DisplayName">The name shown to supervisors.</param>
/// <param name="MaxConcurrentEmails">Maximum routed emails offered to or held by the agent at once.</param>
/// <param name="SkillQueues">The routing profile.</param>
/// <param name="Status">The current routing status.</param>
/// <param name="WrapSeconds">
/// The agent's wrap time in seconds, which replaces the skill queue's; null to use the queue's.
/// </param>
/// <param name="MaxConcurrentTasks">
/// Maximum tasks at once on all channels: routed emails plus the work on other channels. Defaults to
/// <paramref name="MaxConcurrentEmails"/>.
/// </param>
/// <param name="OtherWorkCount">The agent's tasks on other channels, as last reported.</param>
/// <param name="AwayReason">The away reason code the agent gave while Away; null otherwise.</param>
public sealed record Agent(
    string AgentId,
    string DisplayName,
    int MaxConcurrentEmails,
    IReadOnlyList<SkillAssignment> SkillQueues,
    AgentStatus Status,
    int? WrapSeconds = null,
    int MaxConcurrentTasks = Agent.DefaultMaxConcurrentEmails,
    int OtherWorkCount = 0,
    string? AwayReason = null)
{
    /// <summary>Default maximum of concurrent routed emails: 1.</summary>
    public const int DefaultMaxConcurrentEmails = 1;
}

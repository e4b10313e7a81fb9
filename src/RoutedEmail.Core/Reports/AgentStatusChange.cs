using RoutedEmail.Core.Agents;

namespace RoutedEmail.Core.Reports;

/// <summary>One change of an agent's status, as the event log records it.</summary>
/// <param name="AgentId">The agent whose status changed.</param>
/// <param name="At">When the new status began.</param>
/// <param name="Status">The new status.</param>
/// <param name="AwayReason">The away reason code given with <see cref="AgentStatus.Away"/>; null for none.</param>
public sealed record AgentStatusChange(string AgentId, DateTimeOffset At, AgentStatus Status, string? AwayReason);

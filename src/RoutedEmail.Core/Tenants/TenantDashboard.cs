using RoutedEmail.Core.Agents;

namespace RoutedEmail.Core.Tenants;

/// <summary>A tenant's live queue and agent figures, as the supervisor dashboard shows them.</summary>
/// <param name="At">The server time at which the figures were read.</param>
/// <param name="DayStart">Midnight of the current day in the tenant's time zone; service levels count from it.</param>
/// <param name="TimeZone">The tenant's IANA time zone, which defines "today".</param>
/// <param name="Queues">One entry per skill queue, by name.</param>
/// <param name="Agents">One entry per agent, by agent id.</param>
public sealed record TenantDashboard(
    DateTimeOffset At, DateTimeOffset DayStart, string TimeZone, IReadOnlyList<QueueDashboard> Queues,
    IReadOnlyList<AgentDashboard> Agents);

/// <summary>The live figures of one skill queue.</summary>
/// <param name="Name">The skill queue's name.</param>
/// <param name="Enabled">False while the queue takes no new email.</param>
/// <param name="Waiting">Emails in state Queued.</param>
/// <param name="OldestEnqueuedAt">The enqueue time of the oldest Queued email, or null when none waits.</param>
/// <param name="OldestWaitSeconds">Whole seconds from <see cref="OldestEnqueuedAt"/> to the read time, or null.</param>
/// <param name="Offered">Emails in state Offered.</param>
/// <param name="Active">Emails in state Active.</param>
/// <param name="Wrap">Emails in state Wrap.</param>
/// <param name="Unattended">
/// True while the queue has waiting email and no agent whose status is not Offline serves it, as of the tenant's
/// last routing step.
/// </param>
/// <param name="ServiceLevelSeconds">The queue's service-level threshold in seconds.</param>
/// <param name="OfferedToday">Distinct emails of the queue that got at least one offer since the day start.</param>
/// <param name="OfferedInServiceLevelToday">
/// Of <see cref="OfferedToday"/>, the emails that got an offer since the day start no later than
/// <see cref="ServiceLevelSeconds"/> after their enqueue time.
/// </param>
/// <param name="ServiceLevelPercent">
/// <see cref="OfferedInServiceLevelToday"/> as a percentage of <see cref="OfferedToday"/>, rounded to one decimal,
/// or null when no email of the queue was offered today.
/// </param>
public sealed record QueueDashboard(
    string Name, bool Enabled, int Waiting, DateTimeOffset? OldestEnqueuedAt, long? OldestWaitSeconds, int Offered,
    int Active, int Wrap, bool Unattended, int ServiceLevelSeconds, int OfferedToday, int OfferedInServiceLevelToday,
    double? ServiceLevelPercent);

/// <summary>The live figures of one agent.</summary>
/// <param name="AgentId">The agent id.</param>
/// <param name="DisplayName">The agent's display name.</param>
/// <param name="Status">The agent's status.</param>
/// <param name="AwayReason">The away reason code while Away with one, otherwise null.</param>
/// <param name="StatusSince">When the agent's status last changed.</param>
/// <param name="SecondsInStatus">Whole seconds from <see cref="StatusSince"/> to the read time.</param>
/// <param name="Offers">Pending offers: emails offered to the agent and not yet accepted or declined.</param>
/// <param name="Active">Emails the agent accepted and has not completed.</param>
/// <param name="Wrap">Emails of the agent in wrap time.</param>
/// <param name="MaxConcurrentEmails">The agent's maximum of concurrent routed emails.</param>
/// <param name="OtherWork">Tasks on other channels that count toward <see cref="MaxConcurrentTasks"/>.</param>
/// <param name="MaxConcurrentTasks">
/// The agent's maximum of tasks at once on all channels, which defaults to <see cref="MaxConcurrentEmails"/>.
/// </param>
/// <param name="SkillQueues">The skill queues the agent serves, best rank first.</param>
public sealed record AgentDashboard(
    string AgentId, string DisplayName, AgentStatus Status, string? AwayReason, DateTimeOffset StatusSince,
    long SecondsInStatus, int Offers, int Active, int Wrap, int MaxConcurrentEmails, int OtherWork,
    int MaxConcurrentTasks, IReadOnlyList<string> SkillQueues);

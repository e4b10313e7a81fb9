namespace RoutedEmail.Core.Reports;

/// <summary>One event of a routed email, as the event log records it, for the interval reports.</summary>
/// <param name="EmailId">The server id of the email.</param>
/// <param name="At">When the event happened.</param>
/// <param name="Type">The event type, one of the email events in <see cref="Emails.EventTypes"/>.</param>
/// <param name="AgentId">The agent the event names, or null for none.</param>
/// <param name="Queue">
/// The skill queue the email is in right after the event. Events logged before the queue was recorded carry the
/// email's queue at the time of the report instead.
/// </param>
/// <param name="Detail">The event's detail, such as the work code of <c>Completed</c>, or null for none.</param>
public sealed record EmailEvent(
    long EmailId, DateTimeOffset At, string Type, string? AgentId, string Queue, string? Detail);

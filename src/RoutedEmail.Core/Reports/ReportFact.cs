namespace RoutedEmail.Core.Reports;

/// <summary>The kinds of occurrence that the interval reports count.</summary>
internal enum FactKind
{
    Received,
    Offered,
    Accepted,
    Declined,
    Missed,
    Withdrawn,
    TransferredIn,
    TransferredOut,
    TransferredToAgent,
    Canceled,
    AbandonedWaiting,
    Completed,
    HandleEnded,
    WrapEnded,
}

/// <summary>
/// One counted occurrence, placed in the interval that contains <paramref name="At"/>. Durations (wait, handle,
/// wrap) are counted at the moment they end.
/// </summary>
/// <param name="Kind">What happened.</param>
/// <param name="At">When it happened, or when the measured duration ended.</param>
/// <param name="Queue">The queue it is counted in.</param>
/// <param name="AgentId">The agent it is counted for, or null when no agent took part.</param>
/// <param name="Duration">The wait (of Accepted and AbandonedWaiting), handle time or wrap time; otherwise zero.</param>
/// <param name="WorkCode">The work code of a Completed email, or null for none.</param>
internal sealed record ReportFact(
    FactKind Kind, DateTimeOffset At, string Queue, string? AgentId, TimeSpan Duration, string? WorkCode = null);

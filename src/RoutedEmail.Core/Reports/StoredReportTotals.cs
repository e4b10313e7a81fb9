using RoutedEmail.Core.Agents;

namespace RoutedEmail.Core.Reports;

/// <summary>
/// The counts, duration sums and maxima of one kind of report fact in one 15-minute UTC bucket, for one queue, agent
/// and work code. Expiry stores these before it deletes the events they came from.
/// </summary>
/// <param name="BucketStart">The start of the bucket, a whole quarter hour in UTC.</param>
/// <param name="Kind">What was counted, such as <c>Accepted</c> or <c>HandleEnded</c>.</param>
/// <param name="Queue">The skill queue the facts are counted in.</param>
/// <param name="AgentId">The agent the facts are counted for, or null for none.</param>
/// <param name="WorkCode">The work code of completions, or null for none.</param>
/// <param name="Count">The number of facts.</param>
/// <param name="Total">The sum of their durations, each negative one counted as zero.</param>
/// <param name="Max">The longest of their durations.</param>
/// <param name="LevelCount">
/// Of accepts, those whose wait was at most the queue's service-level threshold; of cancels while waiting, those
/// whose wait was longer. Both use the threshold in force when the totals were stored. Zero for other kinds.
/// </param>
public sealed record StoredFactTotal(
    DateTimeOffset BucketStart, string Kind, string Queue, string? AgentId, string? WorkCode, int Count,
    TimeSpan Total, TimeSpan Max, int LevelCount);

/// <summary>The time one agent spent in one status within one 15-minute UTC bucket.</summary>
/// <param name="BucketStart">The start of the bucket, a whole quarter hour in UTC.</param>
/// <param name="AgentId">The agent.</param>
/// <param name="Status">The status.</param>
/// <param name="AwayReason">The away reason code of <see cref="AgentStatus.Away"/> time, or null for none.</param>
/// <param name="Duration">The time spent, above zero.</param>
public sealed record StoredStatusTime(
    DateTimeOffset BucketStart, string AgentId, AgentStatus Status, string? AwayReason, TimeSpan Duration);

/// <summary>
/// The report totals stored for the part of a range before <paramref name="TotalsUntil"/>. The reports take
/// every figure before that instant from these totals and every figure from it on from the event log.
/// </summary>
/// <param name="TotalsUntil">
/// The end of the stored totals, a whole quarter hour in UTC, or null when expiry has stored none yet.
/// </param>
/// <param name="Facts">The stored fact totals within the range.</param>
/// <param name="StatusTimes">The stored status times within the range.</param>
public sealed record StoredReportTotals(
    DateTimeOffset? TotalsUntil, IReadOnlyList<StoredFactTotal> Facts, IReadOnlyList<StoredStatusTime> StatusTimes)
{
    /// <summary>No stored totals: every figure comes from the event log.</summary>
    public static StoredReportTotals None { get; } = new(null, [], []);
}

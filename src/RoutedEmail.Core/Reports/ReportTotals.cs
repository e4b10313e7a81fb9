using RoutedEmail.Core.Agents;

namespace RoutedEmail.Core.Reports;

/// <summary>
/// Sums the interval report figures of a stretch of the event log into 15-minute UTC buckets, so that the events
/// can be deleted and the reports still give the same numbers.
/// </summary>
/// <remarks>
/// Every report interval (15, 30 or 60 minutes, or a day, in the tenant's zone) starts and ends on a whole quarter
/// hour in UTC while the zone's UTC offset is a whole number of quarter hours. Each bucket then falls wholly in one
/// interval. A test checks that every zone installed on the test machine has such offsets from 1990 to 2040.
/// </remarks>
public static class ReportTotals
{
    /// <summary>The length of a bucket: 15 minutes.</summary>
    public static readonly TimeSpan BucketLength = TimeSpan.FromMinutes(15);

    /// <summary>Rounds an instant down to the start of its bucket, in UTC.</summary>
    public static DateTimeOffset BucketOf(DateTimeOffset at)
    {
        var ticks = at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var floor = ticks - (((ticks % BucketLength.Ticks) + BucketLength.Ticks) % BucketLength.Ticks);
        return DateTimeOffset.UnixEpoch.AddTicks(floor);
    }

    /// <summary>
    /// Sums the facts and status time in [<paramref name="from"/>, <paramref name="to"/>), two bucket boundaries.
    /// </summary>
    /// <param name="events">
    /// Every event before <paramref name="to"/> of each email with an event in the range, grouped by email and in log
    /// order, as <see cref="IntervalReport"/> takes them.
    /// </param>
    /// <param name="statusChanges">
    /// Status changes per agent in order, from each agent's last change before the range.
    /// </param>
    /// <param name="from">Start of the range, a bucket boundary.</param>
    /// <param name="to">End of the range, a bucket boundary; it must not be after the current time.</param>
    /// <param name="serviceLevelThresholds">Each skill queue's service-level threshold now.</param>
    public static StoredReportTotals Sum(
        IEnumerable<EmailEvent> events, IEnumerable<AgentStatusChange> statusChanges, DateTimeOffset from,
        DateTimeOffset to, IReadOnlyDictionary<string, TimeSpan> serviceLevelThresholds)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(statusChanges);
        ArgumentNullException.ThrowIfNull(serviceLevelThresholds);
        if (BucketOf(from) != from || BucketOf(to) != to)
        {
            throw new ArgumentException(
                $"The range {from:O} to {to:O} does not start and end on a quarter hour in UTC. Round both bounds " +
                "down with BucketOf.");
        }

        return new StoredReportTotals(
            to, SumFacts(events, from, to, serviceLevelThresholds), SumStatusTime(statusChanges, from, to));
    }

    private static List<StoredFactTotal> SumFacts(
        IEnumerable<EmailEvent> events, DateTimeOffset from, DateTimeOffset to,
        IReadOnlyDictionary<string, TimeSpan> thresholds)
    {
        var sums = new Dictionary<(DateTimeOffset, FactKind, string, string?, string?), FactSum>();
        foreach (var fact in EmailReplay.Replay(events))
        {
            if (fact.At < from || fact.At >= to)
            {
                continue;
            }

            var key = (BucketOf(fact.At), fact.Kind, fact.Queue, fact.AgentId, fact.WorkCode);
            if (!sums.TryGetValue(key, out var sum))
            {
                sum = new FactSum();
                sums.Add(key, sum);
            }

            sum.Stats.Add(fact.Duration);
            if (IntervalReportBuilder.IsInLevelCount(fact, thresholds.TryGetValue(fact.Queue, out var t) ? t : null))
            {
                sum.LevelCount++;
            }
        }

        return [.. sums.Select(pair => new StoredFactTotal(
            pair.Key.Item1, pair.Key.Item2.ToString(), pair.Key.Item3, pair.Key.Item4, pair.Key.Item5,
            pair.Value.Stats.Count, pair.Value.Stats.Total, pair.Value.Stats.Max, pair.Value.LevelCount))];
    }

    private static List<StoredStatusTime> SumStatusTime(
        IEnumerable<AgentStatusChange> statusChanges, DateTimeOffset from, DateTimeOffset to)
    {
        var sums = new Dictionary<(DateTimeOffset, string, AgentStatus, string?), TimeSpan>();
        foreach (var agentChanges in statusChanges.GroupBy(change => change.AgentId, StringComparer.Ordinal))
        {
            var changes = agentChanges.ToList();
            for (var i = 0; i < changes.Count; i++)
            {
                var change = changes[i];
                var start = change.At > from ? change.At : from;
                var next = i + 1 < changes.Count ? changes[i + 1].At : to;
                var end = next < to ? next : to;
                for (var bucket = BucketOf(start); bucket < end; bucket += BucketLength)
                {
                    var partStart = start > bucket ? start : bucket;
                    var partEnd = end < bucket + BucketLength ? end : bucket + BucketLength;
                    if (partEnd <= partStart)
                    {
                        continue;
                    }

                    var key = (bucket, change.AgentId, change.Status, change.AwayReason);
                    sums[key] = sums.GetValueOrDefault(key) + (partEnd - partStart);
                }
            }
        }

        return [.. sums.Select(pair => new StoredStatusTime(
            pair.Key.Item1, pair.Key.Item2, pair.Key.Item3, pair.Key.Item4, pair.Value))];
    }

    private sealed class FactSum
    {
        public DurationStats Stats { get; } = new();

        public int LevelCount { get; set; }
    }
}

using RoutedEmail.Core.Agents;

namespace RoutedEmail.Core.Reports;

/// <summary>
/// The time agents spent Away within a range, per agent and per away reason, computed from their status changes.
/// </summary>
public static class AwayTimeReport
{
    /// <summary>Maximum length of a report range: 31 days.</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(31);

    /// <summary>Length of the range when the request gives no start: 24 hours before its end.</summary>
    public static readonly TimeSpan DefaultRange = TimeSpan.FromHours(24);

    /// <summary>
    /// Sums the time each agent spent Away within [<paramref name="from"/>, <paramref name="to"/>), per away reason.
    /// </summary>
    /// <remarks>
    /// Each change starts a period that lasts until the agent's next change. A period that began before
    /// <paramref name="from"/> counts from <paramref name="from"/>, so pass each agent's last change before it. The
    /// period after an agent's last change is still open and counts until <paramref name="to"/> or
    /// <paramref name="now"/>, whichever is earlier. Away with another reason starts a period of its own. A change
    /// whose time is earlier than the one before it, which clocks of several nodes can cause, ends that period with
    /// no length.
    /// </remarks>
    /// <param name="changes">Status changes in the order they happened for each agent; agents may interleave.</param>
    /// <param name="from">Start of the range, inclusive.</param>
    /// <param name="to">End of the range, exclusive.</param>
    /// <param name="now">The current time, which ends open periods when it is before <paramref name="to"/>.</param>
    /// <returns>
    /// The agents with Away time above zero, ordered by agent id, each with its reasons ordered by code and no
    /// reason first. Compared ordinally, because agent ids and reason codes are case-sensitive.
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="to"/> is not after <paramref name="from"/>.</exception>
    public static IReadOnlyList<AgentAwayTime> Compute(
        IEnumerable<AgentStatusChange> changes, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (to <= from)
        {
            throw new ArgumentException($"The range end {to:O} must be after its start {from:O}.", nameof(to));
        }

        var end = now < to ? now : to;
        var agents = new List<AgentAwayTime>();
        foreach (var agentChanges in changes.GroupBy(change => change.AgentId, StringComparer.Ordinal))
        {
            var reasons = SumAwayTime([.. agentChanges], from, end);
            if (reasons.Count > 0)
            {
                agents.Add(new AgentAwayTime(
                    agentChanges.Key, new TimeSpan(reasons.Sum(reason => reason.Duration.Ticks)), reasons));
            }
        }

        agents.Sort((left, right) => string.CompareOrdinal(left.AgentId, right.AgentId));
        return agents;
    }

    /// <summary>Sums one agent's Away periods clipped to [from, end), per reason.</summary>
    private static List<ReasonAwayTime> SumAwayTime(
        List<AgentStatusChange> changes, DateTimeOffset from, DateTimeOffset end)
    {
        // The key "" stands for no reason, because a dictionary key cannot be null and a reason code is never empty.
        var totals = new SortedDictionary<string, TimeSpan>(StringComparer.Ordinal);
        for (var i = 0; i < changes.Count; i++)
        {
            var change = changes[i];
            if (change.Status != AgentStatus.Away)
            {
                continue;
            }

            var periodEnd = i + 1 < changes.Count ? changes[i + 1].At : DateTimeOffset.MaxValue;
            var length = Clip(change.At, periodEnd, from, end);
            if (length > TimeSpan.Zero)
            {
                var key = change.AwayReason ?? string.Empty;
                totals[key] = totals.GetValueOrDefault(key) + length;
            }
        }

        return [.. totals.Select(pair => new ReasonAwayTime(pair.Key.Length == 0 ? null : pair.Key, pair.Value))];
    }

    private static TimeSpan Clip(
        DateTimeOffset start, DateTimeOffset periodEnd, DateTimeOffset from, DateTimeOffset end)
    {
        var clippedStart = start > from ? start : from;
        var clippedEnd = periodEnd < end ? periodEnd : end;
        return clippedEnd > clippedStart ? clippedEnd - clippedStart : TimeSpan.Zero;
    }
}

/// <summary>An agent's Away time within a report range.</summary>
/// <param name="AgentId">The agent.</param>
/// <param name="Total">All Away time of the agent within the range: the sum of <paramref name="Reasons"/>.</param>
/// <param name="Reasons">The Away time per reason, ordered by code with no reason first.</param>
public sealed record AgentAwayTime(string AgentId, TimeSpan Total, IReadOnlyList<ReasonAwayTime> Reasons);

/// <summary>The Away time of one agent with one away reason within a report range.</summary>
/// <param name="Reason">The away reason code, or null for Away without a reason.</param>
/// <param name="Duration">The time spent Away with this reason, always above zero.</param>
public sealed record ReasonAwayTime(string? Reason, TimeSpan Duration);

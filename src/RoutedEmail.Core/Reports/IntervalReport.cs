using RoutedEmail.Core.Agents;

namespace RoutedEmail.Core.Reports;

/// <summary>The three interval reports of one range: per queue, per agent and per work code.</summary>
/// <param name="Queues">Queue rows ordered by interval, then by queue (ordinal).</param>
/// <param name="Agents">Agent rows ordered by interval, then by agent id (ordinal).</param>
/// <param name="WorkCodes">Work code rows ordered by interval, queue and work code (ordinal, none first).</param>
public sealed record IntervalReportResult(
    IReadOnlyList<QueueIntervalRow> Queues,
    IReadOnlyList<AgentIntervalRow> Agents,
    IReadOnlyList<WorkCodeIntervalRow> WorkCodes);

/// <summary>
/// Computes the queue, agent and work code interval reports from the event log. Every figure is counted in the
/// interval that contains the event that ends it, so the reports can be rebuilt from the log at any time.
/// </summary>
public static class IntervalReport
{
    /// <summary>Computes the reports of the intervals <paramref name="periods"/>.</summary>
    /// <param name="periods">Contiguous intervals in time order, as <see cref="ReportIntervals.Split"/> returns.</param>
    /// <param name="events">
    /// The events of every email with an event in the range, each email's events in log order, including its events
    /// before the range so that waits and handle times that started earlier are measured whole.
    /// </param>
    /// <param name="statusChanges">
    /// Status changes per agent in order, starting with each agent's last change before the range.
    /// </param>
    /// <param name="serviceLevelThresholds">Each skill queue's service-level threshold.</param>
    /// <param name="now">The current time, which ends open status periods when it is before the range end.</param>
    /// <returns>
    /// Rows only for the intervals in which something was counted: an agent row needs time in a status other than
    /// Offline, or an event of the agent.
    /// </returns>
    public static IntervalReportResult Compute(
        IReadOnlyList<ReportPeriod> periods, IEnumerable<EmailEvent> events,
        IEnumerable<AgentStatusChange> statusChanges, IReadOnlyDictionary<string, TimeSpan> serviceLevelThresholds,
        DateTimeOffset now) =>
        Compute(periods, events, statusChanges, serviceLevelThresholds, now, StoredReportTotals.None);

    /// <summary>
    /// Computes the reports of the intervals <paramref name="periods"/> from stored totals before
    /// <see cref="StoredReportTotals.TotalsUntil"/> and from the event log from then on.
    /// </summary>
    /// <param name="periods">Contiguous intervals in time order, as <see cref="ReportIntervals.Split"/> returns.</param>
    /// <param name="events">
    /// The events of every email with an event in the range from <see cref="StoredReportTotals.TotalsUntil"/>
    /// on, as the other overload takes them. Facts before that instant are skipped, because the totals hold them.
    /// </param>
    /// <param name="statusChanges">
    /// Status changes per agent in order, starting with each agent's last change before the range, or before
    /// <see cref="StoredReportTotals.TotalsUntil"/> when that is later. Time before that instant is skipped.
    /// </param>
    /// <param name="serviceLevelThresholds">Each skill queue's service-level threshold.</param>
    /// <param name="now">The current time, which ends open status periods when it is before the range end.</param>
    /// <param name="stored">The stored totals of the range, each counted in the interval that contains its bucket.</param>
    public static IntervalReportResult Compute(
        IReadOnlyList<ReportPeriod> periods, IEnumerable<EmailEvent> events,
        IEnumerable<AgentStatusChange> statusChanges, IReadOnlyDictionary<string, TimeSpan> serviceLevelThresholds,
        DateTimeOffset now, StoredReportTotals stored)
    {
        ArgumentNullException.ThrowIfNull(periods);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(statusChanges);
        ArgumentNullException.ThrowIfNull(serviceLevelThresholds);
        ArgumentNullException.ThrowIfNull(stored);
        var builder = new IntervalReportBuilder(periods, serviceLevelThresholds);
        if (periods.Count == 0)
        {
            return builder.Build();
        }

        var liveFrom = stored.TotalsUntil ?? DateTimeOffset.MinValue;
        foreach (var total in stored.Facts.Where(total => total.BucketStart < liveFrom))
        {
            builder.Add(total);
        }

        foreach (var time in stored.StatusTimes.Where(time => time.BucketStart < liveFrom))
        {
            builder.Add(time);
        }

        foreach (var fact in EmailReplay.Replay(events).Where(fact => fact.At >= liveFrom))
        {
            builder.Add(fact);
        }

        var end = now < periods[^1].End ? now : periods[^1].End;
        foreach (var agentChanges in statusChanges.GroupBy(change => change.AgentId, StringComparer.Ordinal))
        {
            AddStatusTime(builder, [.. agentChanges], liveFrom, end);
        }

        return builder.Build();
    }

    /// <summary>
    /// Adds each status period of one agent to the intervals it overlaps, from <paramref name="liveFrom"/> on. A period
    /// lasts until the agent's next change, and the last one until <paramref name="end"/>.
    /// </summary>
    private static void AddStatusTime(
        IntervalReportBuilder builder, List<AgentStatusChange> changes, DateTimeOffset liveFrom, DateTimeOffset end)
    {
        for (var i = 0; i < changes.Count; i++)
        {
            var periodEnd = i + 1 < changes.Count ? changes[i + 1].At : end;
            var periodStart = changes[i].At > liveFrom ? changes[i].At : liveFrom;
            builder.AddStatusTime(changes[i].AgentId, changes[i].Status, periodStart, periodEnd);
        }
    }
}

using RoutedEmail.Core.Reports;

namespace RoutedEmail.Storage.Abstractions;

/// <summary>
/// Computes the interval reports from the report totals that expiry stored, before their end, and from the event
/// log after it, so that a report gives the same numbers before and after an expiry run.
/// </summary>
/// <param name="reports">The event log and the stored totals.</param>
/// <param name="statuses">The agents' status changes.</param>
public sealed class IntervalReportReader(IIntervalReportStore reports, IAwayReasonStore statuses)
{
    /// <summary>Computes the three reports of <paramref name="periods"/>.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="periods">Contiguous intervals in time order, as <see cref="ReportIntervals.Split"/> returns.</param>
    /// <param name="now">The current time, which ends open status periods.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public async Task<IntervalReportResult> ComputeAsync(
        long tenantId, IReadOnlyList<ReportPeriod> periods, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(periods);
        if (periods.Count == 0)
        {
            return IntervalReport.Compute(periods, [], [], new Dictionary<string, TimeSpan>(), now);
        }

        var start = periods[0].Start.ToUniversalTime();
        var end = periods[^1].End.ToUniversalTime();

        // The events are read before the totals. An expiry run in between only moves the end of the totals later,
        // and the events already read cover the range from the earlier end, so no figure is lost or counted twice.
        var totalsUntil = await reports.ReadReportTotalsUntilAsync(tenantId, cancellationToken);
        var liveStart = totalsUntil is { } until && until > start ? until : start;
        var events = liveStart < end
            ? await reports.ReadEmailEventsAsync(tenantId, liveStart, end, cancellationToken)
            : [];
        var changes = liveStart < end
            ? await statuses.ReadStatusChangesAsync(tenantId, null, liveStart, end, cancellationToken)
            : [];
        var thresholds = await reports.ReadServiceLevelThresholdsAsync(tenantId, cancellationToken);
        var stored = await reports.ReadStoredTotalsAsync(tenantId, start, end, cancellationToken);
        return IntervalReport.Compute(periods, events, changes, thresholds, now, stored);
    }
}

namespace RoutedEmail.Core.Tenants;

/// <summary>One skill queue's dashboard figures at the start of one sampled minute.</summary>
/// <param name="Queue">The skill queue's name.</param>
/// <param name="At">The start of the sampled minute.</param>
/// <param name="Waiting">Emails in state Queued.</param>
/// <param name="OldestWaitSeconds">Whole seconds that the oldest Queued email had waited, or null when none waited.</param>
/// <param name="OfferedToday">Distinct emails of the queue offered since the start of the tenant's day.</param>
/// <param name="OfferedInServiceLevelToday">
/// Of <see cref="OfferedToday"/>, the emails offered within the queue's service-level threshold.
/// </param>
public sealed record QueueSample(
    string Queue, DateTimeOffset At, int Waiting, long? OldestWaitSeconds, int OfferedToday,
    int OfferedInServiceLevelToday)
{
    /// <summary>
    /// <see cref="OfferedInServiceLevelToday"/> as a percentage of <see cref="OfferedToday"/> with one decimal, or
    /// null when nothing was offered that day.
    /// </summary>
    public double? ServiceLevelPercent => OfferedToday == 0
        ? null
        : Math.Round(100.0 * OfferedInServiceLevelToday / OfferedToday, 1);
}

/// <summary>The recorded per-queue figures of a tenant over a time range, as the dashboard's charts show them.</summary>
/// <param name="From">The start of the range: samples at or after it are included.</param>
/// <param name="To">The read time, the end of the range.</param>
/// <param name="SampleIntervalSeconds">The seconds between two samples of one queue.</param>
/// <param name="Queues">One entry per skill queue that has samples in the range, by name.</param>
public sealed record DashboardHistory(
    DateTimeOffset From, DateTimeOffset To, int SampleIntervalSeconds, IReadOnlyList<QueueHistory> Queues);

/// <summary>The samples of one skill queue, oldest first.</summary>
/// <param name="Name">The skill queue's name.</param>
/// <param name="Samples">The samples, oldest first. A minute in which no node sampled has no entry.</param>
public sealed record QueueHistory(string Name, IReadOnlyList<QueueSample> Samples);

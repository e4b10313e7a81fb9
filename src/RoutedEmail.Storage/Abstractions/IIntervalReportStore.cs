using RoutedEmail.Core.Reports;

namespace RoutedEmail.Storage.Abstractions;

/// <summary>Reads the event log for the queue, agent and work code interval reports.</summary>
public interface IIntervalReportStore
{
    /// <summary>
    /// Reads every event before <paramref name="rangeEnd"/> of each email that has an event in
    /// [<paramref name="rangeStart"/>, <paramref name="rangeEnd"/>), including the email's events before the range,
    /// so that waits and handle times that started earlier are measured whole.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="rangeStart">Start of the range, inclusive.</param>
    /// <param name="rangeEnd">End of the range, exclusive.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The events ordered by email id, then in the order they were logged.</returns>
    Task<IReadOnlyList<EmailEvent>> ReadEmailEventsAsync(
        long tenantId, DateTimeOffset rangeStart, DateTimeOffset rangeEnd, CancellationToken cancellationToken);

    /// <summary>Reads the service-level threshold of each of the tenant's skill queues, by queue name.</summary>
    Task<IReadOnlyDictionary<string, TimeSpan>> ReadServiceLevelThresholdsAsync(
        long tenantId, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the end of the report totals that expiry stored, or null when it stored none. The event log contains
    /// every figure from then on.
    /// </summary>
    Task<DateTimeOffset?> ReadReportTotalsUntilAsync(long tenantId, CancellationToken cancellationToken);

    /// <summary>
    /// Reads, from one snapshot, the end of the stored report totals and the totals of the buckets from the one
    /// that contains <paramref name="rangeStart"/> up to <paramref name="rangeEnd"/> or that end.
    /// </summary>
    Task<StoredReportTotals> ReadStoredTotalsAsync(
        long tenantId, DateTimeOffset rangeStart, DateTimeOffset rangeEnd, CancellationToken cancellationToken);
}

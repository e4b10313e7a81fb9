using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Telemetry;

/// <summary>
/// Wraps routing on arrival: counts the offers that an ingest transaction made and records their wait since
/// enqueue, as <see cref="InstrumentedRoutingStore"/> does for a routing step, and starts their push clocks.
/// </summary>
internal sealed partial class InstrumentedArrivalRouting(
    IArrivalRouting inner, RoutedEmailMetrics metrics, TenantLabels tenants, OfferPushClock pushes, TimeProvider time,
    ILogger<InstrumentedArrivalRouting> logger)
    : IArrivalRouting
{
    public TimeSpan DeclineSkip => inner.DeclineSkip;

    public void OffersCommitted(long tenantId, IReadOnlyList<OfferMade> offers)
    {
        // The clocks start before the agents are notified, whose Offered notifications stop them.
        var committedAt = time.GetUtcNow();
        var committedTimestamp = time.GetTimestamp();
        foreach (var offer in offers)
        {
            pushes.Start(tenantId, offer.AgentId, committedTimestamp);
        }

        inner.OffersCommitted(tenantId, offers);
        _ = RecordAsync(tenantId, offers, committedAt);
    }

    private async Task RecordAsync(long tenantId, IReadOnlyList<OfferMade> offers, DateTimeOffset committedAt)
    {
        try
        {
            // The tenant's label is cached after its first read, so this rarely waits for the database.
            var tenant = await tenants.GetAsync(tenantId, CancellationToken.None);
            InstrumentedRoutingStore.RecordOffers(metrics, tenant, offers, committedAt);
        }
#pragma warning disable CA1031 // Nothing awaits this task, and the offers were committed before it started.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Log.RecordFailed(logger, exception, tenantId, offers.Count);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2303, LogLevel.Warning,
            "Recording the metrics of {OfferCount} offers that the ingest transaction made for tenant {TenantId} failed")]
        public static partial void RecordFailed(ILogger logger, Exception exception, long tenantId, int offerCount);
    }
}

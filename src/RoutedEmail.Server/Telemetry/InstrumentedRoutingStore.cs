using System.Diagnostics;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Telemetry;

/// <summary>
/// Wraps the routing store: a span and a duration around each routing step, the offers it made with their wait
/// since enqueue, and a span and a count of the offers that expired. The other calls pass through.
/// </summary>
internal sealed class InstrumentedRoutingStore(
    IRoutingStore inner, RoutedEmailMetrics metrics, TenantLabels tenants, OfferPushClock pushes, TimeProvider time)
    : IRoutingStore
{
    public async Task<IReadOnlyList<OfferMade>> RouteAsync(
        long tenantId, TimeSpan declineSkip, CancellationToken cancellationToken)
    {
        using var activity = RoutedEmailMetrics.Activities.StartActivity("routing step", ActivityKind.Internal);
        activity?.SetTag("routed_email.tenant_id", tenantId);
        var started = time.GetTimestamp();
        var offers = await RunAsync(activity, () => inner.RouteAsync(tenantId, declineSkip, cancellationToken));
        var committedAt = time.GetUtcNow();
        var committedTimestamp = time.GetTimestamp();
        activity?.SetTag("routed_email.offers.made", offers.Count);

        var tenant = await tenants.GetAsync(tenantId, CancellationToken.None);
        metrics.RoutingStepDuration.Record(
            time.GetElapsedTime(started).TotalSeconds, RoutedEmailMetrics.Tenant(tenant));
        foreach (var offer in offers)
        {
            pushes.Start(tenantId, offer.AgentId, committedTimestamp);
        }

        RecordOffers(metrics, tenant, offers, committedAt);
        return offers;
    }

    /// <summary>Counts committed offers and records each one's wait since its email was enqueued.</summary>
    internal static void RecordOffers(
        RoutedEmailMetrics metrics, string tenant, IReadOnlyList<OfferMade> offers, DateTimeOffset committedAt)
    {
        foreach (var offer in offers)
        {
            var tags = RoutedEmailMetrics.Queue(tenant, offer.Queue);
            metrics.OffersMade.Add(1, tags);

            // A clock step backwards must not record a negative wait.
            var waited = Math.Max(0, (committedAt - offer.EnqueuedAt).TotalSeconds);
            metrics.EnqueueToOfferDuration.Record(waited, tags);
        }
    }

    public async Task<IReadOnlyList<OfferExpired>> ExpireDueOffersAsync(CancellationToken cancellationToken)
    {
        using var activity = RoutedEmailMetrics.Activities.StartActivity("offer expiry", ActivityKind.Internal);
        var expired = await RunAsync(activity, () => inner.ExpireDueOffersAsync(cancellationToken));
        activity?.SetTag("routed_email.offers.expired", expired.Count);
        foreach (var group in expired.GroupBy(offer => offer.TenantId))
        {
            var tenant = await tenants.GetAsync(group.Key, CancellationToken.None);
            metrics.OffersExpired.Add(group.Count(), RoutedEmailMetrics.Tenant(tenant));
        }

        return expired;
    }

    public Task<IReadOnlyList<long>> ListTenantIdsAsync(CancellationToken cancellationToken) =>
        inner.ListTenantIdsAsync(cancellationToken);

    public Task<IReadOnlyList<QueueAttendanceChanged>> UpdateQueueAttendanceAsync(
        long tenantId, CancellationToken cancellationToken) =>
        inner.UpdateQueueAttendanceAsync(tenantId, cancellationToken);

    public Task<DateTimeOffset?> FindNextOfferDeadlineAsync(CancellationToken cancellationToken) =>
        inner.FindNextOfferDeadlineAsync(cancellationToken);

    public Task<DateTimeOffset?> FindNextEscalationAsync(CancellationToken cancellationToken) =>
        inner.FindNextEscalationAsync(cancellationToken);

    public Task<IReadOnlyList<EmailEscalated>> EscalateDueEmailsAsync(CancellationToken cancellationToken) =>
        inner.EscalateDueEmailsAsync(cancellationToken);

    public Task<DateTimeOffset?> FindNextWrapEndAsync(CancellationToken cancellationToken) =>
        inner.FindNextWrapEndAsync(cancellationToken);

    public Task<DateTimeOffset?> FindNextSkipEndAsync(
        DateTimeOffset after, TimeSpan declineSkip, CancellationToken cancellationToken) =>
        inner.FindNextSkipEndAsync(after, declineSkip, cancellationToken);

    public Task<IReadOnlyList<long>> ListTenantsWithSkipsEndedAsync(
        DateTimeOffset after, TimeSpan declineSkip, CancellationToken cancellationToken) =>
        inner.ListTenantsWithSkipsEndedAsync(after, declineSkip, cancellationToken);

    public Task<IReadOnlyList<WrapEnded>> EndDueWrapsAsync(CancellationToken cancellationToken) =>
        inner.EndDueWrapsAsync(cancellationToken);

    /// <summary>Runs a store call and marks the span as failed when it throws.</summary>
    private static async Task<T> RunAsync<T>(Activity? activity, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception exception)
        {
            activity?.AddException(exception);
            activity?.SetStatus(ActivityStatusCode.Error);
            throw;
        }
    }
}

using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RoutedEmail.Server.Telemetry;

/// <summary>
/// The service's own instruments, in the meter <c>RoutedEmail</c>, and its activity source for traces. Names follow
/// the OpenTelemetry semantic conventions under the <c>routed_email.</c> prefix, with UCUM units: <c>s</c> for
/// durations and a <c>{annotation}</c> for counts. The Prometheus exporter turns <c>routed_email.offers.made</c>
/// into <c>routed_email_offers_made_total</c>.
/// </summary>
internal sealed class RoutedEmailMetrics
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string Name = "RoutedEmail";

    /// <summary>The attribute that names a tenant as <c>companyCode/environment</c>.</summary>
    public const string TenantAttribute = "routed_email.tenant";

    /// <summary>The attribute that names a skill queue.</summary>
    public const string QueueAttribute = "routed_email.skill_queue";

    // Bucket bounds in seconds. A routing step or a push takes milliseconds, and a wait in a queue can take hours.
    private static readonly double[] ShortDurations =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static readonly double[] QueueWaits =
        [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400];

    /// <summary>Creates the instruments in a meter of the service's meter factory.</summary>
    public RoutedEmailMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(Name);
        Meter = meter;
        EmailsQueued = meter.CreateCounter<long>(
            "routed_email.emails.queued", "{email}", "New emails committed by ingest; retries are not counted.");
        OffersMade = meter.CreateCounter<long>(
            "routed_email.offers.made", "{offer}", "Offers committed by routing steps.");
        OffersExpired = meter.CreateCounter<long>(
            "routed_email.offers.expired", "{offer}", "Offers that reached their deadline; each email went back.");
        RoutingStepDuration = meter.CreateHistogram(
            "routed_email.routing.step.duration", "s", "Duration of one routing step of one tenant.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ShortDurations });
        EnqueueToOfferDuration = meter.CreateHistogram(
            "routed_email.routing.enqueue_to_offer.duration", "s",
            "Time from an email's enqueue (the ingest commit) to the commit of an offer of it.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = QueueWaits });
        OfferToPushDuration = meter.CreateHistogram(
            "routed_email.routing.offer_to_push.duration", "s",
            "Time from an offer's commit to the hand-over of the agent's notification.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ShortDurations });

        // The webhook attempt records these three, so they appear in /metrics after the first attempt.
        WebhookDeliveries = meter.CreateCounter<long>(
            "routed_email.webhook.deliveries", "{delivery}", "Webhook delivery attempts, by outcome.");
        WebhookFailures = meter.CreateCounter<long>(
            "routed_email.webhook.failures", "{delivery}",
            "Failed webhook delivery attempts, by outcome: retry or dead_letter.");
        WebhookDeliveryDuration = meter.CreateHistogram(
            "routed_email.webhook.delivery.duration", "s", "Duration of one webhook delivery attempt.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ShortDurations });
    }

    /// <summary>The activity source of the spans around store calls: ingest commits, routing steps, expiries.</summary>
    public static ActivitySource Activities { get; } = new(Name);

    /// <summary>The meter, for the observable gauges that other classes add.</summary>
    public Meter Meter { get; }

    /// <summary>New emails committed by ingest, by tenant.</summary>
    public Counter<long> EmailsQueued { get; }

    /// <summary>Offers committed, by tenant and skill queue.</summary>
    public Counter<long> OffersMade { get; }

    /// <summary>Offers expired, by tenant.</summary>
    public Counter<long> OffersExpired { get; }

    /// <summary>Routing step durations in seconds, by tenant.</summary>
    public Histogram<double> RoutingStepDuration { get; }

    /// <summary>Enqueue-to-offer times in seconds, by tenant and skill queue.</summary>
    public Histogram<double> EnqueueToOfferDuration { get; }

    /// <summary>Offer-to-push times in seconds, by tenant.</summary>
    public Histogram<double> OfferToPushDuration { get; }

    /// <summary>Webhook delivery attempts, by outcome: delivered, retry or dead_letter.</summary>
    public Counter<long> WebhookDeliveries { get; }

    /// <summary>Failed webhook delivery attempts, by outcome: retry or dead_letter.</summary>
    public Counter<long> WebhookFailures { get; }

    /// <summary>Webhook delivery attempt durations in seconds, without labels.</summary>
    public Histogram<double> WebhookDeliveryDuration { get; }

    /// <summary>Returns the tag list of a tenant.</summary>
    public static TagList Tenant(string tenant) => new() { { TenantAttribute, tenant } };

    /// <summary>Returns the tag list of a tenant's skill queue.</summary>
    public static TagList Queue(string tenant, string queue) =>
        new() { { TenantAttribute, tenant }, { QueueAttribute, queue } };
}

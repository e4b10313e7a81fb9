using System.Diagnostics;
using RoutedEmail.Server.Tests.Infrastructure;
using RoutedEmail.Server.Tests.Webhooks;

namespace RoutedEmail.Server.Tests.Telemetry;

/// <summary>
/// The webhook series of <c>/metrics</c> after one delivered event and one that fails until it is a dead letter.
/// The series have no tenant label, so the test runs in the metrics collection, while no other server runs, and
/// expects exact counts.
/// </summary>
[Collection(nameof(MetricsCollection))]
public sealed class WebhookMetricsTests
{
    private const string Deliveries = "routed_email_webhook_deliveries_total";
    private const string Failures = "routed_email_webhook_failures_total";
    private const string DurationCount = "routed_email_webhook_delivery_duration_seconds_count";
    private const string DurationSum = "routed_email_webhook_delivery_duration_seconds_sum";
    private const string Outcome = "routed_email_webhook_outcome";

    [Fact]
    public async Task WebhookMetrics_DeliveredAndDeadLetter_Counted()
    {
        // Two attempts per delivery: the failing event is retried once, then becomes a dead letter.
        await using var setup = await WebhookSetup.StartAsync(maxAttempts: 2);
        await setup.PutWebhookAsync("crm", "Received", "Canceled");
        setup.Receiver.Respond = (request, _) => (request.Type == "Canceled" ? 500 : 200, null);

        await setup.Tenant.IngestAcceptedAsync(setup.Tenant.Item("e-1"));
        await setup.Tenant.CancelAsync("e-1");
        await setup.AdvanceUntilAsync(
            async () => (await setup.GetDeliveriesAsync(state: "DeadLetter")).Count == 1, "the dead letter");
        using var client = setup.Server.CreateClient();
        var scrape = await ScrapeUntilAsync(
            client, text => text.Find(DurationCount).Sum(sample => sample.Value) >= 3);

        Assert.Equal(1, ValueOf(scrape, Deliveries, "delivered"));
        Assert.Equal(1, ValueOf(scrape, Deliveries, "retry"));
        Assert.Equal(1, ValueOf(scrape, Deliveries, "dead_letter"));
        Assert.Empty(scrape.Find(Failures, (Outcome, "delivered")));
        Assert.Equal(1, ValueOf(scrape, Failures, "retry"));
        Assert.Equal(1, ValueOf(scrape, Failures, "dead_letter"));
        Assert.Equal(3, Assert.Single(scrape.Find(DurationCount)).Value);
        Assert.True(Assert.Single(scrape.Find(DurationSum)).Value > 0);
        Assert.Equal(3, setup.Receiver.Requests.Count);
    }

    /// <summary>Returns the value of the single sample of <paramref name="name"/> with the given outcome.</summary>
    private static double ValueOf(PrometheusText scrape, string name, string outcome)
    {
        var samples = scrape.Find(name, (Outcome, outcome));
        Assert.True(samples.Count == 1, $"{name} has {samples.Count} samples with {Outcome}=\"{outcome}\".");
        return samples[0].Value;
    }

    /// <summary>
    /// Scrapes until the condition holds, because the Prometheus exporter may serve a cached scrape for a short
    /// time. Fails after 10 seconds with the last scrape.
    /// </summary>
    private static async Task<PrometheusText> ScrapeUntilAsync(HttpClient client, Func<PrometheusText, bool> done)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var text = (await MetricsScrape.ReadAsync(client)).Text;
            var scrape = PrometheusText.Parse(text);
            if (done(scrape))
            {
                return scrape;
            }

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"The scrape never met the condition:\n{text}");
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }
}

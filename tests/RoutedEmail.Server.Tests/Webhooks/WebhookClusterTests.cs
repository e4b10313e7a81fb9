using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Webhooks;

/// <summary>Two nodes on one PostgreSQL database share the webhook deliveries without sending one twice.</summary>
public sealed class WebhookClusterTests
{
    private static readonly string[] ReceivedAndCanceled = ["Received", "Canceled"];

    [PostgresFact]
    public async Task TwoNodes_SameDeliveries_EachEventSentOnce()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var cluster = await TestCluster.StartAsync(2, time, WebhookSetup.Settings());
        var tenant = await Scenario.CreateAsync(cluster[0]);
        await tenant.PutAsync("webhooks/crm", new { url = receiver.Url, eventTypes = ReceivedAndCanceled });
        var entities = Enumerable.Range(1, 8).Select(index => $"e-{index}").ToList();
        await tenant.IngestAcceptedAsync([.. entities.Select(entity => tenant.Item(entity))]);
        foreach (var entity in entities)
        {
            await tenant.On(cluster[1]).CancelAsync(entity);
        }

        var watch = Stopwatch.StartNew();
        while (receiver.Requests.Count < 16)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"Only {receiver.Requests.Count} of 16 arrived.");
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(receiver.NextRequest, Task.Delay(TimeSpan.FromMilliseconds(25)));
        }

        var requests = receiver.Requests;
        Assert.Equal(16, requests.Select(request => request.Id).Distinct().Count());
        Assert.Equal(16, requests.Count);
        foreach (var entity in entities)
        {
            var types = requests.Where(request => request.EntityId == entity).Select(request => request.Type);
            Assert.Equal(ReceivedAndCanceled, types);
        }
    }
}

using System.Diagnostics;
using System.Net;
using RoutedEmail.Server.Tests.Crash;

namespace RoutedEmail.Bench.Figures;

/// <summary>The outcome of one open-loop phase.</summary>
/// <param name="Sent">Requests sent.</param>
/// <param name="Elapsed">From the first scheduled send until the last response.</param>
/// <param name="MaxLag">The longest time a send started after its scheduled time.</param>
internal sealed record SendResult(long Sent, TimeSpan Elapsed, TimeSpan MaxLag);

/// <summary>
/// Sends one new email per ingest request on a fixed schedule, whatever the responses do: request i is due at
/// start + i ÷ rate, and it is sent then even while earlier requests are still waiting for their response.
/// </summary>
internal sealed class OpenLoopSender(TenantClient client, int emailsPerSecond)
{
    /// <summary>The probe of the measured phase, to which the hub agents report their offers.</summary>
    public LatencyProbe? Probe { get; set; }

    /// <summary>
    /// Sends for <paramref name="duration"/>, or until <paramref name="stop"/> is cancelled, and then waits for the
    /// responses; with a probe, notes the 200 of each email in it.
    /// </summary>
    public async Task<SendResult> SendAsync(
        string prefix, TimeSpan duration, LatencyProbe? probe, ErrorCount errors, CancellationToken stop = default)
    {
        var count = (long)(duration.TotalSeconds * emailsPerSecond);
        var interval = Stopwatch.Frequency / (double)emailsPerSecond;
        var inFlight = new List<Task>();
        var maxLag = TimeSpan.Zero;
        var start = Stopwatch.GetTimestamp();
        var sent = 0L;
        for (; sent < count && !stop.IsCancellationRequested; sent++)
        {
            var due = start + (long)(sent * interval);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                try
                {
                    await Task.Delay(wait, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            var lag = Stopwatch.GetElapsedTime(due);
            maxLag = lag > maxLag ? lag : maxLag;
            inFlight.Add(SendOneAsync($"{prefix}-{sent}", probe, errors));
        }

        await Task.WhenAll(inFlight);
        return new SendResult(sent, Stopwatch.GetElapsedTime(start), maxLag);
    }

    private async Task SendOneAsync(string entityId, LatencyProbe? probe, ErrorCount errors)
    {
        try
        {
            var body = client.BuildBody([entityId]);
            probe?.Send(entityId, Stopwatch.GetTimestamp());
            using var response = await client.IngestAsync(body);
            var text = await response.Content.ReadAsStringAsync();
            var acknowledged = Stopwatch.GetTimestamp();
            if (response.StatusCode != HttpStatusCode.OK || text != TenantClient.SuccessBody)
            {
                errors.Add($"ingest of {entityId} returned {(int)response.StatusCode} {text}");
                return;
            }

            probe?.Acknowledge(entityId, acknowledged);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            errors.Add($"ingest of {entityId} failed: {exception.Message}");
        }
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using RoutedEmail.Server.Tests.Crash;

namespace RoutedEmail.Server.Tests.Soak;

/// <summary>
/// The soak's client traffic apart from the agents: an open-loop ingest sender, and a light loop of API reads that
/// a supervisor screen and an integrator would send.
/// </summary>
internal sealed class SoakTraffic(
    TenantClient ingest, HttpClient admin, WindowedLatency latency, SoakCounters counters)
{
    // The API loop sends one stats read, one routed email read and one dashboard read per period.
    private static readonly TimeSpan ApiPeriod = TimeSpan.FromSeconds(1);

    private long _inFlight;
    private long _sent;
    private string? _lastAcknowledged;

    /// <summary>Ingest requests sent so far.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Ingest requests sent that have no response yet.</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>
    /// Sends one new email per ingest request on a fixed schedule until <paramref name="stop"/> is cancelled:
    /// request i is due at start + i ÷ rate, and goes out then even while earlier requests wait for their response,
    /// so a slow server meets the same load instead of a lighter one. Returns after the last send.
    /// </summary>
    public async Task SendAsync(int emailsPerSecond, CancellationToken stop)
    {
        var interval = Stopwatch.Frequency / (double)emailsPerSecond;
        var start = Stopwatch.GetTimestamp();
        for (var i = 0L; !stop.IsCancellationRequested; i++)
        {
            var due = start + (long)(i * interval);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                try
                {
                    await Task.Delay(wait, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            Interlocked.Increment(ref _sent);
            Interlocked.Increment(ref _inFlight);
            _ = SendOneAsync($"soak-{i}", due);
        }
    }

    /// <summary>Waits until every ingest request sent has its response, for at most the given time.</summary>
    public async Task WaitForResponsesAsync(TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        while (InFlight > 0 && waited.Elapsed < timeout)
        {
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Reads the tenant's stats, the newest acknowledged routed email and the dashboard once per second until
    /// <paramref name="stop"/> is cancelled. Each read must return 200.
    /// </summary>
    public async Task ReadApiAsync(TenantCredentials tenant, CancellationToken stop)
    {
        var tenantPath = $"/api/v1/tenants/{tenant.CompanyCode}/{tenant.Environment}";
        using var timer = new PeriodicTimer(ApiPeriod);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                await ReadAsync(() => AdminRequest(tenantPath + "/stats"));
                await ReadAsync(() => AdminRequest(tenantPath + "/dashboard"));
                if (Volatile.Read(ref _lastAcknowledged) is { } entityId)
                {
                    await ReadEmailAsync(entityId);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run is over.
        }
    }

    private async Task SendOneAsync(string entityId, long due)
    {
        try
        {
            using var response = await ingest.IngestAsync(ingest.BuildBody([entityId]));
            var text = await response.Content.ReadAsStringAsync();
            var acknowledged = Stopwatch.GetTimestamp();
            if (response.StatusCode != HttpStatusCode.OK || text != TenantClient.SuccessBody)
            {
                counters.AddError($"ingest of {entityId} returned {(int)response.StatusCode} {text}");
                return;
            }

            counters.CountAcknowledged();
            latency.Acknowledge(entityId, due, acknowledged);
            Volatile.Write(ref _lastAcknowledged, entityId);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            counters.AddError($"ingest of {entityId} failed: {exception.Message}");
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static HttpRequestMessage AdminRequest(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ServerProcess.AdminToken);
        return request;
    }

    private async Task ReadEmailAsync(string entityId)
    {
        counters.CountApiRequest();
        try
        {
            if (await ingest.FindEmailAsync(entityId) is null)
            {
                counters.AddError($"GET of acknowledged routed email {entityId} returned 404");
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            counters.AddError($"GET of routed email {entityId} failed: {exception.Message}");
        }
    }

    private async Task ReadAsync(Func<HttpRequestMessage> createRequest)
    {
        counters.CountApiRequest();
        using var request = createRequest();
        try
        {
            using var response = await admin.SendAsync(request);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                var body = await response.Content.ReadAsStringAsync();
                counters.AddError($"GET {request.RequestUri} returned {(int)response.StatusCode} {body}");
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            counters.AddError($"GET {request.RequestUri} failed: {exception.Message}");
        }
    }
}

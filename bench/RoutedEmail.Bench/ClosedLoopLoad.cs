using System.Diagnostics;
using System.Net;
using RoutedEmail.Server.Tests.Crash;

namespace RoutedEmail.Bench;

/// <summary>The figures of one measured load phase.</summary>
/// <param name="BatchSize">Items per request.</param>
/// <param name="Elapsed">The measured wall-clock time, from the start until the last worker finished.</param>
/// <param name="Requests">Requests that returned 200 SUCCESS.</param>
/// <param name="Errors">Requests that returned anything else or failed without a response.</param>
/// <param name="FirstError">The status and body, or exception message, of the first error.</param>
/// <param name="Latencies">The latency of every successful request, sorted ascending.</param>
/// <param name="ServerCpu">CPU time the server process used in the measured time, user and system.</param>
/// <param name="ClientCpu">CPU time this process used in the measured time, user and system.</param>
internal sealed record LoadResult(
    int BatchSize, TimeSpan Elapsed, long Requests, long Errors, string? FirstError, TimeSpan[] Latencies,
    TimeSpan ServerCpu, TimeSpan ClientCpu)
{
    /// <summary>Successful requests per second of measured time.</summary>
    public double RequestsPerSecond => Requests / Elapsed.TotalSeconds;

    /// <summary>Items in successful requests per second of measured time.</summary>
    public double ItemsPerSecond => RequestsPerSecond * BatchSize;

    /// <summary>Returns the latency below which the given fraction of successful requests finished.</summary>
    /// <param name="fraction">From 0 to 1, such as 0.99 for p99.</param>
    public TimeSpan Percentile(double fraction)
    {
        if (Latencies.Length == 0)
        {
            return TimeSpan.Zero;
        }

        // Nearest rank: the smallest latency with at least this fraction of requests at or below it.
        var rank = (int)Math.Ceiling(fraction * Latencies.Length);
        return Latencies[Math.Clamp(rank - 1, 0, Latencies.Length - 1)];
    }
}

/// <summary>
/// Closed-loop ingest load: each worker sends a batch of new entity ids, waits for the response, checks it is 200
/// with the success body, and sends the next, until the time is up. Errors are counted, never retried.
/// </summary>
internal sealed class ClosedLoopLoad(TenantClient client, int workers, Process server)
{
    private long _nextPrefix;

    /// <summary>Runs the load for <paramref name="duration"/> and returns its figures.</summary>
    public async Task<LoadResult> RunAsync(int batchSize, TimeSpan duration)
    {
        var prefix = $"bench-{Interlocked.Increment(ref _nextPrefix)}-{batchSize}";
        using var self = Process.GetCurrentProcess();
        server.Refresh();
        var serverCpuBefore = server.TotalProcessorTime;
        var clientCpuBefore = self.TotalProcessorTime;
        var elapsed = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, workers)
            .Select(worker => Task.Run(() => WorkAsync($"{prefix}-w{worker}", batchSize, duration)))
            .ToArray();
        var results = await Task.WhenAll(tasks);
        elapsed.Stop();
        server.Refresh();
        self.Refresh();
        var serverCpu = server.TotalProcessorTime - serverCpuBefore;
        var clientCpu = self.TotalProcessorTime - clientCpuBefore;

        var latencies = results.SelectMany(result => result.Latencies).Order().ToArray();
        var errors = results.Sum(result => result.Errors);
        var firstError = results.Select(result => result.FirstError).FirstOrDefault(error => error is not null);
        return new LoadResult(
            batchSize, elapsed.Elapsed, latencies.Length, errors, firstError, latencies, serverCpu, clientCpu);
    }

    private async Task<WorkerResult> WorkAsync(string prefix, int batchSize, TimeSpan duration)
    {
        var result = new WorkerResult();
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var entityIds = new string[batchSize];
        for (var sequence = 0; Stopwatch.GetTimestamp() < deadline; sequence++)
        {
            for (var item = 0; item < batchSize; item++)
            {
                entityIds[item] = $"{prefix}-{sequence}-{item}";
            }

            var body = client.BuildBody(entityIds);
            var started = Stopwatch.GetTimestamp();
            var error = await SendAsync(body);
            if (error is null)
            {
                result.Latencies.Add(Stopwatch.GetElapsedTime(started));
            }
            else
            {
                result.Errors++;
                result.FirstError ??= error;
            }
        }

        return result;
    }

    // Returns null for 200 SUCCESS, otherwise a description of what came back instead.
    private async Task<string?> SendAsync(string body)
    {
        try
        {
            using var response = await client.IngestAsync(body);
            var text = await response.Content.ReadAsStringAsync();
            return response.StatusCode == HttpStatusCode.OK && text == TenantClient.SuccessBody
                ? null
                : $"{(int)response.StatusCode} {text}";
        }
        catch (HttpRequestException exception)
        {
            return exception.Message;
        }
        catch (TaskCanceledException exception)
        {
            // HttpClient reports its own timeout as a cancellation, and nothing else cancels these requests.
            return exception.Message;
        }
    }

    private sealed class WorkerResult
    {
        public List<TimeSpan> Latencies { get; } = [];

        public long Errors { get; set; }

        public string? FirstError { get; set; }
    }
}

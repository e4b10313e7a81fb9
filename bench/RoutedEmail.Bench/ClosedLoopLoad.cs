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
/// <param name="ServerCpu">CPU time the server processes used in the measured time, user and system.</param>
/// <param name="ClientCpu">CPU time this process used in the measured time, user and system.</param>
/// <param name="DatabaseCpu">CPU time the PostgreSQL server used in the measured time, or null when not measured.</param>
internal sealed record LoadResult(
    int BatchSize, TimeSpan Elapsed, long Requests, long Errors, string? FirstError, TimeSpan[] Latencies,
    TimeSpan ServerCpu, TimeSpan ClientCpu, TimeSpan? DatabaseCpu = null)
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
/// With several clients, one per server node, each worker sends its requests to the nodes in turn.
/// </summary>
internal sealed class ClosedLoopLoad(
    IReadOnlyList<TenantClient> clients, int workers, CpuMeter serverCpu, CpuMeter? databaseCpu = null)
{
    private long _nextPrefix;

    /// <summary>Runs the load for <paramref name="duration"/> and returns its figures.</summary>
    public async Task<LoadResult> RunAsync(int batchSize, TimeSpan duration)
    {
        var prefix = $"bench-{Interlocked.Increment(ref _nextPrefix)}-{batchSize}";
        using var self = Process.GetCurrentProcess();
        var serverCpuBefore = serverCpu.Read();
        var databaseCpuBefore = databaseCpu?.Read();
        var clientCpuBefore = self.TotalProcessorTime;
        var elapsed = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, workers)
            .Select(worker => Task.Run(() => WorkAsync(worker, $"{prefix}-w{worker}", batchSize, duration)))
            .ToArray();
        var results = await Task.WhenAll(tasks);
        elapsed.Stop();
        self.Refresh();
        var serverCpuUsed = serverCpu.Read() - serverCpuBefore;
        var databaseCpuUsed = databaseCpu?.Read() - databaseCpuBefore;
        var clientCpuUsed = self.TotalProcessorTime - clientCpuBefore;

        var latencies = results.SelectMany(result => result.Latencies).Order().ToArray();
        var errors = results.Sum(result => result.Errors);
        var firstError = results.Select(result => result.FirstError).FirstOrDefault(error => error is not null);
        return new LoadResult(
            batchSize, elapsed.Elapsed, latencies.Length, errors, firstError, latencies, serverCpuUsed, clientCpuUsed,
            databaseCpuUsed);
    }

    private async Task<WorkerResult> WorkAsync(int worker, string prefix, int batchSize, TimeSpan duration)
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

            // Workers start on different nodes, so the load is spread evenly from the first request on.
            var client = clients[(worker + sequence) % clients.Count];
            var body = client.BuildBody(entityIds);
            var started = Stopwatch.GetTimestamp();
            var error = await SendAsync(client, body);
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
    private static async Task<string?> SendAsync(TenantClient client, string body)
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

using System.Collections.Concurrent;
using System.Net;

namespace RoutedEmail.Server.Tests.Crash;

/// <summary>The outcome of one ingest batch as the client sees it.</summary>
internal enum BatchOutcome
{
    /// <summary>200 with the success body: every item must be stored.</summary>
    Acknowledged,

    /// <summary>A response other than 200 with the success body: no item may be stored.</summary>
    Rejected,

    /// <summary>
    /// No response, because the connection failed or timed out: either every item or no item is stored.
    /// </summary>
    NoResponse,
}

/// <summary>One ingest batch as sent, and its outcome.</summary>
/// <param name="EntityIds">The entity ids of its items, all new.</param>
/// <param name="Outcome">The outcome as the client sees it.</param>
/// <param name="Detail">The status and body of a rejection, or the exception message when no response came.</param>
internal sealed record SentBatch(IReadOnlyList<string> EntityIds, BatchOutcome Outcome, string? Detail);

/// <summary>
/// Closed-loop ingest load: concurrent workers each send a batch, wait for the outcome, record it and send the next,
/// until the request budget is spent or <see cref="Stop"/> is called. Every item has a new entity id.
/// </summary>
internal sealed class IngestLoad(TenantClient client, string entityIdPrefix, int seed)
{
    private readonly ConcurrentBag<SentBatch> _batches = [];
    private volatile bool _stopped;
    private int _issued;
    private int _acknowledged;
    private int _inFlight;

    /// <summary>Every batch sent so far with its outcome.</summary>
    public IReadOnlyCollection<SentBatch> Batches => _batches;

    /// <summary>The number of batches acknowledged with success so far.</summary>
    public int Acknowledged => Volatile.Read(ref _acknowledged);

    /// <summary>The number of batches sent that have no outcome yet.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>
    /// Runs <paramref name="workers"/> loops until <paramref name="maxRequests"/> batches are sent or
    /// <see cref="Stop"/> is called. Each batch has 1 or 10 items, chosen at random.
    /// </summary>
    public Task RunAsync(int workers, int maxRequests) =>
        Task.WhenAll(Enumerable.Range(0, workers).Select(worker => Task.Run(() => WorkAsync(worker, maxRequests))));

    /// <summary>Stops workers from starting new batches. Batches already sent still get their outcome.</summary>
    public void Stop() => _stopped = true;

    private async Task WorkAsync(int worker, int maxRequests)
    {
        var random = new Random(HashCode.Combine(seed, worker));
        for (var sequence = 0; !_stopped; sequence++)
        {
            if (Interlocked.Increment(ref _issued) > maxRequests)
            {
                return;
            }

            var size = random.Next(2) == 0 ? 1 : 10;
            var entityIds = Enumerable.Range(0, size)
                .Select(item => $"{entityIdPrefix}-w{worker}-b{sequence}-i{item}")
                .ToArray();
            Interlocked.Increment(ref _inFlight);
            _batches.Add(await SendAsync(entityIds));
            Interlocked.Decrement(ref _inFlight);
        }
    }

    // In-flight requests are not cancelled on Stop, because the test needs them open when the server dies.
    private async Task<SentBatch> SendAsync(string[] entityIds)
    {
        try
        {
            using var response = await client.IngestAsync(client.BuildBody(entityIds));
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.OK && body == TenantClient.SuccessBody)
            {
                Interlocked.Increment(ref _acknowledged);
                return new SentBatch(entityIds, BatchOutcome.Acknowledged, null);
            }

            return new SentBatch(entityIds, BatchOutcome.Rejected, $"{(int)response.StatusCode} {body}");
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException)
        {
            return new SentBatch(entityIds, BatchOutcome.NoResponse, exception.Message);
        }
        catch (TaskCanceledException exception)
        {
            // HttpClient reports its own timeout as a cancellation, and nothing else cancels these requests.
            return new SentBatch(entityIds, BatchOutcome.NoResponse, exception.Message);
        }
    }
}

using System.Diagnostics;
using HdrHistogram;

namespace RoutedEmail.Server.Tests.Soak;

/// <summary>The latency histograms of one sample window, in microseconds.</summary>
/// <param name="Ingest">From each ingest request's scheduled send time to its 200 OK.</param>
/// <param name="Routing">From each email's 200 OK to the arrival of its offer on the agent's hub connection.</param>
internal sealed record LatencyWindow(LongHistogram Ingest, LongHistogram Routing)
{
    /// <summary>Returns the p99 of a histogram, or null when it has no values.</summary>
    public static TimeSpan? P99(LongHistogram histogram) =>
        histogram.TotalCount == 0 ? null : TimeSpan.FromMicroseconds(histogram.GetValueAtPercentile(99));
}

/// <summary>
/// Records ingest and routing latencies into the current window, on one clock (Stopwatch timestamps), and starts a
/// new window on each <see cref="Cut"/>. A value counts in the window in which it was complete, so a slow offer
/// shows in the window where it arrived.
/// </summary>
/// <remarks>
/// The server wakes the router before it writes the 200, so an offer can arrive before the client has read the
/// response. Such an email counts as 0 µs of routing latency.
/// </remarks>
internal sealed class WindowedLatency
{
    private const long MaxMicroseconds = 120_000_000;
    private const int SignificantDigits = 3;

    private readonly Lock _lock = new();

    // Per entity id, the timestamp of whichever of the 200 and the offer came first. Guarded by _lock.
    private readonly Dictionary<string, (long Timestamp, bool Acknowledged)> _firstEvents =
        new(StringComparer.Ordinal);

    private LatencyWindow _current = NewWindow();

    /// <summary>Emails with a 200 and no offer yet, or an offer and no 200 yet.</summary>
    public int Unpaired
    {
        get
        {
            lock (_lock)
            {
                return _firstEvents.Count;
            }
        }
    }

    /// <summary>Records an ingest request that was due at <paramref name="due"/> and returned 200.</summary>
    public void Acknowledge(string entityId, long due, long acknowledged)
    {
        lock (_lock)
        {
            Record(_current.Ingest, due, acknowledged);
            Pair(entityId, acknowledged, acknowledged: true);
        }
    }

    /// <summary>Records the arrival of an email's offer on an agent's hub connection.</summary>
    public void Offer(string entityId, long arrived)
    {
        lock (_lock)
        {
            Pair(entityId, arrived, acknowledged: false);
        }
    }

    /// <summary>Returns the window recorded since the previous cut and starts a new one.</summary>
    public LatencyWindow Cut()
    {
        lock (_lock)
        {
            var window = _current;
            _current = NewWindow();
            return window;
        }
    }

    /// <summary>Returns one window with every value of the given windows.</summary>
    public static LatencyWindow Merge(IEnumerable<LatencyWindow> windows)
    {
        var merged = NewWindow();
        foreach (var window in windows)
        {
            merged.Ingest.Add(window.Ingest);
            merged.Routing.Add(window.Routing);
        }

        return merged;
    }

    private static LatencyWindow NewWindow() =>
        new(new LongHistogram(MaxMicroseconds, SignificantDigits),
            new LongHistogram(MaxMicroseconds, SignificantDigits));

    // An offer of an email that was already paired, such as a second offer after the first expired, stays unpaired,
    // so the run's pairing check reports it.
    private void Pair(string entityId, long timestamp, bool acknowledged)
    {
        if (!_firstEvents.Remove(entityId, out var first))
        {
            _firstEvents[entityId] = (timestamp, acknowledged);
            return;
        }

        if (first.Acknowledged == acknowledged)
        {
            // A second 200 of one email would be a harness error. The first event stays.
            _firstEvents[entityId] = first;
            return;
        }

        var acknowledgedAt = acknowledged ? timestamp : first.Timestamp;
        var offeredAt = acknowledged ? first.Timestamp : timestamp;
        Record(_current.Routing, acknowledgedAt, offeredAt);
    }

    private static void Record(LongHistogram histogram, long start, long end)
    {
        var microseconds = (long)Stopwatch.GetElapsedTime(start, end).TotalMicroseconds;
        histogram.RecordValue(Math.Clamp(microseconds, 0, MaxMicroseconds));
    }
}

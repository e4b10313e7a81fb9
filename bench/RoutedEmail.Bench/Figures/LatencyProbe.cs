using System.Diagnostics;
using HdrHistogram;

namespace RoutedEmail.Bench.Figures;

/// <summary>
/// Pairs each measured email's 200 OK with its offer on the hub, on one clock (Stopwatch timestamps), and records
/// the difference in microseconds. Either event may come first: the server wakes the router before it writes the
/// 200, so an offer can arrive before the client has read the response. Such an offer counts as 0 µs. It also records
/// the time from sending each request to its offer's arrival, which includes the ingest request itself.
/// </summary>
internal sealed class LatencyProbe
{
    private const long MaxMicroseconds = 60_000_000;

    // Per entity id, the timestamp of whichever of the two events came first. Guarded by the lock of _histogram.
    private readonly Dictionary<string, (long Timestamp, bool Acknowledged)> _firstEvents =
        new(StringComparer.Ordinal);

    private readonly LongHistogram _histogram = new(MaxMicroseconds, 3);

    // Per entity id, the timestamp at which its ingest request was sent, until its offer arrives.
    private readonly Dictionary<string, long> _sentAt = new(StringComparer.Ordinal);
    private readonly LongHistogram _fromSend = new(MaxMicroseconds, 3);
    private long _offersBeforeAcknowledgement;
    private long _recorded;

    /// <summary>Offers that arrived before the client had read the ingest request's 200.</summary>
    public long OffersBeforeAcknowledgement
    {
        get
        {
            lock (_histogram)
            {
                return _offersBeforeAcknowledgement;
            }
        }
    }

    /// <summary>Emails with both a 200 and an offer.</summary>
    public long Recorded
    {
        get
        {
            lock (_histogram)
            {
                return _recorded;
            }
        }
    }

    /// <summary>Measured emails with a 200 and no offer yet, or an offer and no 200 yet.</summary>
    public int Unpaired
    {
        get
        {
            lock (_histogram)
            {
                return _firstEvents.Count;
            }
        }
    }

    /// <summary>Notes the moment just before a measured email's ingest request is sent.</summary>
    public void Send(string entityId, long timestamp)
    {
        lock (_histogram)
        {
            _sentAt[entityId] = timestamp;
        }
    }

    /// <summary>Returns the time from sending the request to the offer's arrival at a percentile, such as 99.</summary>
    public TimeSpan PercentileFromSend(double percentile)
    {
        lock (_histogram)
        {
            return ToTime(_fromSend.GetValueAtPercentile(percentile));
        }
    }

    /// <summary>Notes the 200 OK of a measured email.</summary>
    public void Acknowledge(string entityId, long timestamp) => Note(entityId, timestamp, acknowledged: true);

    /// <summary>Notes the arrival of an offer of a measured email on the agent's hub connection.</summary>
    public void Offer(string entityId, long timestamp) => Note(entityId, timestamp, acknowledged: false);

    /// <summary>Returns the latency at a percentile, such as 99.9.</summary>
    public TimeSpan Percentile(double percentile)
    {
        lock (_histogram)
        {
            return ToTime(_histogram.GetValueAtPercentile(percentile));
        }
    }

    /// <summary>Returns the largest latency recorded.</summary>
    public TimeSpan Max()
    {
        lock (_histogram)
        {
            return ToTime(_histogram.GetMaxValue());
        }
    }

    private void Note(string entityId, long timestamp, bool acknowledged)
    {
        lock (_histogram)
        {
            if (!acknowledged && _sentAt.Remove(entityId, out var sentAt))
            {
                var fromSend = (long)Stopwatch.GetElapsedTime(sentAt, timestamp).TotalMicroseconds;
                _fromSend.RecordValue(Math.Clamp(fromSend, 0, MaxMicroseconds));
            }

            if (!_firstEvents.Remove(entityId, out var first))
            {
                _firstEvents[entityId] = (timestamp, acknowledged);
                return;
            }

            if (first.Acknowledged == acknowledged)
            {
                // A second 200 or offer of the same email would be a harness or server error; keep the first.
                _firstEvents[entityId] = first;
                return;
            }

            var acknowledgedAt = acknowledged ? timestamp : first.Timestamp;
            var offeredAt = acknowledged ? first.Timestamp : timestamp;
            if (offeredAt < acknowledgedAt)
            {
                _offersBeforeAcknowledgement++;
            }

            var microseconds = (long)Stopwatch.GetElapsedTime(acknowledgedAt, offeredAt).TotalMicroseconds;
            _histogram.RecordValue(Math.Clamp(microseconds, 0, MaxMicroseconds));
            _recorded++;
        }
    }

    private static TimeSpan ToTime(long microseconds) => TimeSpan.FromMicroseconds(microseconds);
}

using RoutedEmail.Core.Agents;

namespace RoutedEmail.Core.Reports;

/// <summary>A count of events and the sum and maximum of the durations measured with them.</summary>
public sealed class DurationStats
{
    /// <summary>The number of durations measured.</summary>
    public int Count { get; private set; }

    /// <summary>The sum of the durations.</summary>
    public TimeSpan Total { get; private set; }

    /// <summary>The longest duration, or zero when none was measured.</summary>
    public TimeSpan Max { get; private set; }

    /// <summary>The mean duration, or null when none was measured.</summary>
    public TimeSpan? Average => Count == 0 ? null : Total / Count;

    internal void Add(TimeSpan duration)
    {
        // Clocks of several nodes can log an end before its start, which counts as no time.
        var length = duration > TimeSpan.Zero ? duration : TimeSpan.Zero;
        Add(1, length, length);
    }

    /// <summary>Adds <paramref name="count"/> durations whose sum and maximum are given, none below zero.</summary>
    internal void Add(int count, TimeSpan total, TimeSpan max)
    {
        Count += count;
        Total += total;
        Max = max > Max ? max : Max;
    }
}

/// <summary>The figures of one skill queue in one report interval. The report documentation defines each one.</summary>
/// <param name="period">The interval.</param>
/// <param name="queue">The skill queue.</param>
public sealed class QueueIntervalRow(ReportPeriod period, string queue)
{
    /// <summary>The interval.</summary>
    public ReportPeriod Period { get; } = period;

    /// <summary>The skill queue.</summary>
    public string Queue { get; } = queue;

    /// <summary>Emails that ingest queued here.</summary>
    public int Received { get; internal set; }

    /// <summary>Offers made, including offers after a transfer to a named agent.</summary>
    public int Offered { get; internal set; }

    /// <summary>Offers accepted. <see cref="Wait"/> measures their waits.</summary>
    public int Accepted { get; internal set; }

    /// <summary>Offers declined.</summary>
    public int Declined { get; internal set; }

    /// <summary>Offers that expired (missed).</summary>
    public int Missed { get; internal set; }

    /// <summary>Offers withdrawn because the agent left Available or the email was cancelled.</summary>
    public int Withdrawn { get; internal set; }

    /// <summary>Emails transferred to this queue.</summary>
    public int TransferredIn { get; internal set; }

    /// <summary>Emails transferred from this queue to a queue.</summary>
    public int TransferredOut { get; internal set; }

    /// <summary>Emails cancelled by the integrator or a supervisor, in any state.</summary>
    public int Canceled { get; internal set; }

    /// <summary>Emails completed.</summary>
    public int Completed { get; internal set; }

    /// <summary>The waits of accepted offers, from entering the queue to the accept.</summary>
    public DurationStats Wait { get; } = new();

    /// <summary>Handle times that ended, from the accept to wrap, complete, transfer or cancel.</summary>
    public DurationStats Handle { get; } = new();

    /// <summary>Wrap times that ended, from the start of wrap to completion or cancel.</summary>
    public DurationStats Wrap { get; } = new();

    /// <summary>Accepts whose wait was at most the queue's service-level threshold.</summary>
    public int AnsweredWithinServiceLevel { get; internal set; }

    /// <summary>Cancels of waiting emails whose wait was longer than the service-level threshold.</summary>
    public int AbandonedAfterServiceLevel { get; internal set; }

    /// <summary>The queue's service-level threshold, or null when the queue no longer exists.</summary>
    public TimeSpan? ServiceLevelThreshold { get; internal set; }

    /// <summary>
    /// The service level: <see cref="AnsweredWithinServiceLevel"/> divided by <see cref="Accepted"/> plus
    /// <see cref="AbandonedAfterServiceLevel"/>, from 0 to 1. Null when that denominator is zero or the threshold
    /// is unknown.
    /// </summary>
    public double? ServiceLevel
    {
        get
        {
            var denominator = Accepted + AbandonedAfterServiceLevel;
            return denominator == 0 || ServiceLevelThreshold is null
                ? null
                : (double)AnsweredWithinServiceLevel / denominator;
        }
    }
}

/// <summary>The figures of one agent in one report interval.</summary>
/// <param name="period">The interval.</param>
/// <param name="agentId">The agent.</param>
public sealed class AgentIntervalRow(ReportPeriod period, string agentId)
{
    /// <summary>The interval.</summary>
    public ReportPeriod Period { get; } = period;

    /// <summary>The agent.</summary>
    public string AgentId { get; } = agentId;

    /// <summary>The time spent in each status within the interval. A status missing from it had none.</summary>
    public Dictionary<AgentStatus, TimeSpan> StatusTime { get; } = [];

    /// <summary>Offers made to the agent.</summary>
    public int Offered { get; internal set; }

    /// <summary>Offers the agent accepted.</summary>
    public int Accepted { get; internal set; }

    /// <summary>Offers the agent declined.</summary>
    public int Declined { get; internal set; }

    /// <summary>Offers to the agent that expired.</summary>
    public int Missed { get; internal set; }

    /// <summary>Offers to the agent that were withdrawn.</summary>
    public int Withdrawn { get; internal set; }

    /// <summary>Emails the agent transferred, to a queue or to another agent.</summary>
    public int Transferred { get; internal set; }

    /// <summary>Emails the agent completed.</summary>
    public int Completed { get; internal set; }

    /// <summary>The agent's handle times that ended in the interval.</summary>
    public DurationStats Handle { get; } = new();

    /// <summary>The agent's wrap times that ended in the interval.</summary>
    public DurationStats Wrap { get; } = new();

    /// <summary>Completions per work code. The key "" is for completions without a work code.</summary>
    public SortedDictionary<string, int> WorkCodes { get; } = new(StringComparer.Ordinal);
}

/// <summary>The completions with one work code in one queue in one report interval.</summary>
/// <param name="period">The interval.</param>
/// <param name="queue">The skill queue the email was in when it was completed.</param>
/// <param name="workCode">The work code, or null for completions without one.</param>
public sealed class WorkCodeIntervalRow(ReportPeriod period, string queue, string? workCode)
{
    /// <summary>The interval.</summary>
    public ReportPeriod Period { get; } = period;

    /// <summary>The skill queue the email was in when it was completed.</summary>
    public string Queue { get; } = queue;

    /// <summary>The work code, or null for completions without one.</summary>
    public string? WorkCode { get; } = workCode;

    /// <summary>Emails completed with this work code.</summary>
    public int Completed { get; internal set; }
}

using RoutedEmail.Core.Agents;

namespace RoutedEmail.Core.Reports;

/// <summary>Collects facts and status time into the rows of the interval reports.</summary>
internal sealed class IntervalReportBuilder(
    IReadOnlyList<ReportPeriod> periods, IReadOnlyDictionary<string, TimeSpan> serviceLevelThresholds)
{
    private readonly Dictionary<(int, string), QueueIntervalRow> _queues = [];
    private readonly Dictionary<(int, string), AgentIntervalRow> _agents = [];
    private readonly Dictionary<(int, string, string), WorkCodeIntervalRow> _workCodes = [];

    /// <summary>Agent rows that have more than Offline time, so the report keeps them.</summary>
    private readonly HashSet<(int, string)> _activeAgents = [];

    public void Add(ReportFact fact)
    {
        var threshold = serviceLevelThresholds.TryGetValue(fact.Queue, out var value) ? value : (TimeSpan?)null;
        var length = fact.Duration > TimeSpan.Zero ? fact.Duration : TimeSpan.Zero;
        var figures = new Figures(1, length, length, IsInLevelCount(fact, threshold) ? 1 : 0);
        AddFigures(fact.At, fact.Kind, fact.Queue, fact.AgentId, fact.WorkCode, figures);
    }

    /// <summary>Adds stored totals to the interval that contains the start of their bucket.</summary>
    public void Add(StoredFactTotal total)
    {
        if (!Enum.TryParse<FactKind>(total.Kind, ignoreCase: false, out var kind) || !Enum.IsDefined(kind))
        {
            throw new InvalidDataException(
                $"Stored report totals have the kind \"{total.Kind}\", which the reports do not know.");
        }

        var figures = new Figures(total.Count, total.Total, total.Max, total.LevelCount);
        AddFigures(total.BucketStart, kind, total.Queue, total.AgentId, total.WorkCode, figures);
    }

    /// <summary>Adds a stored status time to the interval that contains the start of its bucket.</summary>
    public void Add(StoredStatusTime time)
    {
        var index = FindPeriod(time.BucketStart);
        if (index >= 0)
        {
            AddStatusDuration(index, time.AgentId, time.Status, time.Duration);
        }
    }

    /// <summary>
    /// Returns whether the fact counts towards the service level: an accept whose wait was at most the threshold,
    /// or a cancel while waiting whose wait was longer. Without a threshold, none does.
    /// </summary>
    internal static bool IsInLevelCount(ReportFact fact, TimeSpan? threshold) => threshold is { } limit
        && ((fact.Kind == FactKind.Accepted && fact.Duration <= limit)
            || (fact.Kind == FactKind.AbandonedWaiting && fact.Duration > limit));

    private void AddFigures(
        DateTimeOffset at, FactKind kind, string queue, string? agentId, string? workCode, Figures figures)
    {
        var index = FindPeriod(at);
        if (index < 0)
        {
            return;
        }

        AddToQueue(Queue(index, queue), kind, figures);
        if (agentId is not null)
        {
            AddToAgent(Agent(index, agentId), kind, workCode, figures);
            _activeAgents.Add((index, agentId));
        }

        if (kind == FactKind.Completed)
        {
            var key = (index, queue, workCode ?? string.Empty);
            if (!_workCodes.TryGetValue(key, out var row))
            {
                row = new WorkCodeIntervalRow(periods[index], queue, workCode);
                _workCodes.Add(key, row);
            }

            row.Completed += figures.Count;
        }
    }

    /// <summary>Adds the part of [start, end) that falls in each interval to the agent's time in the status.</summary>
    public void AddStatusTime(string agentId, AgentStatus status, DateTimeOffset start, DateTimeOffset end)
    {
        var first = FindPeriod(start);
        var index = first < 0 && start < periods[0].Start ? 0 : first;
        for (; index >= 0 && index < periods.Count && periods[index].Start < end; index++)
        {
            var period = periods[index];
            var from = start > period.Start ? start : period.Start;
            var to = end < period.End ? end : period.End;
            if (to <= from)
            {
                continue;
            }

            AddStatusDuration(index, agentId, status, to - from);
        }
    }

    private void AddStatusDuration(int index, string agentId, AgentStatus status, TimeSpan duration)
    {
        var row = Agent(index, agentId);
        row.StatusTime[status] = row.StatusTime.GetValueOrDefault(status) + duration;
        if (status != AgentStatus.Offline)
        {
            _activeAgents.Add((index, agentId));
        }
    }

    public IntervalReportResult Build()
    {
        var queues = _queues.OrderBy(pair => pair.Key.Item1).ThenBy(pair => pair.Key.Item2, StringComparer.Ordinal)
            .Select(pair => pair.Value);
        var agents = _agents.Where(pair => _activeAgents.Contains(pair.Key))
            .OrderBy(pair => pair.Key.Item1).ThenBy(pair => pair.Key.Item2, StringComparer.Ordinal)
            .Select(pair => pair.Value);
        var workCodes = _workCodes.OrderBy(pair => pair.Key.Item1)
            .ThenBy(pair => pair.Key.Item2, StringComparer.Ordinal)
            .ThenBy(pair => pair.Key.Item3, StringComparer.Ordinal)
            .Select(pair => pair.Value);
        return new IntervalReportResult([.. queues], [.. agents], [.. workCodes]);
    }

    private static void AddToQueue(QueueIntervalRow row, FactKind kind, Figures figures)
    {
        var count = figures.Count;
        switch (kind)
        {
            case FactKind.Received: row.Received += count; break;
            case FactKind.Offered: row.Offered += count; break;
            case FactKind.Accepted:
                row.Accepted += count;
                row.Wait.Add(count, figures.Total, figures.Max);
                if (row.ServiceLevelThreshold is not null)
                {
                    row.AnsweredWithinServiceLevel += figures.LevelCount;
                }

                break;
            case FactKind.Declined: row.Declined += count; break;
            case FactKind.Missed: row.Missed += count; break;
            case FactKind.Withdrawn: row.Withdrawn += count; break;
            case FactKind.TransferredIn: row.TransferredIn += count; break;
            case FactKind.TransferredOut: row.TransferredOut += count; break;
            case FactKind.Canceled: row.Canceled += count; break;
            case FactKind.AbandonedWaiting:
                if (row.ServiceLevelThreshold is not null)
                {
                    row.AbandonedAfterServiceLevel += figures.LevelCount;
                }

                break;
            case FactKind.Completed: row.Completed += count; break;
            case FactKind.HandleEnded: row.Handle.Add(count, figures.Total, figures.Max); break;
            case FactKind.WrapEnded: row.Wrap.Add(count, figures.Total, figures.Max); break;
        }
    }

    private static void AddToAgent(AgentIntervalRow row, FactKind kind, string? workCode, Figures figures)
    {
        var count = figures.Count;
        switch (kind)
        {
            case FactKind.Offered: row.Offered += count; break;
            case FactKind.Accepted: row.Accepted += count; break;
            case FactKind.Declined: row.Declined += count; break;
            case FactKind.Missed: row.Missed += count; break;
            case FactKind.Withdrawn: row.Withdrawn += count; break;
            case FactKind.TransferredOut or FactKind.TransferredToAgent: row.Transferred += count; break;
            case FactKind.Completed:
                row.Completed += count;
                var code = workCode ?? string.Empty;
                row.WorkCodes[code] = row.WorkCodes.GetValueOrDefault(code) + count;
                break;
            case FactKind.HandleEnded: row.Handle.Add(count, figures.Total, figures.Max); break;
            case FactKind.WrapEnded: row.Wrap.Add(count, figures.Total, figures.Max); break;
        }
    }

    private QueueIntervalRow Queue(int index, string queue)
    {
        if (!_queues.TryGetValue((index, queue), out var row))
        {
            row = new QueueIntervalRow(periods[index], queue)
            {
                ServiceLevelThreshold = serviceLevelThresholds.TryGetValue(queue, out var threshold)
                    ? threshold
                    : null,
            };
            _queues.Add((index, queue), row);
        }

        return row;
    }

    private AgentIntervalRow Agent(int index, string agentId)
    {
        if (!_agents.TryGetValue((index, agentId), out var row))
        {
            row = new AgentIntervalRow(periods[index], agentId);
            _agents.Add((index, agentId), row);
        }

        return row;
    }

    /// <summary>Returns the index of the interval that contains the instant, or -1 when none does.</summary>
    private int FindPeriod(DateTimeOffset at)
    {
        int low = 0, high = periods.Count - 1;
        while (low <= high)
        {
            var middle = (low + high) / 2;
            if (at < periods[middle].Start)
            {
                high = middle - 1;
            }
            else if (at >= periods[middle].End)
            {
                low = middle + 1;
            }
            else
            {
                return middle;
            }
        }

        return -1;
    }

    /// <summary>
    /// The figures of one fact, or the stored totals of several: their number, the sum and maximum of their
    /// durations (none below zero), and how many of them count towards the service level.
    /// </summary>
    private readonly record struct Figures(int Count, TimeSpan Total, TimeSpan Max, int LevelCount);
}

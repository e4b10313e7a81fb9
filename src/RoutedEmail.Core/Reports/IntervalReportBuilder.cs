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
        var index = FindPeriod(fact.At);
        if (index < 0)
        {
            return;
        }

        AddToQueue(Queue(index, fact.Queue), fact);
        if (fact.AgentId is not null)
        {
            AddToAgent(Agent(index, fact.AgentId), fact);
            _activeAgents.Add((index, fact.AgentId));
        }

        if (fact.Kind == FactKind.Completed)
        {
            var key = (index, fact.Queue, fact.WorkCode ?? string.Empty);
            if (!_workCodes.TryGetValue(key, out var row))
            {
                row = new WorkCodeIntervalRow(periods[index], fact.Queue, fact.WorkCode);
                _workCodes.Add(key, row);
            }

            row.Completed++;
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

            var row = Agent(index, agentId);
            row.StatusTime[status] = row.StatusTime.GetValueOrDefault(status) + (to - from);
            if (status != AgentStatus.Offline)
            {
                _activeAgents.Add((index, agentId));
            }
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

    private static void AddToQueue(QueueIntervalRow row, ReportFact fact)
    {
        switch (fact.Kind)
        {
            case FactKind.Received: row.Received++; break;
            case FactKind.Offered: row.Offered++; break;
            case FactKind.Accepted:
                row.Accepted++;
                row.Wait.Add(fact.Duration);
                if (row.ServiceLevelThreshold is { } threshold && fact.Duration <= threshold)
                {
                    row.AnsweredWithinServiceLevel++;
                }

                break;
            case FactKind.Declined: row.Declined++; break;
            case FactKind.Missed: row.Missed++; break;
            case FactKind.Withdrawn: row.Withdrawn++; break;
            case FactKind.TransferredIn: row.TransferredIn++; break;
            case FactKind.TransferredOut: row.TransferredOut++; break;
            case FactKind.Canceled: row.Canceled++; break;
            case FactKind.AbandonedWaiting:
                if (row.ServiceLevelThreshold is { } limit && fact.Duration > limit)
                {
                    row.AbandonedAfterServiceLevel++;
                }

                break;
            case FactKind.Completed: row.Completed++; break;
            case FactKind.HandleEnded: row.Handle.Add(fact.Duration); break;
            case FactKind.WrapEnded: row.Wrap.Add(fact.Duration); break;
        }
    }

    private static void AddToAgent(AgentIntervalRow row, ReportFact fact)
    {
        switch (fact.Kind)
        {
            case FactKind.Offered: row.Offered++; break;
            case FactKind.Accepted: row.Accepted++; break;
            case FactKind.Declined: row.Declined++; break;
            case FactKind.Missed: row.Missed++; break;
            case FactKind.Withdrawn: row.Withdrawn++; break;
            case FactKind.TransferredOut or FactKind.TransferredToAgent: row.Transferred++; break;
            case FactKind.Completed:
                row.Completed++;
                var code = fact.WorkCode ?? string.Empty;
                row.WorkCodes[code] = row.WorkCodes.GetValueOrDefault(code) + 1;
                break;
            case FactKind.HandleEnded: row.Handle.Add(fact.Duration); break;
            case FactKind.WrapEnded: row.Wrap.Add(fact.Duration); break;
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
}

namespace RoutedEmail.Web.Services;

/// <summary>
/// The JSON of <c>GET .../reports/{queues|agents|work-codes}</c>: the range, the interval and one row per interval
/// and queue, agent or work code. docs/reports.md defines every figure.
/// </summary>
/// <typeparam name="TRow">The row type of the report.</typeparam>
/// <param name="From">Start of the range, included, in the tenant's local time with its UTC offset.</param>
/// <param name="To">End of the range, excluded, in the tenant's local time with its UTC offset.</param>
/// <param name="Interval"><c>15</c>, <c>30</c>, <c>60</c> or <c>day</c>.</param>
/// <param name="TimeZone">The tenant's IANA time zone, in which the intervals start.</param>
/// <param name="Rows">The rows, by interval, then by queue, agent id or work code.</param>
public sealed record IntervalReport<TRow>(
    DateTimeOffset From, DateTimeOffset To, string Interval, string TimeZone, IReadOnlyList<TRow> Rows);

/// <summary>One skill queue in one interval of the queue report.</summary>
public sealed record QueueReportRow(
    DateTimeOffset IntervalStart, DateTimeOffset IntervalEnd, string Queue,
    int Received, int Offered, int Accepted, int Declined, int Missed, int Withdrawn,
    int TransferredIn, int TransferredOut, int Canceled, int Completed,
    double? AverageWaitSeconds, double? MaxWaitSeconds, double TotalWaitSeconds,
    int Handled, double? AverageHandleSeconds, double TotalHandleSeconds,
    int Wrapped, double? AverageWrapSeconds, double TotalWrapSeconds,
    int? ServiceLevelSeconds, int AnsweredWithinServiceLevel, int AbandonedAfterServiceLevel,
    double? ServiceLevelPercent);

/// <summary>One agent in one interval of the agent report.</summary>
public sealed record AgentReportRow(
    DateTimeOffset IntervalStart, DateTimeOffset IntervalEnd, string AgentId,
    double AvailableSeconds, double AwaySeconds, double MissedSeconds, double OfflineSeconds,
    int Offered, int Accepted, int Declined, int Missed, int Withdrawn, int Transferred, int Completed,
    int Handled, double? AverageHandleSeconds, double TotalHandleSeconds,
    int Wrapped, double? AverageWrapSeconds, double TotalWrapSeconds,
    IReadOnlyList<WorkCodeCount> WorkCodes);

/// <summary>An agent's completions with one work code, which is null for completions without one.</summary>
public sealed record WorkCodeCount(string? WorkCode, int Completed);

/// <summary>The completions with one work code, or null for none, in one queue in one interval.</summary>
public sealed record WorkCodeReportRow(
    DateTimeOffset IntervalStart, DateTimeOffset IntervalEnd, string Queue, string? WorkCode, int Completed);

/// <summary>The three interval reports, each with its path segment under <c>.../reports/</c>.</summary>
public enum ReportKind
{
    /// <summary>One row per interval and skill queue: <c>reports/queues</c>.</summary>
    Queues,

    /// <summary>One row per interval and agent: <c>reports/agents</c>.</summary>
    Agents,

    /// <summary>One row per interval, skill queue and work code: <c>reports/work-codes</c>.</summary>
    WorkCodes,
}

/// <summary>
/// The parameters of one report request, as the report page's controls set them. The server checks every value,
/// so an empty or invalid one is sent as it is and comes back as a validation error of that field.
/// </summary>
/// <param name="Kind">The report.</param>
/// <param name="From">The first day, <c>yyyy-MM-dd</c> in the tenant's time zone.</param>
/// <param name="To">The day after the last day, excluded, <c>yyyy-MM-dd</c>.</param>
/// <param name="Interval"><c>15</c>, <c>30</c>, <c>60</c> or <c>day</c>.</param>
/// <param name="Queue">One skill queue, or empty for every queue; ignored by the agent report.</param>
public sealed record ReportRequest(ReportKind Kind, string From, string To, string Interval, string Queue)
{
    /// <summary>
    /// The path segment under <c>.../reports/</c>: <c>queues</c>, <c>agents</c> or <c>work-codes</c>.
    /// </summary>
    public string PathSegment => Kind switch
    {
        ReportKind.Agents => "agents",
        ReportKind.WorkCodes => "work-codes",
        _ => "queues",
    };

    /// <summary>Whether the report has a queue filter: the queue and work codes reports.</summary>
    public bool HasQueues => Kind != ReportKind.Agents;

    /// <summary>Returns the path relative to the tenant's path, with every query value escaped.</summary>
    /// <param name="csv">True to add <c>format=csv</c>, which requests the server's CSV.</param>
    public string RelativePath(bool csv)
    {
        var query = $"from={Uri.EscapeDataString(From)}&to={Uri.EscapeDataString(To)}" +
            $"&interval={Uri.EscapeDataString(Interval)}";
        if (HasQueues && Queue.Length > 0)
        {
            query += "&queue=" + Uri.EscapeDataString(Queue);
        }

        if (csv)
        {
            query += "&format=csv";
        }

        return $"reports/{PathSegment}?{query}";
    }
}

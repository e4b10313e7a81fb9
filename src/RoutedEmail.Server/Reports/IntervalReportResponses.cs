using System.Text.Json.Serialization;
using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Reports;

namespace RoutedEmail.Server.Reports;

/// <summary>An interval report: the range, the interval length and one row per interval and queue, agent or code.</summary>
/// <typeparam name="TRow">The row type.</typeparam>
/// <param name="From">Start of the range, inclusive, in the tenant's local time.</param>
/// <param name="To">End of the range, exclusive, in the tenant's local time.</param>
/// <param name="Interval">The interval: <c>15</c>, <c>30</c>, <c>60</c> or <c>day</c>.</param>
/// <param name="TimeZone">The tenant's IANA time zone, in which the intervals start.</param>
/// <param name="Rows">The rows, ordered by interval start, then by name (ordinal).</param>
public sealed record IntervalReportResponse<TRow>(
    DateTimeOffset From, DateTimeOffset To, string Interval, string TimeZone, IReadOnlyList<TRow> Rows);

/// <summary>One queue in one interval. docs/reports.md defines every figure.</summary>
public sealed record QueueRowResponse(
    DateTimeOffset IntervalStart, DateTimeOffset IntervalEnd, string Queue,
    int Received, int Offered, int Accepted, int Declined, int Missed, int Withdrawn,
    int TransferredIn, int TransferredOut, int Canceled, int Completed,
    double? AverageWaitSeconds, double? MaxWaitSeconds, double TotalWaitSeconds,
    int Handled, double? AverageHandleSeconds, double TotalHandleSeconds,
    int Wrapped, double? AverageWrapSeconds, double TotalWrapSeconds,
    int? ServiceLevelSeconds, int AnsweredWithinServiceLevel, int AbandonedAfterServiceLevel,
    double? ServiceLevelPercent);

/// <summary>One agent in one interval. docs/reports.md defines every figure.</summary>
public sealed record AgentRowResponse(
    DateTimeOffset IntervalStart, DateTimeOffset IntervalEnd, string AgentId,
    double AvailableSeconds, double AwaySeconds, double MissedSeconds, double OfflineSeconds,
    int Offered, int Accepted, int Declined, int Missed, int Withdrawn, int Transferred, int Completed,
    int Handled, double? AverageHandleSeconds, double TotalHandleSeconds,
    int Wrapped, double? AverageWrapSeconds, double TotalWrapSeconds,
    IReadOnlyList<WorkCodeCountResponse> WorkCodes);

/// <summary>The completions of an agent with one work code.</summary>
/// <param name="WorkCode">The work code, or null for completions without one.</param>
/// <param name="Completed">The number of completions.</param>
public sealed record WorkCodeCountResponse(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? WorkCode, int Completed);

/// <summary>The completions with one work code in one queue in one interval.</summary>
public sealed record WorkCodeRowResponse(
    DateTimeOffset IntervalStart, DateTimeOffset IntervalEnd, string Queue,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? WorkCode, int Completed);

/// <summary>Converts the rows of <see cref="IntervalReport"/> to their response shape.</summary>
internal static class IntervalReportRowMapping
{
    public static QueueRowResponse ToResponse(QueueIntervalRow row) => new(
        row.Period.Start, row.Period.End, row.Queue,
        row.Received, row.Offered, row.Accepted, row.Declined, row.Missed, row.Withdrawn,
        row.TransferredIn, row.TransferredOut, row.Canceled, row.Completed,
        Seconds(row.Wait.Average), row.Wait.Count == 0 ? null : Seconds(row.Wait.Max), Seconds(row.Wait.Total),
        row.Handle.Count, Seconds(row.Handle.Average), Seconds(row.Handle.Total),
        row.Wrap.Count, Seconds(row.Wrap.Average), Seconds(row.Wrap.Total),
        row.ServiceLevelThreshold is { } threshold ? (int)threshold.TotalSeconds : null,
        row.AnsweredWithinServiceLevel, row.AbandonedAfterServiceLevel,
        row.ServiceLevel is { } level ? Math.Round(level * 100, 1) : null);

    public static AgentRowResponse ToResponse(AgentIntervalRow row) => new(
        row.Period.Start, row.Period.End, row.AgentId,
        StatusSeconds(row, AgentStatus.Available), StatusSeconds(row, AgentStatus.Away),
        StatusSeconds(row, AgentStatus.Missed), StatusSeconds(row, AgentStatus.Offline),
        row.Offered, row.Accepted, row.Declined, row.Missed, row.Withdrawn, row.Transferred, row.Completed,
        row.Handle.Count, Seconds(row.Handle.Average), Seconds(row.Handle.Total),
        row.Wrap.Count, Seconds(row.Wrap.Average), Seconds(row.Wrap.Total),
        [.. row.WorkCodes.Select(pair => new WorkCodeCountResponse(pair.Key.Length == 0 ? null : pair.Key, pair.Value))]);

    public static WorkCodeRowResponse ToResponse(WorkCodeIntervalRow row) =>
        new(row.Period.Start, row.Period.End, row.Queue, row.WorkCode, row.Completed);

    public static string IntervalName(ReportInterval interval) =>
        interval == ReportInterval.Day ? "day" : ((int)interval).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static double StatusSeconds(AgentIntervalRow row, AgentStatus status) =>
        Seconds(row.StatusTime.GetValueOrDefault(status));

    // The event log stores milliseconds, so seconds with three decimals lose nothing. Averages are rounded to them.
    private static double Seconds(TimeSpan duration) => Math.Round(duration.TotalMilliseconds) / 1000.0;

    private static double? Seconds(TimeSpan? duration) => duration is { } value ? Seconds(value) : null;
}

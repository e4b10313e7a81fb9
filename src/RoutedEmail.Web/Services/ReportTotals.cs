namespace RoutedEmail.Web.Services;

/// <summary>
/// The totals of a queue report's rows, with averages and the service level recomputed from the sums.
/// </summary>
public sealed record QueueReportTotals(
    int Received, int Offered, int Accepted, int Declined, int Missed, int Withdrawn, int TransferredIn,
    int TransferredOut, int Canceled, int Completed, double? AverageWaitSeconds, double? MaxWaitSeconds,
    int Handled, double? AverageHandleSeconds, int Wrapped, double? AverageWrapSeconds, double? ServiceLevelPercent);

/// <summary>The totals of an agent report's rows, with averages recomputed from the sums.</summary>
public sealed record AgentReportTotals(
    double AvailableSeconds, double AwaySeconds, double MissedSeconds, double OfflineSeconds, int Offered,
    int Accepted, int Declined, int Missed, int Withdrawn, int Transferred, int Completed, int Handled,
    double? AverageHandleSeconds, int Wrapped, double? AverageWrapSeconds, IReadOnlyList<WorkCodeCount> WorkCodes);

/// <summary>
/// Adds up report rows where the figure adds up. Counts and total times are summed. An average is the summed total
/// divided by the summed count, not an average of averages, and is null when that count is 0. The service level
/// is recomputed as the server defines it, over the rows whose queue still has a threshold.
/// </summary>
public static class ReportTotals
{
    /// <summary>Adds up the rows of a queue report.</summary>
    public static QueueReportTotals Of(IReadOnlyCollection<QueueReportRow> rows)
    {
        var accepted = rows.Sum(row => row.Accepted);
        var handled = rows.Sum(row => row.Handled);
        var wrapped = rows.Sum(row => row.Wrapped);
        return new QueueReportTotals(
            rows.Sum(row => row.Received), rows.Sum(row => row.Offered), accepted, rows.Sum(row => row.Declined),
            rows.Sum(row => row.Missed), rows.Sum(row => row.Withdrawn), rows.Sum(row => row.TransferredIn),
            rows.Sum(row => row.TransferredOut), rows.Sum(row => row.Canceled), rows.Sum(row => row.Completed),
            Average(rows.Sum(row => row.TotalWaitSeconds), accepted), rows.Max(row => row.MaxWaitSeconds),
            handled, Average(rows.Sum(row => row.TotalHandleSeconds), handled),
            wrapped, Average(rows.Sum(row => row.TotalWrapSeconds), wrapped),
            ServiceLevel(rows));
    }

    /// <summary>Adds up the rows of an agent report, with the completions per work code merged.</summary>
    public static AgentReportTotals Of(IReadOnlyCollection<AgentReportRow> rows)
    {
        var handled = rows.Sum(row => row.Handled);
        var wrapped = rows.Sum(row => row.Wrapped);
        var workCodes = rows.SelectMany(row => row.WorkCodes)
            .GroupBy(code => code.WorkCode ?? "")
            .OrderBy(group => group.Key, StringComparer.Ordinal)
            .Select(group => new WorkCodeCount(group.First().WorkCode, group.Sum(code => code.Completed)))
            .ToList();
        return new AgentReportTotals(
            rows.Sum(row => row.AvailableSeconds), rows.Sum(row => row.AwaySeconds),
            rows.Sum(row => row.MissedSeconds), rows.Sum(row => row.OfflineSeconds), rows.Sum(row => row.Offered),
            rows.Sum(row => row.Accepted), rows.Sum(row => row.Declined), rows.Sum(row => row.Missed),
            rows.Sum(row => row.Withdrawn), rows.Sum(row => row.Transferred), rows.Sum(row => row.Completed),
            handled, Average(rows.Sum(row => row.TotalHandleSeconds), handled),
            wrapped, Average(rows.Sum(row => row.TotalWrapSeconds), wrapped), workCodes);
    }

    /// <summary>
    /// Returns the service level of the rows as a percentage with one decimal: answered within the threshold ÷
    /// (accepted + abandoned after the threshold) × 100, over the rows whose threshold is known. Null when that
    /// denominator is 0.
    /// </summary>
    public static double? ServiceLevel(IEnumerable<QueueReportRow> rows)
    {
        var known = rows.Where(row => row.ServiceLevelSeconds is not null).ToList();
        var denominator = known.Sum(row => row.Accepted + row.AbandonedAfterServiceLevel);
        if (denominator == 0)
        {
            return null;
        }

        var answered = known.Sum(row => row.AnsweredWithinServiceLevel);
        // The same arithmetic as the server's per-row level, so one row's total equals that row.
        return Math.Round(answered / (double)denominator * 100, 1);
    }

    private static double? Average(double total, int count) => count == 0 ? null : total / count;
}

using System.Globalization;
using System.Text.Json;
using CsvHelper;

namespace RoutedEmail.Server.Reports;

/// <summary>
/// Writes interval report rows as RFC 4180 CSV: a header line, then one line per row, CRLF line ends, fields quoted
/// where needed. Interval bounds carry their UTC offset, so the two passes of a repeated local hour stay distinct.
/// </summary>
internal static class IntervalReportCsv
{
    public const string ContentType = "text/csv; charset=utf-8";

    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:sszzz";

    // A queue name, agent id or work code that starts with =, +, - or @ gets a leading ' so that a spreadsheet
    // shows it as text instead of running it as a formula.
    private static readonly CsvWriterOptions Options = new() { Injection = CsvInjection.Escape };

    public static string Write(IEnumerable<QueueRowResponse> rows) => Write(rows,
    [
        ("intervalStart", row => Time(row.IntervalStart)), ("intervalEnd", row => Time(row.IntervalEnd)),
        ("queue", row => row.Queue), ("received", row => Number(row.Received)),
        ("offered", row => Number(row.Offered)), ("accepted", row => Number(row.Accepted)),
        ("declined", row => Number(row.Declined)), ("missed", row => Number(row.Missed)),
        ("withdrawn", row => Number(row.Withdrawn)), ("transferredIn", row => Number(row.TransferredIn)),
        ("transferredOut", row => Number(row.TransferredOut)), ("canceled", row => Number(row.Canceled)),
        ("completed", row => Number(row.Completed)), ("averageWaitSeconds", row => Number(row.AverageWaitSeconds)),
        ("maxWaitSeconds", row => Number(row.MaxWaitSeconds)),
        ("totalWaitSeconds", row => Number(row.TotalWaitSeconds)), ("handled", row => Number(row.Handled)),
        ("averageHandleSeconds", row => Number(row.AverageHandleSeconds)),
        ("totalHandleSeconds", row => Number(row.TotalHandleSeconds)), ("wrapped", row => Number(row.Wrapped)),
        ("averageWrapSeconds", row => Number(row.AverageWrapSeconds)),
        ("totalWrapSeconds", row => Number(row.TotalWrapSeconds)),
        ("serviceLevelSeconds", row => Number(row.ServiceLevelSeconds)),
        ("answeredWithinServiceLevel", row => Number(row.AnsweredWithinServiceLevel)),
        ("abandonedAfterServiceLevel", row => Number(row.AbandonedAfterServiceLevel)),
        ("serviceLevelPercent", row => Number(row.ServiceLevelPercent)),
    ]);

    public static string Write(IEnumerable<AgentRowResponse> rows) => Write(rows,
    [
        ("intervalStart", row => Time(row.IntervalStart)), ("intervalEnd", row => Time(row.IntervalEnd)),
        ("agentId", row => row.AgentId), ("availableSeconds", row => Number(row.AvailableSeconds)),
        ("awaySeconds", row => Number(row.AwaySeconds)), ("missedSeconds", row => Number(row.MissedSeconds)),
        ("offlineSeconds", row => Number(row.OfflineSeconds)), ("offered", row => Number(row.Offered)),
        ("accepted", row => Number(row.Accepted)), ("declined", row => Number(row.Declined)),
        ("missed", row => Number(row.Missed)), ("withdrawn", row => Number(row.Withdrawn)),
        ("transferred", row => Number(row.Transferred)), ("completed", row => Number(row.Completed)),
        ("handled", row => Number(row.Handled)), ("averageHandleSeconds", row => Number(row.AverageHandleSeconds)),
        ("totalHandleSeconds", row => Number(row.TotalHandleSeconds)), ("wrapped", row => Number(row.Wrapped)),
        ("averageWrapSeconds", row => Number(row.AverageWrapSeconds)),
        ("totalWrapSeconds", row => Number(row.TotalWrapSeconds)),
        ("workCodes", row => WorkCodes(row.WorkCodes)),
    ]);

    public static string Write(IEnumerable<WorkCodeRowResponse> rows) => Write(rows,
    [
        ("intervalStart", row => Time(row.IntervalStart)), ("intervalEnd", row => Time(row.IntervalEnd)),
        ("queue", row => row.Queue), ("workCode", row => row.WorkCode ?? string.Empty),
        ("completed", row => Number(row.Completed)),
    ]);

    private static string Write<TRow>(IEnumerable<TRow> rows, (string Header, Func<TRow, string> Value)[] columns)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, Options, leaveOpen: true))
        {
            csv.WriteRecord([.. columns.Select(column => column.Header)]);
            foreach (var row in rows)
            {
                csv.WriteRecord([.. columns.Select(column => column.Value(row))]);
            }
        }

        return text.ToString();
    }

    private static string Time(DateTimeOffset time) => time.ToString(TimeFormat, CultureInfo.InvariantCulture);

    private static string Number(double? value) =>
        value is { } number ? number.ToString("0.###", CultureInfo.InvariantCulture) : string.Empty;

    /// <summary>
    /// Writes an agent's work codes as one JSON object from code to count, such as {"billing":2,"":1}, where ""
    /// is the key for completions without a code. JSON keeps codes that contain separators unambiguous.
    /// </summary>
    private static string WorkCodes(IReadOnlyList<WorkCodeCountResponse> codes) =>
        JsonSerializer.Serialize(codes.ToDictionary(code => code.WorkCode ?? string.Empty, code => code.Completed));
}

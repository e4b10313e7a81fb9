using System.Globalization;
using System.Text;

namespace RoutedEmail.Web.Services;

/// <summary>Text forms of the interval reports' figures, as the report page and its export name show them.</summary>
public static class ReportFormat
{
    /// <summary>The interval choices: the value the server takes and its label.</summary>
    public static readonly IReadOnlyList<(string Value, string Label)> Intervals =
    [
        ("15", "15 minutes"), ("30", "30 minutes"), ("60", "60 minutes"), ("day", "Day"),
    ];

    /// <summary>
    /// Formats seconds as <c>m:ss</c>, or <c>h:mm:ss</c> from one hour on, rounded to the nearest second. Returns an
    /// empty string for null, which the server sends for an average of nothing.
    /// </summary>
    public static string Duration(double? seconds)
    {
        if (seconds is not { } value)
        {
            return "";
        }

        var whole = (long)Math.Round(Math.Max(0, value), MidpointRounding.AwayFromZero);
        return DashboardFormat.Duration(whole);
    }

    /// <summary>
    /// Formats a service level as a percentage with one decimal, such as <c>66.7 %</c>. Returns an empty string for
    /// null, which the server sends when nothing was accepted or abandoned, so that no level reads as 0 %.
    /// </summary>
    public static string Percent(double? percent) =>
        percent is { } value ? value.ToString("0.0", CultureInfo.InvariantCulture) + " %" : "";

    /// <summary>Formats a count with the invariant culture.</summary>
    public static string Count(int count) => count.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Formats an interval in the tenant's local time: <c>2026-03-02</c> for a day, otherwise
    /// <c>2026-03-02 09:00–09:15</c>. With <paramref name="withOffset"/> the UTC offset follows, such as
    /// <c>(UTC+01:00)</c>, so the two passes of an hour repeated at a daylight-saving change stay apart.
    /// </summary>
    public static string Interval(DateTimeOffset start, DateTimeOffset end, bool isDay, bool withOffset)
    {
        var text = isDay
            ? start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : start.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + "–" +
                end.ToString("HH:mm", CultureInfo.InvariantCulture);
        return withOffset ? $"{text} ({Offset(start)})" : text;
    }

    /// <summary>Formats the start of an interval for a chart axis: <c>09:15</c>, or <c>03-02</c> for a day.</summary>
    public static string AxisLabel(DateTimeOffset start, bool isDay) =>
        start.ToString(isDay ? "MM-dd" : "HH:mm", CultureInfo.InvariantCulture);

    /// <summary>Formats a UTC offset as <c>UTC+01:00</c> or <c>UTC-05:00</c>.</summary>
    public static string Offset(DateTimeOffset time)
    {
        var sign = time.Offset < TimeSpan.Zero ? "-" : "+";
        return $"UTC{sign}{time.Offset.Duration():hh\\:mm}";
    }

    /// <summary>Returns the text shown for a work code: the code, or <c>(no code)</c> for null.</summary>
    public static string WorkCode(string? code) => code ?? "(no code)";

    /// <summary>
    /// Builds the export's file name from the tenant, the report, the range, the interval and the queue filter, such
    /// as <c>abc-gadgets_prod_queues_2026-03-02_to_2026-03-03_15min.csv</c>. Characters other than letters, digits,
    /// '-' and '.' become '_', so a name part cannot add a path separator.
    /// </summary>
    public static string FileName(string companyCode, string environment, ReportRequest request)
    {
        var interval = request.Interval == "day" ? "day" : request.Interval + "min";
        List<string> parts =
        [
            companyCode, environment, request.PathSegment, request.From, "to", request.To, interval,
        ];
        if (request.HasQueues && request.Queue.Length > 0)
        {
            parts.Add(request.Queue);
        }

        return string.Join("_", parts.Select(Safe)) + ".csv";
    }

    private static string Safe(string part)
    {
        var text = new StringBuilder(part.Length);
        foreach (var character in part)
        {
            text.Append(char.IsAsciiLetterOrDigit(character) || character is '-' or '.' ? character : '_');
        }

        return text.ToString();
    }
}

using System.Globalization;
using System.Text.RegularExpressions;
using RoutedEmail.Core.Reports;
using RoutedEmail.Server.Admin;

namespace RoutedEmail.Server.Reports;

/// <summary>The range and interval of an interval report request, resolved in the tenant's time zone.</summary>
/// <param name="Start">Start of the range, inclusive, in the tenant's local time.</param>
/// <param name="End">End of the range, exclusive, in the tenant's local time.</param>
/// <param name="Interval">The interval length.</param>
/// <param name="Periods">The intervals of the range.</param>
/// <param name="Csv">True when the response is CSV, false for JSON.</param>
internal sealed record IntervalReportRange(
    DateTimeOffset Start, DateTimeOffset End, ReportInterval Interval, IReadOnlyList<ReportPeriod> Periods,
    bool Csv);

/// <summary>
/// Parses the <c>from</c>, <c>to</c>, <c>interval</c> and <c>format</c> parameters of the interval reports. A
/// bound is a local date <c>yyyy-MM-dd</c>, which means the start of that day in the tenant's time zone, or an
/// ISO 8601 instant with a UTC offset.
/// </summary>
internal static partial class IntervalReportQuery
{
    /// <summary>Maximum length of a range: 31 days, or 31 local days when both bounds are dates.</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(31);

    private const int LatestYear = 9998;

    private const string DateExample = "a local date such as 2026-03-02, or a time " + ReportQuery.TimeExample;

    /// <summary>The query parameters every interval report accepts, besides its filter.</summary>
    public static readonly IReadOnlyList<string> Parameters = ["from", "to", "interval", "format"];

    public static IntervalReportRange? Parse(
        RequestValidation validation, HttpContext context, string timeZone)
    {
        var query = context.Request.Query;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZone);

        // A repeated parameter gets only the "given twice" error, not also a "missing" or "invalid" one.
        var from = ReportQuery.TryReadSingleValue(validation, query, "from", out var fromValue)
            ? ParseBound(validation, "from", fromValue, zone)
            : null;
        var to = ReportQuery.TryReadSingleValue(validation, query, "to", out var toValue)
            ? ParseBound(validation, "to", toValue, zone)
            : null;
        var interval = ReportQuery.TryReadSingleValue(validation, query, "interval", out var intervalValue)
            ? ParseInterval(validation, intervalValue)
            : null;
        var csv = ReportQuery.TryReadSingleValue(validation, query, "format", out var format)
            && WantsCsv(validation, context, format);
        if (!validation.IsValid || from is null || to is null || interval is null)
        {
            return null;
        }

        if (from.Value.Date is { } fromDate && to.Value.Date is { } toDate)
        {
            CheckDateRange(validation, fromDate, toDate);
        }
        else
        {
            ReportQuery.CheckRange(validation, from.Value.Instant, to.Value.Instant, MaxRange);
        }

        if (!validation.IsValid)
        {
            return null;
        }

        var periods = ReportIntervals.Split(from.Value.Instant, to.Value.Instant, interval.Value, timeZone);
        return new IntervalReportRange(periods[0].Start, periods[^1].End, interval.Value, periods, csv);
    }

    /// <summary>Parses a bound, or adds an error naming the field and returns null when it is missing or invalid.</summary>
    private static (DateTimeOffset Instant, DateOnly? Date)? ParseBound(
        RequestValidation validation, string field, string? value, TimeZoneInfo zone)
    {
        if (string.IsNullOrEmpty(value))
        {
            validation.Add(field, $"{field} is missing. Send {DateExample}.");
            return null;
        }

        DateOnly date = default;
        DateTimeOffset instant = default;
        var isDate = DatePattern().IsMatch(value) && DateOnly.TryParseExact(
            value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
        if (!isDate && !ReportQuery.IsInstant(value, out instant))
        {
            validation.Add(field, $"{field} \"{value}\" is neither a date yyyy-MM-dd nor an ISO 8601 time with a " +
                $"UTC offset. Send {DateExample}.");
            return null;
        }

        // The interval arithmetic adds up to a day and a UTC offset to a bound, which must not leave the range of
        // DateTimeOffset, so the years outside 1970 to 9998 are rejected before it runs.
        var year = isDate ? date.Year : instant.Year;
        if (year < 1970 || year > LatestYear)
        {
            validation.Add(field, $"{field} \"{value}\" is outside the years 1970 to {LatestYear}, which are the " +
                "times a report accepts. Send a time in those years.");
            return null;
        }

        if (!isDate)
        {
            return ReportQuery.CheckNotBefore1970(validation, field, value, instant) is null ? null : (instant, null);
        }

        var start = ReportIntervals.StartOfDay(date, zone);
        return ReportQuery.CheckNotBefore1970(validation, field, value, start) is null ? null : (start, date);
    }

    private static void CheckDateRange(RequestValidation validation, DateOnly from, DateOnly to)
    {
        var days = to.DayNumber - from.DayNumber;
        if (days <= 0)
        {
            validation.Add("to", $"to ({to:yyyy-MM-dd}) is not after from ({from:yyyy-MM-dd}). The range includes " +
                "from and excludes to, so for one day send the next day as to, such as from=" +
                $"{from:yyyy-MM-dd}&to={from.AddDays(1):yyyy-MM-dd}.");
        }
        else if (days > MaxRange.TotalDays)
        {
            validation.Add("from", $"The range from {from:yyyy-MM-dd} to {to:yyyy-MM-dd} is {days} days long, but " +
                $"it may be at most {MaxRange.TotalDays:0} days. Send a later from, or split the range into several " +
                "requests.");
        }
    }

    private static ReportInterval? ParseInterval(RequestValidation validation, string? value)
    {
        switch (value)
        {
            case null or "60":
                return ReportInterval.Hour;
            case "15":
                return ReportInterval.QuarterHour;
            case "30":
                return ReportInterval.HalfHour;
            case "day":
                return ReportInterval.Day;
            default:
                validation.Add("interval", $"interval \"{value}\" is not a report interval. Send 15, 30 or 60 " +
                    "(minutes) or day, or leave it out for 60.");
                return null;
        }
    }

    /// <summary>
    /// Returns true for CSV: <c>format=csv</c>, or no format and an Accept header that names <c>text/csv</c>.
    /// </summary>
    private static bool WantsCsv(RequestValidation validation, HttpContext context, string? format)
    {
        switch (format)
        {
            case "csv":
                return true;
            case "json":
                return false;
            case null:
                return context.Request.GetTypedHeaders().Accept
                    .Any(accept => accept.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase));
            default:
                validation.Add("format", $"format \"{format}\" is not a report format. Send csv or json, or leave " +
                    "it out and send Accept: text/csv for CSV.");
                return false;
        }
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$")]
    private static partial Regex DatePattern();
}

using System.Globalization;
using System.Text.RegularExpressions;
using RoutedEmail.Server.Admin;

namespace RoutedEmail.Server.Reports;

/// <summary>Parses and checks the query parameters that the report endpoints share.</summary>
internal static partial class ReportQuery
{
    public const string TimeExample =
        "such as 2026-03-02T09:00:00Z or 2026-03-02T09:00:00%2B01:00 (a '+' in a query string must be sent as %2B)";

    /// <summary>
    /// Returns the bound value of a query parameter, or null with an error when the query string repeats it. The
    /// binder joins repeated values with commas, which would otherwise be read as one value.
    /// </summary>
    public static string? ReadSingleValue(
        RequestValidation validation, IQueryCollection query, string field, string? bound) =>
        IsSingle(validation, query, field) ? bound : null;

    /// <summary>
    /// Reads a query parameter that may be given at most once, with a null value when it is absent. Returns false,
    /// with an error and a null value, when the query string repeats it, so the caller can skip its own checks
    /// instead of reporting the parameter as missing too.
    /// </summary>
    public static bool TryReadSingleValue(
        RequestValidation validation, IQueryCollection query, string field, out string? value)
    {
        var single = IsSingle(validation, query, field);
        value = single ? query[field].FirstOrDefault() : null;
        return single;
    }

    /// <summary>
    /// Adds an error for each query parameter that is not one of <paramref name="accepted"/>, because an ignored
    /// parameter, such as a filter sent to a report that does not filter by it, would return unfiltered data. Names
    /// compare without regard to case, as the binder matches them.
    /// </summary>
    public static void RejectUnknownParameters(
        RequestValidation validation, IQueryCollection query, IReadOnlyList<string> accepted)
    {
        foreach (var name in query.Keys)
        {
            if (!accepted.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                validation.Add(name, $"Query parameter \"{name}\" is not accepted here, so it would be ignored. " +
                    $"Remove it; the accepted parameters are {FormatList(accepted)}.");
            }
        }
    }

    private static bool IsSingle(RequestValidation validation, IQueryCollection query, string field)
    {
        var count = query[field].Count;
        if (count <= 1)
        {
            return true;
        }

        validation.Add(field, $"{field} is given {count} times in the query string, but it may be given only " +
            $"once. Send a single {field}.");
        return false;
    }

    private static string FormatList(IReadOnlyList<string> names) =>
        names.Count == 1 ? names[0] : $"{string.Join(", ", names.Take(names.Count - 1))} and {names[^1]}";

    /// <summary>
    /// Parses an ISO 8601 instant with a UTC offset, or returns null when the value is missing or invalid.
    /// </summary>
    public static DateTimeOffset? ParseTime(RequestValidation validation, string field, string? value)
    {
        if (value is null)
        {
            return null;
        }

        // The offset is required, because a time without one would be read in the server's time zone.
        if (!IsInstant(value, out var parsed))
        {
            validation.Add(field, $"{field} \"{value}\" is not an ISO 8601 time with a UTC offset. Send one " +
                $"{TimeExample}.");
            return null;
        }

        return CheckNotBefore1970(validation, field, value, parsed);
    }

    /// <summary>Parses an ISO 8601 instant with a UTC offset.</summary>
    public static bool IsInstant(string value, out DateTimeOffset parsed)
    {
        parsed = default;
        return InstantPattern().IsMatch(value)
            && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out parsed);
    }

    /// <summary>Returns the time, or adds an error and returns null when it is before the Unix epoch.</summary>
    public static DateTimeOffset? CheckNotBefore1970(
        RequestValidation validation, string field, string value, DateTimeOffset parsed)
    {
        // Event times count milliseconds from the Unix epoch, and the default start is computed by subtraction.
        if (parsed < DateTimeOffset.UnixEpoch)
        {
            validation.Add(field, $"{field} \"{value}\" is before 1970-01-01T00:00:00Z, which is the earliest " +
                "time a report accepts. Send a later time.");
            return null;
        }

        return parsed;
    }

    /// <summary>Checks that the range is not empty and at most <paramref name="maxRange"/> long.</summary>
    public static void CheckRange(
        RequestValidation validation, DateTimeOffset rangeStart, DateTimeOffset rangeEnd, TimeSpan maxRange)
    {
        if (rangeEnd <= rangeStart)
        {
            validation.Add("to", $"to ({rangeEnd:O}) is not after from ({rangeStart:O}). Send a to later than from, " +
                "because the range includes from and excludes to.");
        }
        else if (rangeEnd - rangeStart > maxRange)
        {
            validation.Add("from", $"The range from {rangeStart:O} to {rangeEnd:O} is " +
                $"{FormatLength(rangeEnd - rangeStart)} long, but it may be at most " +
                $"{maxRange.TotalDays:0} days. Send a later from, or split the range into several requests.");
        }
    }

    /// <summary>
    /// Formats a length as days and hh:mm:ss with every nonzero fractional digit, so a range just over the maximum
    /// does not read as equal to it.
    /// </summary>
    public static string FormatLength(TimeSpan length)
    {
        var text = $"{length.Days} days {length.Hours:00}:{length.Minutes:00}:{length.Seconds:00}";
        var fraction = length.Ticks % TimeSpan.TicksPerSecond;
        return fraction == 0
            ? text
            : $"{text}.{fraction.ToString("0000000", CultureInfo.InvariantCulture).TrimEnd('0')}";
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex InstantPattern();
}

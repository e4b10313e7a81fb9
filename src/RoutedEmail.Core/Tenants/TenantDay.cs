using RoutedEmail.Core.Reports;

namespace RoutedEmail.Core.Tenants;

/// <summary>Calendar days in a tenant's time zone.</summary>
public static class TenantDay
{
    /// <summary>
    /// Computes the start of the day that contains <paramref name="now"/> in the IANA time zone
    /// <paramref name="timeZone"/>. Where a daylight-saving change skips midnight, the day starts at the first
    /// local time that exists.
    /// </summary>
    /// <exception cref="TimeZoneNotFoundException">The time zone is not known to this system.</exception>
    public static DateTimeOffset StartOf(DateTimeOffset now, string timeZone)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var start = ReportIntervals.StartOfDay(DateOnly.FromDateTime(local.DateTime), zone);
        return TimeZoneInfo.ConvertTime(start, zone);
    }
}

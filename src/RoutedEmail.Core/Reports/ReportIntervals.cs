namespace RoutedEmail.Core.Reports;

/// <summary>The length of a report interval.</summary>
public enum ReportInterval
{
    /// <summary>15 minutes.</summary>
    QuarterHour = 15,

    /// <summary>30 minutes.</summary>
    HalfHour = 30,

    /// <summary>60 minutes.</summary>
    Hour = 60,

    /// <summary>A calendar day in the tenant's time zone: 24 hours, or 23 or 25 on a daylight-saving change.</summary>
    Day = 1440,
}

/// <summary>One interval of a report.</summary>
/// <param name="Start">The first instant of the interval, in the tenant's local time with its UTC offset then.</param>
/// <param name="End">The instant after the last one, in the tenant's local time with its UTC offset then.</param>
public sealed record ReportPeriod(DateTimeOffset Start, DateTimeOffset End)
{
    /// <summary>The length of the interval, which differs from the nominal length across a UTC offset change.</summary>
    public TimeSpan Length => End - Start;
}

/// <summary>
/// Splits a range into report intervals whose boundaries fall on whole local times in a tenant's time zone: every
/// 15, 30 or 60 minutes after local midnight, or at each local midnight.
/// </summary>
/// <remarks>
/// The intervals follow real time, not the wall clock. A day that loses an hour to daylight saving has 92
/// quarter-hours, and one that gains an hour has 100: the repeated local hour appears twice, with two different UTC
/// offsets, and is never merged. Where a change of offset is not a whole number of intervals, such as a 30-minute
/// shift with hourly intervals, the interval that contains the change is longer, so that the next one starts on a
/// whole local time again.
/// </remarks>
public static class ReportIntervals
{
    /// <summary>Maximum number of intervals in one report: 31 days of quarter-hours.</summary>
    public const int MaxCount = 31 * 24 * 4 + 4;

    /// <summary>
    /// Splits [<paramref name="from"/>, <paramref name="to"/>) into intervals of <paramref name="interval"/> in the
    /// IANA time zone <paramref name="timeZone"/>. The first interval starts at <paramref name="from"/> and the last
    /// ends at <paramref name="to"/>, so a range that does not start or end on a boundary has a partial interval there.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="to"/> is not after <paramref name="from"/>, or the range has more than <see cref="MaxCount"/>
    /// intervals.
    /// </exception>
    /// <exception cref="TimeZoneNotFoundException">The time zone is not known to this system.</exception>
    public static IReadOnlyList<ReportPeriod> Split(
        DateTimeOffset from, DateTimeOffset to, ReportInterval interval, string timeZone)
    {
        if (to <= from)
        {
            throw new ArgumentException($"The range end {to:O} must be after its start {from:O}.", nameof(to));
        }

        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        var periods = new List<ReportPeriod>();
        var start = from.ToUniversalTime();
        while (start < to)
        {
            var end = NextBoundary(start, interval, zone);
            if (end > to)
            {
                end = to.ToUniversalTime();
            }

            periods.Add(new ReportPeriod(TimeZoneInfo.ConvertTime(start, zone), TimeZoneInfo.ConvertTime(end, zone)));
            if (periods.Count > MaxCount)
            {
                throw new ArgumentException(
                    $"The range {from:O} to {to:O} has more than {MaxCount} intervals of {interval}. Ask for a " +
                    "shorter range or a longer interval.", nameof(to));
            }

            start = end;
        }

        return periods;
    }

    /// <summary>Returns the first interval boundary after the UTC instant <paramref name="after"/>.</summary>
    public static DateTimeOffset NextBoundary(DateTimeOffset after, ReportInterval interval, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return interval == ReportInterval.Day ? NextMidnight(after, zone) : NextWithinDay(after, interval, zone);
    }

    private static DateTimeOffset NextWithinDay(DateTimeOffset after, ReportInterval interval, TimeZoneInfo zone)
    {
        var length = TimeSpan.FromMinutes((int)interval);
        var offset = zone.GetUtcOffset(after);

        // While the offset stays the same, the local clock runs with real time, so the next boundary is the next
        // whole multiple of the length on the wall clock.
        var candidate = NextOnGrid(after.ToOffset(offset), length);
        if (zone.GetUtcOffset(candidate) == offset)
        {
            return candidate.ToUniversalTime();
        }

        // The offset changes before that boundary. From the change on, the clock reads in the new offset, so the
        // boundary is the change itself when it lands on a whole local time, and otherwise the next one after it.
        var change = FindOffsetChange(after, candidate, zone);
        var changeLocal = TimeZoneInfo.ConvertTime(change, zone);
        var boundary = FloorToGrid(changeLocal, length) == changeLocal ? changeLocal : NextOnGrid(changeLocal, length);
        return boundary.ToUniversalTime();
    }

    /// <summary>Returns the first whole multiple of the length after a local time, in the same offset.</summary>
    private static DateTimeOffset NextOnGrid(DateTimeOffset local, TimeSpan length) =>
        FloorToGrid(local, length) + length;

    /// <summary>
    /// Finds the first instant in (<paramref name="after"/>, <paramref name="before"/>] whose UTC offset differs from
    /// that of <paramref name="after"/>, to the second. The search assumes one change between the two instants, which
    /// are at most an interval apart.
    /// </summary>
    private static DateTimeOffset FindOffsetChange(DateTimeOffset after, DateTimeOffset before, TimeZoneInfo zone)
    {
        var offset = zone.GetUtcOffset(after);
        var low = after.ToUniversalTime();
        var high = before.ToUniversalTime();
        while (high - low > TimeSpan.FromSeconds(1))
        {
            var middle = low + ((high - low) / 2);
            if (zone.GetUtcOffset(middle) == offset)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        return new DateTimeOffset(high.Ticks - (high.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    /// <summary>Rounds a local time down to a whole multiple of the length since its local midnight.</summary>
    private static DateTimeOffset FloorToGrid(DateTimeOffset local, TimeSpan length)
    {
        var sinceMidnight = local.TimeOfDay;
        return local - TimeSpan.FromTicks(sinceMidnight.Ticks % length.Ticks);
    }

    private static DateTimeOffset NextMidnight(DateTimeOffset after, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(after, zone);
        return StartOfDay(DateOnly.FromDateTime(local.DateTime).AddDays(1), zone);
    }

    /// <summary>
    /// Returns the first instant of a calendar day in a time zone, in UTC. Where a daylight-saving change skips
    /// midnight, the day starts at the first local time that exists. Where the clock goes back over midnight, the
    /// day starts at its first occurrence.
    /// </summary>
    public static DateTimeOffset StartOfDay(DateOnly date, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var midnight = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(midnight))
        {
            midnight = midnight.AddMinutes(15);
        }

        var offset = zone.IsAmbiguousTime(midnight)
            ? zone.GetAmbiguousTimeOffsets(midnight).Max()
            : zone.GetUtcOffset(midnight);
        return new DateTimeOffset(midnight, offset).ToUniversalTime();
    }
}

using RoutedEmail.Core.Reports;

namespace RoutedEmail.Core.Tests.Reports;

public sealed class ReportIntervalsTests
{
    private const string Berlin = "Europe/Berlin";

    private static readonly TimeZoneInfo BerlinZone = TimeZoneInfo.FindSystemTimeZoneById(Berlin);

    [Theory]
    [InlineData("2025-03-30", ReportInterval.QuarterHour, 92)]
    [InlineData("2025-03-30", ReportInterval.HalfHour, 46)]
    [InlineData("2025-03-30", ReportInterval.Hour, 23)]
    [InlineData("2025-10-26", ReportInterval.QuarterHour, 100)]
    [InlineData("2025-10-26", ReportInterval.HalfHour, 50)]
    [InlineData("2025-10-26", ReportInterval.Hour, 25)]
    [InlineData("2025-06-15", ReportInterval.QuarterHour, 96)]
    [InlineData("2025-06-15", ReportInterval.Day, 1)]
    public void Split_BerlinDay_CountsIntervals(string day, ReportInterval interval, int expected)
    {
        var (from, to) = LocalDay(day);

        var periods = ReportIntervals.Split(from, to, interval, Berlin);

        Assert.Equal(expected, periods.Count);
        Assert.Equal(from, periods[0].Start);
        Assert.Equal(to, periods[^1].End);
        Assert.All(periods.Zip(periods.Skip(1)), pair => Assert.Equal(pair.First.End, pair.Second.Start));
    }

    [Fact]
    public void Split_SpringForward_SkipsTwoOclock()
    {
        var (from, to) = LocalDay("2025-03-30");

        var periods = ReportIntervals.Split(from, to, ReportInterval.Hour, Berlin);

        Assert.Equal(new DateTimeOffset(2025, 3, 30, 1, 0, 0, TimeSpan.FromHours(1)), periods[1].Start);
        Assert.Equal(new DateTimeOffset(2025, 3, 30, 3, 0, 0, TimeSpan.FromHours(2)), periods[2].Start);
        Assert.Equal(TimeSpan.FromHours(1), periods[1].Length);
        Assert.DoesNotContain(periods, period => period.Start.Hour == 2);
    }

    [Fact]
    public void Split_FallBack_RepeatedHourTwice()
    {
        var (from, to) = LocalDay("2025-10-26");

        var periods = ReportIntervals.Split(from, to, ReportInterval.QuarterHour, Berlin);
        var twoOclock = periods.Where(period => period.Start.Hour == 2 && period.Start.Minute == 0).ToList();

        Assert.Equal(2, twoOclock.Count);
        Assert.Equal(TimeSpan.FromHours(2), twoOclock[0].Start.Offset);
        Assert.Equal(TimeSpan.FromHours(1), twoOclock[1].Start.Offset);
        Assert.Equal(TimeSpan.FromHours(1), twoOclock[1].Start - twoOclock[0].Start);
        Assert.All(periods, period => Assert.Equal(TimeSpan.FromMinutes(15), period.Length));
    }

    [Theory]
    [InlineData("2025-03-30", 23)]
    [InlineData("2025-10-26", 25)]
    [InlineData("2025-10-27", 24)]
    public void Split_Day_LengthFollowsDaylightSaving(string day, int hours)
    {
        var (from, to) = LocalDay(day);

        var period = Assert.Single(ReportIntervals.Split(from, to, ReportInterval.Day, Berlin));

        Assert.Equal(TimeSpan.FromHours(hours), period.Length);
    }

    [Fact]
    public void Split_Days_StartAtLocalMidnight()
    {
        var from = ReportIntervals.StartOfDay(new DateOnly(2025, 3, 29), BerlinZone);
        var to = ReportIntervals.StartOfDay(new DateOnly(2025, 11, 1), BerlinZone);

        var periods = ReportIntervals.Split(from, to, ReportInterval.Day, Berlin);

        Assert.Equal(217, periods.Count);
        Assert.All(periods, period => Assert.Equal(TimeSpan.Zero, period.Start.TimeOfDay));
    }

    [Fact]
    public void Split_PartialRange_KeepsGrid()
    {
        var from = new DateTimeOffset(2025, 6, 15, 9, 10, 0, TimeSpan.FromHours(2));
        var to = new DateTimeOffset(2025, 6, 15, 10, 5, 0, TimeSpan.FromHours(2));

        var periods = ReportIntervals.Split(from, to, ReportInterval.QuarterHour, Berlin);

        Assert.Equal(
            ["09:10", "09:15", "09:30", "09:45", "10:00"],
            periods.Select(period => period.Start.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(TimeSpan.FromMinutes(5), periods[0].Length);
        Assert.Equal(TimeSpan.FromMinutes(5), periods[^1].Length);
    }

    [Fact]
    public void Split_HalfHourShift_StaysOnHour()
    {
        // Lord Howe Island moves its clock by 30 minutes: from 02:00 (+10:30) to 02:30 (+11:00) on 2025-10-05.
        const string lordHowe = "Australia/Lord_Howe";
        var from = new DateTimeOffset(2025, 10, 5, 0, 0, 0, new TimeSpan(10, 30, 0));
        var to = new DateTimeOffset(2025, 10, 5, 5, 0, 0, TimeSpan.FromHours(11));

        var periods = ReportIntervals.Split(from, to, ReportInterval.Hour, lordHowe);

        Assert.Equal(new DateTimeOffset(2025, 10, 5, 1, 0, 0, new TimeSpan(10, 30, 0)), periods[1].Start);
        Assert.Equal(new DateTimeOffset(2025, 10, 5, 3, 0, 0, TimeSpan.FromHours(11)), periods[2].Start);
        Assert.Equal(TimeSpan.FromMinutes(90), periods[1].Length);
        Assert.All(periods, period => Assert.Equal(0, period.Start.Minute));
    }

    [Fact]
    public void Split_QuarterHourOffset_HourOnLocalGrid()
    {
        // Nepal is 5:45 ahead of UTC, so its whole hours fall on UTC quarter-hours.
        var from = new DateTimeOffset(2025, 6, 15, 0, 0, 0, TimeSpan.Zero);
        var to = from.AddHours(3);

        var periods = ReportIntervals.Split(from, to, ReportInterval.Hour, "Asia/Kathmandu");

        Assert.Equal(4, periods.Count);
        Assert.Equal(new DateTimeOffset(2025, 6, 15, 6, 0, 0, new TimeSpan(5, 45, 0)), periods[1].Start);
        Assert.Equal(TimeSpan.FromMinutes(15), periods[0].Length);
    }

    [Fact]
    public void Split_TooManyIntervals_Throws()
    {
        var from = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var exception = Assert.Throws<ArgumentException>(
            () => ReportIntervals.Split(from, from.AddDays(40), ReportInterval.QuarterHour, "UTC"));

        Assert.Contains("shorter range or a longer interval", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Split_EmptyRange_Throws()
    {
        var at = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.Throws<ArgumentException>(() => ReportIntervals.Split(at, at, ReportInterval.Hour, "UTC"));
    }

    private static (DateTimeOffset From, DateTimeOffset To) LocalDay(string day)
    {
        var date = DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture);
        return (ReportIntervals.StartOfDay(date, BerlinZone), ReportIntervals.StartOfDay(date.AddDays(1), BerlinZone));
    }
}

using RoutedEmail.Web.Services;

namespace RoutedEmail.Browser.Tests.Components;

public sealed class ReportFormatTests
{
    [Theory]
    [InlineData(0.0, "0:00")]
    [InlineData(0.499, "0:00")]
    [InlineData(0.5, "0:01")]
    [InlineData(150.0, "2:30")]
    [InlineData(3599.6, "1:00:00")]
    [InlineData(90061.0, "25:01:01")]
    [InlineData(null, "")]
    public void Duration_Seconds_RoundsToWholeSeconds(double? seconds, string expected)
    {
        Assert.Equal(expected, ReportFormat.Duration(seconds));
    }

    [Theory]
    [InlineData(50.0, "50.0 %")]
    [InlineData(66.7, "66.7 %")]
    [InlineData(0.0, "0.0 %")]
    [InlineData(null, "")]
    public void Percent_NullDenominator_EmptyNotZero(double? percent, string expected)
    {
        Assert.Equal(expected, ReportFormat.Percent(percent));
    }

    [Fact]
    public void Interval_QuarterHour_ShowsDateAndTimes()
    {
        var start = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.FromHours(-6));

        Assert.Equal("2026-03-02 09:00–09:15",
            ReportFormat.Interval(start, start.AddMinutes(15), isDay: false, withOffset: false));
    }

    [Fact]
    public void Interval_RepeatedHour_OffsetKeepsPassesApart()
    {
        var first = new DateTimeOffset(2025, 10, 26, 2, 0, 0, TimeSpan.FromHours(2));
        var second = new DateTimeOffset(2025, 10, 26, 2, 0, 0, TimeSpan.FromHours(1));

        var firstText = ReportFormat.Interval(first, second, isDay: false, withOffset: true);
        var secondText = ReportFormat.Interval(second, second.AddHours(1), isDay: false, withOffset: true);

        Assert.Equal("2025-10-26 02:00–02:00 (UTC+02:00)", firstText);
        Assert.Equal("2025-10-26 02:00–03:00 (UTC+01:00)", secondText);
    }

    [Fact]
    public void Interval_Day_ShowsDateOnly()
    {
        var start = new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.FromHours(-6));

        Assert.Equal("2026-03-02", ReportFormat.Interval(start, start.AddDays(1), isDay: true, withOffset: false));
    }

    [Fact]
    public void Offset_Negative_ShowsSign()
    {
        Assert.Equal("UTC-05:30",
            ReportFormat.Offset(new DateTimeOffset(2026, 1, 1, 0, 0, 0, new TimeSpan(-5, -30, 0))));
    }

    [Fact]
    public void FileName_QueueFilter_NamesEveryPart()
    {
        var request = new ReportRequest(ReportKind.Queues, "2026-03-02", "2026-03-03", "15", "Parts");

        Assert.Equal("abc_prod_queues_2026-03-02_to_2026-03-03_15min_Parts.csv",
            ReportFormat.FileName("abc", "prod", request));
    }

    [Fact]
    public void FileName_PathCharacters_Replaced()
    {
        var request = new ReportRequest(ReportKind.WorkCodes, "2026-03-02", "2026-03-03", "day", "a/b\\c");

        Assert.Equal("x_y_z_work-codes_2026-03-02_to_2026-03-03_day_a_b_c.csv",
            ReportFormat.FileName("x/y", "z", request));
    }

    [Fact]
    public void RelativePath_AgentReport_LeavesOutQueue()
    {
        var request = new ReportRequest(ReportKind.Agents, "2026-03-02", "2026-03-03", "60", "Parts");

        Assert.Equal("reports/agents?from=2026-03-02&to=2026-03-03&interval=60", request.RelativePath(csv: false));
    }

    [Fact]
    public void RelativePath_QueueWithSpecialCharacters_Escaped()
    {
        var request = new ReportRequest(ReportKind.Queues, "2026-03-02", "", "15", "A&B =x");

        Assert.Equal("reports/queues?from=2026-03-02&to=&interval=15&queue=A%26B%20%3Dx&format=csv",
            request.RelativePath(csv: true));
    }
}

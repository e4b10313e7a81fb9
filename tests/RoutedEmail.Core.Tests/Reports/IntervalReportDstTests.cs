using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Emails;
using RoutedEmail.Core.Reports;

namespace RoutedEmail.Core.Tests.Reports;

/// <summary>
/// A tenant in Europe/Berlin on the two daylight-saving days of 2025: on 2025-03-30 the clock jumps from 02:00 to
/// 03:00 (CET, +01:00, to CEST, +02:00), and on 2025-10-26 it goes back from 03:00 to 02:00.
/// </summary>
public sealed class IntervalReportDstTests
{
    private const string Berlin = "Europe/Berlin";
    private static readonly TimeSpan Cet = TimeSpan.FromHours(1);
    private static readonly TimeSpan Cest = TimeSpan.FromHours(2);
    private static readonly Dictionary<string, TimeSpan> Thresholds = new() { ["Parts"] = TimeSpan.FromMinutes(20) };

    [Fact]
    public void Compute_SpringForward_CountsAcrossSkippedHour()
    {
        var from = new DateTimeOffset(2025, 3, 30, 0, 0, 0, Cet);
        var to = new DateTimeOffset(2025, 3, 31, 0, 0, 0, Cest);
        var periods = ReportIntervals.Split(from, to, ReportInterval.QuarterHour, Berlin);
        var events = new[]
        {
            Event(1, new(2025, 3, 30, 1, 50, 0, Cet), EventTypes.Received),
            Event(1, new(2025, 3, 30, 3, 5, 0, Cest), EventTypes.Offered, "ana"),
            Event(1, new(2025, 3, 30, 3, 5, 0, Cest), EventTypes.Accepted, "ana"),
            Event(1, new(2025, 3, 30, 3, 20, 0, Cest), EventTypes.Completed, "ana", "billing"),
        };

        var report = IntervalReport.Compute(periods, events, [], Thresholds, to);

        Assert.Equal(92, periods.Count);
        Assert.Equal(new DateTimeOffset(2025, 3, 30, 1, 45, 0, Cet), periods[7].Start);
        Assert.Equal(new DateTimeOffset(2025, 3, 30, 3, 0, 0, Cest), periods[8].Start);
        Assert.Equal(3, report.Queues.Count);
        var received = report.Queues[0];
        Assert.Equal(periods[7], received.Period);
        Assert.Equal(1, received.Received);
        var accepted = report.Queues[1];
        Assert.Equal(periods[8], accepted.Period);
        Assert.Equal(1, accepted.Accepted);
        Assert.Equal(TimeSpan.FromMinutes(15), accepted.Wait.Max);
        Assert.Equal(1, accepted.AnsweredWithinServiceLevel);
        var completed = report.Queues[2];
        Assert.Equal(new DateTimeOffset(2025, 3, 30, 3, 15, 0, Cest), completed.Period.Start);
        Assert.Equal(1, completed.Completed);
        Assert.Equal(TimeSpan.FromMinutes(15), completed.Handle.Total);
    }

    [Fact]
    public void Compute_FallBack_KeepsRepeatedHourApart()
    {
        var from = new DateTimeOffset(2025, 10, 26, 0, 0, 0, Cest);
        var to = new DateTimeOffset(2025, 10, 27, 0, 0, 0, Cet);
        var periods = ReportIntervals.Split(from, to, ReportInterval.QuarterHour, Berlin);
        var firstPass = new DateTimeOffset(2025, 10, 26, 2, 10, 0, Cest);
        var secondPass = new DateTimeOffset(2025, 10, 26, 2, 10, 0, Cet);
        var events = new[]
        {
            Event(1, new(2025, 10, 26, 1, 55, 0, Cest), EventTypes.Received),
            Event(2, firstPass, EventTypes.Received),
            Event(3, secondPass, EventTypes.Received),
            Event(4, new(2025, 10, 26, 3, 5, 0, Cet), EventTypes.Received),
        };

        var report = IntervalReport.Compute(periods, events, [], Thresholds, to);

        Assert.Equal(100, periods.Count);
        Assert.Equal(
            [
                new DateTimeOffset(2025, 10, 26, 1, 45, 0, Cest),
                new DateTimeOffset(2025, 10, 26, 2, 0, 0, Cest),
                new DateTimeOffset(2025, 10, 26, 2, 0, 0, Cet),
                new DateTimeOffset(2025, 10, 26, 3, 0, 0, Cet),
            ],
            report.Queues.Select(row => row.Period.Start));
        Assert.All(report.Queues, row => Assert.Equal(1, row.Received));
        Assert.Equal(TimeSpan.FromMinutes(15), report.Queues[1].Period.Length);
        Assert.Equal(TimeSpan.FromMinutes(15), report.Queues[2].Period.Length);
    }

    [Fact]
    public void Compute_FallBackStatusTime_SplitsBetweenPasses()
    {
        var from = new DateTimeOffset(2025, 10, 26, 0, 0, 0, Cest);
        var to = new DateTimeOffset(2025, 10, 27, 0, 0, 0, Cet);
        var periods = ReportIntervals.Split(from, to, ReportInterval.Hour, Berlin);
        var changes = new[]
        {
            new AgentStatusChange("ana", new DateTimeOffset(2025, 10, 26, 2, 30, 0, Cest), AgentStatus.Available, null),
            new AgentStatusChange("ana", new DateTimeOffset(2025, 10, 26, 2, 45, 0, Cet), AgentStatus.Offline, null),
        };

        var report = IntervalReport.Compute(periods, [], changes, Thresholds, to);

        Assert.Equal(25, periods.Count);
        var available = report.Agents.Where(row => row.StatusTime.ContainsKey(AgentStatus.Available)).ToList();
        Assert.Equal(2, available.Count);
        Assert.Equal(new DateTimeOffset(2025, 10, 26, 2, 0, 0, Cest), available[0].Period.Start);
        Assert.Equal(TimeSpan.FromMinutes(30), available[0].StatusTime[AgentStatus.Available]);
        Assert.Equal(new DateTimeOffset(2025, 10, 26, 2, 0, 0, Cet), available[1].Period.Start);
        Assert.Equal(TimeSpan.FromMinutes(45), available[1].StatusTime[AgentStatus.Available]);
    }

    [Theory]
    [InlineData(2025, 3, 30, ReportInterval.QuarterHour, 92)]
    [InlineData(2025, 3, 30, ReportInterval.HalfHour, 46)]
    [InlineData(2025, 3, 30, ReportInterval.Hour, 23)]
    [InlineData(2025, 10, 26, ReportInterval.QuarterHour, 100)]
    [InlineData(2025, 10, 26, ReportInterval.HalfHour, 50)]
    [InlineData(2025, 10, 26, ReportInterval.Hour, 25)]
    public void Compute_OneEventPerInterval_CountsEachOnce(
        int year, int month, int day, ReportInterval interval, int expected)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(Berlin);
        var date = new DateOnly(year, month, day);
        var from = ReportIntervals.StartOfDay(date, zone);
        var to = ReportIntervals.StartOfDay(date.AddDays(1), zone);
        var periods = ReportIntervals.Split(from, to, interval, Berlin);
        var events = periods.Select((period, i) => Event(i, period.Start.AddSeconds(1), EventTypes.Received));

        var report = IntervalReport.Compute(periods, events, [], Thresholds, to);

        Assert.Equal(expected, periods.Count);
        Assert.Equal(expected, report.Queues.Count);
        Assert.All(report.Queues, row => Assert.Equal(1, row.Received));
        Assert.Equal(periods, report.Queues.Select(row => row.Period));
    }

    private static EmailEvent Event(
        long emailId, DateTimeOffset at, string type, string? agentId = null, string? detail = null) =>
        new(emailId, at, type, agentId, "Parts", detail);
}

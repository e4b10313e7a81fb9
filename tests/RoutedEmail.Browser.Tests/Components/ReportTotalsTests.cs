using RoutedEmail.Web.Services;

namespace RoutedEmail.Browser.Tests.Components;

public sealed class ReportTotalsTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.FromHours(-6));

    [Fact]
    public void QueueTotals_TwoRows_RecomputesAverages()
    {
        QueueReportRow[] rows =
        [
            Queue("Parts", accepted: 1, totalWait: 120, maxWait: 120, answered: 1, threshold: 150),
            Queue("Parts", accepted: 3, totalWait: 600, maxWait: 400, answered: 1, threshold: 150) with
            {
                IntervalStart = Start.AddMinutes(15), IntervalEnd = Start.AddMinutes(30),
            },
        ];

        var totals = ReportTotals.Of(rows);

        Assert.Equal(4, totals.Accepted);
        Assert.Equal(180, totals.AverageWaitSeconds);
        Assert.Equal(400, totals.MaxWaitSeconds);
        Assert.Equal(50.0, totals.ServiceLevelPercent);
    }

    [Fact]
    public void QueueTotals_NothingAccepted_AveragesAndLevelNull()
    {
        var totals = ReportTotals.Of([Queue("Parts", accepted: 0, totalWait: 0, maxWait: null, answered: 0,
            threshold: 150)]);

        Assert.Null(totals.AverageWaitSeconds);
        Assert.Null(totals.MaxWaitSeconds);
        Assert.Null(totals.AverageHandleSeconds);
        Assert.Null(totals.ServiceLevelPercent);
    }

    [Fact]
    public void ServiceLevel_UnknownThreshold_LeavesRowOut()
    {
        QueueReportRow[] rows =
        [
            Queue("Parts", accepted: 2, totalWait: 10, maxWait: 5, answered: 2, threshold: 150),
            Queue("Gone", accepted: 2, totalWait: 10, maxWait: 5, answered: 0, threshold: null),
        ];

        Assert.Equal(100.0, ReportTotals.ServiceLevel(rows));
    }

    [Fact]
    public void ServiceLevel_AbandonedAfterThreshold_CountsAgainst()
    {
        var row = Queue("Parts", accepted: 2, totalWait: 10, maxWait: 5, answered: 2, threshold: 150) with
        {
            AbandonedAfterServiceLevel = 1,
        };

        Assert.Equal(66.7, ReportTotals.ServiceLevel([row]));
    }

    [Fact]
    public void AgentTotals_TwoRows_MergesWorkCodes()
    {
        AgentReportRow[] rows =
        [
            Agent(available: 900, handled: 1, totalHandle: 180, codes: [new("Resolved", 1), new(null, 1)]),
            Agent(available: 300, handled: 1, totalHandle: 60, codes: [new("Resolved", 2)]),
        ];

        var totals = ReportTotals.Of(rows);

        Assert.Equal(1200, totals.AvailableSeconds);
        Assert.Equal(2, totals.Handled);
        Assert.Equal(120, totals.AverageHandleSeconds);
        Assert.Null(totals.AverageWrapSeconds);
        Assert.Equal([new WorkCodeCount(null, 1), new WorkCodeCount("Resolved", 3)], totals.WorkCodes);
    }

    internal static QueueReportRow Queue(
        string queue, int accepted, double totalWait, double? maxWait, int answered, int? threshold)
    {
        double? averageWait = accepted == 0 ? null : totalWait / accepted;
        double? level = threshold is null || accepted == 0 ? null : Math.Round(answered * 100.0 / accepted, 1);
        return new QueueReportRow(Start, Start.AddMinutes(15), queue, accepted, accepted, accepted, 0, 0, 0, 0, 0,
            0, 0, averageWait, maxWait, totalWait, 0, null, 0, 0, null, 0, threshold, answered, 0, level);
    }

    private static AgentReportRow Agent(double available, int handled, double totalHandle, WorkCodeCount[] codes) =>
        new(Start, Start.AddMinutes(15), "maria", available, 0, 0, 0, handled, handled, 0, 0, 0, 0, handled,
            handled, totalHandle / handled, totalHandle, 0, null, 0, codes);
}

using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Reports;

namespace RoutedEmail.Core.Tests.Reports;

public sealed class AwayTimeReportTests
{
    private static readonly DateTimeOffset From = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = From.AddHours(8);
    private static readonly DateTimeOffset Now = To.AddDays(1);

    [Fact]
    public void Compute_PeriodInsideRange_CountsWholePeriod()
    {
        var changes = new[]
        {
            Change("ana", 10, AgentStatus.Away, "lunch"),
            Change("ana", 40, AgentStatus.Available),
        };

        var agent = Assert.Single(AwayTimeReport.Compute(changes, From, To, Now));

        Assert.Equal("ana", agent.AgentId);
        Assert.Equal(TimeSpan.FromMinutes(30), agent.Total);
        var reason = Assert.Single(agent.Reasons);
        Assert.Equal("lunch", reason.Reason);
        Assert.Equal(TimeSpan.FromMinutes(30), reason.Duration);
    }

    [Fact]
    public void Compute_PeriodStartsBeforeFrom_CountsFromFrom()
    {
        var changes = new[]
        {
            Change("ana", -20, AgentStatus.Away, "training"),
            Change("ana", 15, AgentStatus.Available),
        };

        var agent = Assert.Single(AwayTimeReport.Compute(changes, From, To, Now));

        Assert.Equal(TimeSpan.FromMinutes(15), agent.Total);
    }

    [Fact]
    public void Compute_PeriodEndsAfterTo_CountsUntilTo()
    {
        var changes = new[]
        {
            Change("ana", 470, AgentStatus.Away, "lunch"),
            Change("ana", 500, AgentStatus.Available),
        };

        var agent = Assert.Single(AwayTimeReport.Compute(changes, From, To, Now));

        Assert.Equal(TimeSpan.FromMinutes(10), agent.Total);
    }

    [Fact]
    public void Compute_PeriodCoversWholeRange_CountsRangeLength()
    {
        var changes = new[] { Change("ana", -60, AgentStatus.Away, "training") };

        var agent = Assert.Single(AwayTimeReport.Compute(changes, From, To, Now));

        Assert.Equal(To - From, agent.Total);
    }

    [Fact]
    public void Compute_PeriodsOutsideRange_ReturnsNoAgent()
    {
        var changes = new[]
        {
            Change("ana", -60, AgentStatus.Away, "lunch"),
            Change("ana", -30, AgentStatus.Available),
            Change("ana", 480, AgentStatus.Away, "lunch"),
        };

        Assert.Empty(AwayTimeReport.Compute(changes, From, To, Now));
    }

    [Fact]
    public void Compute_ReasonChangesWhileAway_SplitsTimeByReason()
    {
        var changes = new[]
        {
            Change("ana", 0, AgentStatus.Away, "lunch"),
            Change("ana", 10, AgentStatus.Away, "training"),
            Change("ana", 15, AgentStatus.Away, "lunch"),
            Change("ana", 20, AgentStatus.Available),
        };

        var agent = Assert.Single(AwayTimeReport.Compute(changes, From, To, Now));

        Assert.Equal(TimeSpan.FromMinutes(20), agent.Total);
        Assert.Equal(["lunch", "training"], agent.Reasons.Select(reason => reason.Reason));
        Assert.Equal(TimeSpan.FromMinutes(15), agent.Reasons[0].Duration);
        Assert.Equal(TimeSpan.FromMinutes(5), agent.Reasons[1].Duration);
    }

    [Fact]
    public void Compute_AwayOfflineAway_SkipsOfflineTime()
    {
        var changes = new[]
        {
            Change("ana", 0, AgentStatus.Away, "lunch"),
            Change("ana", 10, AgentStatus.Offline),
            Change("ana", 60, AgentStatus.Away, "lunch"),
            Change("ana", 65, AgentStatus.Missed),
        };

        var agent = Assert.Single(AwayTimeReport.Compute(changes, From, To, Now));

        Assert.Equal(TimeSpan.FromMinutes(15), Assert.Single(agent.Reasons).Duration);
        Assert.Equal(TimeSpan.FromMinutes(15), agent.Total);
    }

    [Fact]
    public void Compute_OpenPeriod_CountsUntilNow()
    {
        var now = From.AddMinutes(100);
        var changes = new[] { Change("ana", 90, AgentStatus.Away, "lunch") };

        var agent = Assert.Single(AwayTimeReport.Compute(changes, From, To, now));

        Assert.Equal(TimeSpan.FromMinutes(10), agent.Total);
    }

    [Fact]
    public void Compute_OpenPeriodAndNowAfterTo_CountsUntilTo()
    {
        var changes = new[] { Change("ana", 420, AgentStatus.Away, "lunch") };

        var agent = Assert.Single(AwayTimeReport.Compute(changes, From, To, Now));

        Assert.Equal(TimeSpan.FromMinutes(60), agent.Total);
    }

    [Fact]
    public void Compute_NowBeforeFrom_ReturnsNoAgent()
    {
        var changes = new[] { Change("ana", -30, AgentStatus.Away, "lunch") };

        Assert.Empty(AwayTimeReport.Compute(changes, From, To, From.AddMinutes(-1)));
    }

    [Fact]
    public void Compute_AwayWithoutReason_ReportsNullReasonFirst()
    {
        var changes = new[]
        {
            Change("ana", 0, AgentStatus.Away, "lunch"),
            Change("ana", 10, AgentStatus.Away),
            Change("ana", 13, AgentStatus.Available),
        };

        var agent = Assert.Single(AwayTimeReport.Compute(changes, From, To, Now));

        Assert.Equal([null, "lunch"], agent.Reasons.Select(reason => reason.Reason));
        Assert.Equal(TimeSpan.FromMinutes(3), agent.Reasons[0].Duration);
        Assert.Equal(TimeSpan.FromMinutes(10), agent.Reasons[1].Duration);
    }

    [Fact]
    public void Compute_NoChanges_ReturnsNoAgent()
    {
        Assert.Empty(AwayTimeReport.Compute([], From, To, Now));
    }

    [Fact]
    public void Compute_AgentNeverAway_LeftOut()
    {
        var changes = new[]
        {
            Change("bob", 0, AgentStatus.Available),
            Change("bob", 30, AgentStatus.Offline),
            Change("ana", 0, AgentStatus.Away, "lunch"),
            Change("ana", 1, AgentStatus.Available),
        };

        var agent = Assert.Single(AwayTimeReport.Compute(changes, From, To, Now));

        Assert.Equal("ana", agent.AgentId);
    }

    [Fact]
    public void Compute_SeveralAgentsInterleaved_SumsEachAndOrdersByAgentId()
    {
        var changes = new[]
        {
            Change("carl", 0, AgentStatus.Away, "training"),
            Change("ana", 5, AgentStatus.Away, "lunch"),
            Change("Bea", 6, AgentStatus.Away),
            Change("carl", 20, AgentStatus.Available),
            Change("ana", 35, AgentStatus.Offline),
            Change("Bea", 7, AgentStatus.Available),
        };

        var agents = AwayTimeReport.Compute(changes, From, To, Now);

        // Ordinal order puts upper case first, as agent ids are case-sensitive.
        Assert.Equal(["Bea", "ana", "carl"], agents.Select(agent => agent.AgentId));
        Assert.Equal(TimeSpan.FromMinutes(1), agents[0].Total);
        Assert.Equal(TimeSpan.FromMinutes(30), agents[1].Total);
        Assert.Equal(TimeSpan.FromMinutes(20), agents[2].Total);
        Assert.Null(Assert.Single(agents[0].Reasons).Reason);
        Assert.Equal("lunch", Assert.Single(agents[1].Reasons).Reason);
        Assert.Equal("training", Assert.Single(agents[2].Reasons).Reason);
    }

    [Fact]
    public void Compute_ChangeEarlierThanPrevious_CountsNoNegativeTime()
    {
        var changes = new[]
        {
            Change("ana", 10, AgentStatus.Away, "lunch"),
            Change("ana", 9, AgentStatus.Away, "training"),
            Change("ana", 12, AgentStatus.Available),
        };

        var agent = Assert.Single(AwayTimeReport.Compute(changes, From, To, Now));

        Assert.Equal("training", Assert.Single(agent.Reasons).Reason);
        Assert.Equal(TimeSpan.FromMinutes(3), agent.Total);
    }

    [Fact]
    public void Compute_SeveralChangesAtFrom_LastOneCounts()
    {
        var changes = new[]
        {
            Change("ana", -5, AgentStatus.Away, "lunch"),
            Change("ana", -5, AgentStatus.Away, "training"),
            Change("ana", 10, AgentStatus.Available),
        };

        var agent = Assert.Single(AwayTimeReport.Compute(changes, From, To, Now));

        Assert.Equal("training", Assert.Single(agent.Reasons).Reason);
        Assert.Equal(TimeSpan.FromMinutes(10), agent.Total);
    }

    [Fact]
    public void Compute_ToNotAfterFrom_Throws()
    {
        Assert.Throws<ArgumentException>(() => AwayTimeReport.Compute([], From, From, Now));
    }

    private static AgentStatusChange Change(
        string agentId, int minutesAfterFrom, AgentStatus status, string? reason = null) =>
        new(agentId, From.AddMinutes(minutesAfterFrom), status, reason);
}

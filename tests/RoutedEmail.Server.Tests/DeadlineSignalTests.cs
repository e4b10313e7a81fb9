using RoutedEmail.Server.Routing;

namespace RoutedEmail.Server.Tests;

public sealed class DeadlineSignalTests
{
    private static readonly DateTimeOffset PlannedWake = new(2026, 3, 2, 9, 1, 0, TimeSpan.Zero);

    [Fact]
    public void NotifyDeadline_WhilePlanning_WakesService()
    {
        var signal = new DeadlineSignal();
        signal.BeginPlanning();
        var changed = signal.Changed;

        signal.Notify(PlannedWake.AddHours(1));

        Assert.True(changed.IsCompleted);
    }

    [Fact]
    public void NotifyDeadline_BeforePlannedWake_WakesService()
    {
        var signal = new DeadlineSignal();
        signal.Plan(PlannedWake);
        var changed = signal.Changed;

        signal.Notify(PlannedWake.AddMilliseconds(-1));

        Assert.True(changed.IsCompleted);
    }

    [Fact]
    public void NotifyDeadline_AtOrAfterPlannedWake_LeavesServiceAsleep()
    {
        var signal = new DeadlineSignal();
        signal.Plan(PlannedWake);
        var changed = signal.Changed;

        signal.Notify(PlannedWake);
        signal.Notify(PlannedWake.AddSeconds(30));

        Assert.False(changed.IsCompleted);
    }

    [Fact]
    public void NotifyDeadline_AfterPlannedWake_NotifiesOtherNodes()
    {
        var otherNodeNotifications = 0;
        var signal = new DeadlineSignal(() => otherNodeNotifications++);
        signal.Plan(PlannedWake);

        signal.Notify(PlannedWake.AddSeconds(30));

        Assert.Equal(1, otherNodeNotifications);
    }

    [Fact]
    public void NotifyWithoutDeadline_AfterPlan_WakesService()
    {
        var signal = new DeadlineSignal();
        signal.Plan(PlannedWake);
        var changed = signal.Changed;

        signal.Notify();

        Assert.True(changed.IsCompleted);
    }
}

using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Hosting;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

[Trait(TestStore.Trait, TestStore.Independent)]
public sealed class IntervalTicksTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Completion = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task WaitAsync_IntervalPasses_Ticks()
    {
        var ticks = new IntervalTicks(_time, Interval);

        await AssertTicksAfterAsync(ticks.WaitAsync(CancellationToken.None), Interval);
        await AssertTicksAfterAsync(ticks.WaitAsync(CancellationToken.None), Interval);
    }

    [Fact]
    public async Task WaitAsync_ClockJumpsDay_SkipsMissedTicks()
    {
        var ticks = new IntervalTicks(_time, Interval);
        var jump = ticks.WaitAsync(CancellationToken.None);

        _time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(2));
        await jump.WaitAsync(Completion);

        // The next tick is the first interval end after the jump, 3 seconds ahead, not one of the missed ones.
        await AssertTicksAfterAsync(ticks.WaitAsync(CancellationToken.None), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task WaitAsync_ClockStepsBack_TicksAfterInterval()
    {
        var clock = new SteppingClock(_time);
        var ticks = new IntervalTicks(clock, Interval);

        clock.Offset = -TimeSpan.FromHours(1);

        await AssertTicksAfterAsync(ticks.WaitAsync(CancellationToken.None), Interval);
    }

    [Fact]
    public async Task WaitAsync_Canceled_Throws()
    {
        var ticks = new IntervalTicks(_time, Interval);
        using var stop = new CancellationTokenSource();
        var wait = ticks.WaitAsync(stop.Token);

        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(Completion));
    }

    /// <summary>Asserts that the tick is still pending a millisecond before the time given and done at it.</summary>
    private async Task AssertTicksAfterAsync(Task tick, TimeSpan due)
    {
        _time.Advance(due - TimeSpan.FromMilliseconds(1));
        Assert.False(tick.IsCompleted);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await tick.WaitAsync(Completion);
    }

    /// <summary>The fake clock's time plus an offset that a test can set back, with the fake clock's timers.</summary>
    private sealed class SteppingClock(FakeTimeProvider time) : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => time.GetUtcNow() + Offset;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            time.CreateTimer(callback, state, dueTime, period);
    }
}

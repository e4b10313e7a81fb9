namespace RoutedEmail.Server.Hosting;

/// <summary>
/// Ticks at a fixed interval on an injected clock, counted from its creation, for background services. After a
/// pause of several intervals it ticks once and skips the ones it missed. The PeriodicTimer it replaces ran once per
/// missed interval on a test's FakeTimeProvider: 17,292 heartbeats when a test moved the clock a day ahead.
/// </summary>
internal sealed class IntervalTicks
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly Task _never = new TaskCompletionSource().Task;
    private DateTimeOffset _next;

    /// <summary>Creates the ticks, the first one interval from now.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The interval is not positive.</exception>
    public IntervalTicks(TimeProvider time, TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _time = time;
        _interval = interval;
        _next = time.GetUtcNow() + interval;
    }

    /// <summary>Waits for the next tick, and sets the one after it to the first interval end still ahead.</summary>
    /// <exception cref="OperationCanceledException">The token was canceled.</exception>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        // After the clock stepped back, as after an NTP correction, the next tick would be more than one interval
        // away. It comes one interval from now instead.
        var now = _time.GetUtcNow();
        if (_next - now > _interval)
        {
            _next = now + _interval;
        }

        await ClockSleep.UntilAsync(_time, _next, _never, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        // At least one interval is added, even if the clock stepped back during the sleep.
        var missed = Math.Max(0, (_time.GetUtcNow() - _next).Ticks / _interval.Ticks);
        _next += _interval * (missed + 1);
    }
}

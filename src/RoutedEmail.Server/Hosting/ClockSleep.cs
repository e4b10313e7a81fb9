namespace RoutedEmail.Server.Hosting;

/// <summary>Sleeping on an injected clock until a time or a signal, for background services.</summary>
internal static class ClockSleep
{
    /// <summary>
    /// Waits until the clock reaches <paramref name="wakeAt"/> or <paramref name="changed"/> completes, whichever
    /// comes first, and returns at once when the time has passed.
    /// </summary>
    public static async Task UntilAsync(
        TimeProvider time, DateTimeOffset wakeAt, Task changed, CancellationToken stoppingToken)
    {
        var sleep = wakeAt - time.GetUtcNow();
        if (sleep <= TimeSpan.Zero)
        {
            return;
        }

        using var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var delay = Task.Delay(sleep, time, wake.Token);

        // The clock may have moved between reading it and arming the timer, which then fires a whole period late.
        // A test's FakeTimeProvider.Advance can land exactly there.
        if (time.GetUtcNow() < wakeAt)
        {
            await Task.WhenAny(changed, delay);
        }

        await wake.CancelAsync();
    }
}

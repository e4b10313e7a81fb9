using RoutedEmail.Server.Hosting;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Keys;

/// <summary>
/// Rotates and publishes the API keys of tenants that publish to AWS Secrets Manager: scheduled rotations and
/// retries of failed writes. The due times are stored with the tenants, so a rotation that came due while the
/// service was down runs at start. It sleeps on the injected clock until the next due time or a signal.
/// </summary>
internal sealed partial class KeyRotationService(
    ITenantKeyStore keys, ITenantStore tenants, KeyPublisher publisher, KeyRotationSignal signal,
    StartupGate startup, TimeProvider time, ILogger<KeyRotationService> logger)
    : BackgroundService
{
    // Bounds one sleep, so work that another node's lease held, or a lost signal, waits at most this long.
    private static readonly TimeSpan MaxSleep = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan ErrorDelay = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await startup.WaitAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            var changed = signal.Changed;
            DateTimeOffset wakeAt;
            try
            {
                wakeAt = await RunDueWorkAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                Log.RunFailed(logger, exception);
                wakeAt = time.GetUtcNow() + ErrorDelay;
            }

            await ClockSleep.UntilAsync(time, wakeAt, changed, stoppingToken);
        }
    }

    /// <summary>Rotates every due tenant and returns when to run again: at once, or when the next one is due.</summary>
    private async Task<DateTimeOffset> RunDueWorkAsync(CancellationToken cancellationToken)
    {
        var work = await keys.FindDueWorkAsync(time.GetUtcNow(), cancellationToken);
        if (work.DueTenantIds.Count > 0)
        {
            var all = (await tenants.ListTenantsAsync(cancellationToken)).ToDictionary(tenant => tenant.Id);
            foreach (var tenantId in work.DueTenantIds)
            {
                if (all.TryGetValue(tenantId, out var tenant))
                {
                    await publisher.RotateAsync(tenant, onlyWhenDue: true, actor: null, cancellationToken);
                }
            }

            // The rotations changed the due times, so they are read again at once.
            return time.GetUtcNow();
        }

        var latest = time.GetUtcNow() + MaxSleep;
        return work.NextDueAt is { } next && next < latest ? next : latest;
    }

    private static partial class Log
    {
        [LoggerMessage(5110, LogLevel.Error, "Key rotation run failed, so it runs again in 5 seconds")]
        public static partial void RunFailed(ILogger logger, Exception exception);
    }
}

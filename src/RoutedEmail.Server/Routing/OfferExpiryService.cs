using RoutedEmail.Core.Emails;
using RoutedEmail.Server.Hosting;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Routing;

/// <summary>Tells the offer expiry service that a new offer, and so maybe an earlier deadline, exists.</summary>
internal sealed class OfferDeadlineSignal
{
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A task that completes at the next <see cref="Notify"/>; read it before reading the deadlines.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    public void Notify()
    {
        var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _changed, next).TrySetResult();
    }
}

/// <summary>
/// Fires offer deadlines. The deadlines are stored with the offers, so after a restart every overdue offer expires
/// at once and the others on time. It sleeps on the injected clock until the earliest deadline or a new offer.
/// </summary>
internal sealed partial class OfferExpiryService(
    IRoutingStore store, IRoutingTrigger router, IAgentNotifier notifier, OfferDeadlineSignal signal,
    StartupGate startup, TimeProvider time, ILogger<OfferExpiryService> logger) : BackgroundService
{
    // Bounds one sleep, so a clock change or a lost signal delays an expiry by at most this long.
    private static readonly TimeSpan MaxSleep = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await startup.WaitAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            var changed = signal.Changed;
            TimeSpan sleep;
            try
            {
                await ExpireDueOffersAsync(stoppingToken);
                var next = await store.FindNextOfferDeadlineAsync(stoppingToken);
                sleep = next is null ? MaxSleep : Clamp(next.Value - time.GetUtcNow());
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                Log.ExpiryFailed(logger, exception);
                sleep = RetryDelay;
            }

            await SleepAsync(sleep, changed, stoppingToken);
        }
    }

    private async Task ExpireDueOffersAsync(CancellationToken stoppingToken)
    {
        var expired = await store.ExpireDueOffersAsync(stoppingToken);
        foreach (var offer in expired)
        {
            Log.Expired(logger, offer.TenantId, offer.EntityId, offer.EmailId, offer.OfferId, offer.AgentId);
            await notifier.NotifyAsync(offer.TenantId, offer.AgentId, EventTypes.OfferExpired);
        }

        foreach (var tenantId in expired.Select(offer => offer.TenantId).Distinct())
        {
            router.Wake(tenantId);
        }
    }

    private async Task SleepAsync(TimeSpan sleep, Task changed, CancellationToken stoppingToken)
    {
        if (sleep <= TimeSpan.Zero)
        {
            return;
        }

        using var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var delay = Task.Delay(sleep, time, wake.Token);
        await Task.WhenAny(delay, changed);
        await wake.CancelAsync();
    }

    private static TimeSpan Clamp(TimeSpan sleep) => sleep > MaxSleep ? MaxSleep : sleep;

    private static partial class Log
    {
        [LoggerMessage(3101, LogLevel.Information,
            "Offer {OfferId} of email {EmailId} (entityId {EntityId}) to agent {AgentId} of tenant {TenantId} expired; the email is back in its queue")]
        public static partial void Expired(
            ILogger logger, long tenantId, string entityId, long emailId, long offerId, string agentId);

        [LoggerMessage(3102, LogLevel.Error, "Expiring offers failed; retrying in one second")]
        public static partial void ExpiryFailed(ILogger logger, Exception exception);
    }
}

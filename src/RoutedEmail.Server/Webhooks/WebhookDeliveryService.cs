using Microsoft.Extensions.Options;
using RoutedEmail.Server.Hosting;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Webhooks;

/// <summary>
/// Delivers webhook events. Each round turns new events of every enabled webhook into delivery records, claims due
/// records up to <c>Webhooks:MaxConcurrentDeliveries</c> and sends them in parallel. The records and each
/// webhook's position in the event log are stored, so a restart resumes where the last run stopped. It sleeps on
/// the injected clock until the next due record, a <see cref="WebhookSignal"/> or the poll interval.
/// </summary>
internal sealed partial class WebhookDeliveryService(
    IWebhookDeliveryStore deliveries, IWebhookEventSource events, WebhookAttempt attempt, WebhookSignal signal,
    IOptions<WebhookOptions> options, StartupGate startup, TimeProvider time,
    ILogger<WebhookDeliveryService> logger) : BackgroundService
{
    private const int EventPageSize = 500;

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly HashSet<Task> _sending = [];

    // Counts the sends that hold a slot. A send frees its slot before it wakes the next round.
    private int _inFlight;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await startup.WaitAsync(stoppingToken);
        try
        {
            await RunRoundsAsync(stoppingToken);
        }
        finally
        {
            Task[] sending;
            lock (_sending)
            {
                sending = [.. _sending];
            }

            // Sends end at the stop, and each hands its lease back, so the next start sends it at once.
            await Task.WhenAll(sending);
        }
    }

    private async Task RunRoundsAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var changed = signal.Changed;
            DateTimeOffset wakeAt;
            try
            {
                wakeAt = await RunRoundAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                Log.RoundFailed(logger, exception);
                wakeAt = time.GetUtcNow() + RetryDelay;
            }

            await ClockSleep.UntilAsync(time, wakeAt, changed, stoppingToken);
        }
    }

    /// <summary>
    /// Appends the new events, claims what is due if a slot is free, and returns when to run the next round. An
    /// idle round only reads, so it costs no write transaction.
    /// </summary>
    private async Task<DateTimeOffset> RunRoundAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var wakeAt = time.GetUtcNow() + settings.PollInterval;
        var webhooks = await deliveries.ListEnabledWebhooksAsync(stoppingToken);
        if (webhooks.Count == 0)
        {
            return wakeAt;
        }

        await AppendNewEventsAsync(webhooks, stoppingToken);
        var freeSlots = settings.MaxConcurrentDeliveries - CountSending();
        if (freeSlots <= 0 || await deliveries.FindNextDueAsync(stoppingToken) is not { } due)
        {
            return wakeAt;
        }

        if (due <= time.GetUtcNow() && await ClaimAsync(freeSlots, stoppingToken) == freeSlots)
        {
            // More records may be due; the next round runs when a send frees a slot.
            return wakeAt;
        }

        due = await deliveries.FindNextDueAsync(stoppingToken) ?? wakeAt;
        return due < wakeAt ? due : wakeAt;
    }

    /// <summary>Turns the events after each enabled webhook's cursor into delivery records, page by page.</summary>
    private async Task AppendNewEventsAsync(IReadOnlyList<WebhookCursor> webhooks, CancellationToken stoppingToken)
    {
        foreach (var webhook in webhooks)
        {
            var cursor = webhook.EventCursor;
            while (true)
            {
                var page = await events.ReadAfterAsync(webhook.TenantId, cursor, EventPageSize, stoppingToken);
                if (page.Count == 0)
                {
                    break;
                }

                var matching = page
                    .Where(stored => Matches(webhook.EventTypes, stored.Type))
                    .Select(stored => new NewWebhookDelivery(
                        stored.Sequence, stored.PublicId, stored.Type, stored.EmailId))
                    .ToList();
                var next = page[^1].Sequence;
                if (!await deliveries.AppendDeliveriesAsync(
                        webhook.WebhookId, cursor, next, matching, time.GetUtcNow(), stoppingToken))
                {
                    break;
                }

                cursor = next;
                if (page.Count < EventPageSize)
                {
                    break;
                }
            }
        }
    }

    private async Task<int> ClaimAsync(int limit, CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow();
        var claimed = await deliveries.ClaimDueAsync(now, now + options.Value.LeaseDuration, limit, stoppingToken);
        foreach (var delivery in claimed)
        {
            Interlocked.Increment(ref _inFlight);
            var sending = SendAsync(delivery, stoppingToken);
            lock (_sending)
            {
                if (!sending.IsCompleted)
                {
                    _sending.Add(sending);
                }
            }
        }

        return claimed.Count;
    }

    private async Task SendAsync(ClaimedWebhookDelivery delivery, CancellationToken stoppingToken)
    {
        // Yields first, so the round goes on claiming while this send runs.
        await Task.Yield();
        try
        {
            await attempt.RunAsync(delivery, stoppingToken);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            signal.Notify();
        }
    }

    private int CountSending()
    {
        lock (_sending)
        {
            _sending.RemoveWhere(task => task.IsCompleted);
        }

        return Volatile.Read(ref _inFlight);
    }

    internal static bool Matches(IReadOnlyList<string> eventTypes, string type) =>
        eventTypes.Contains(WebhookEventTypes.All) || eventTypes.Contains(type);

    private static partial class Log
    {
        [LoggerMessage(9601, LogLevel.Error, "A webhook delivery round failed. Retrying in one second")]
        public static partial void RoundFailed(ILogger logger, Exception exception);
    }
}

using System.Diagnostics;
using RoutedEmail.Server.Telemetry;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Webhooks;

/// <summary>
/// Makes one attempt of a claimed delivery: rebuilds the payload from the event, signs and sends it, and stores
/// the outcome with the next attempt time or the dead-letter state.
/// </summary>
internal sealed partial class WebhookAttempt(
    IWebhookDeliveryStore deliveries, IWebhookStore webhooks, IWebhookEventSource events, WebhookSender sender,
    WebhookRetryPolicy retries, RoutedEmailMetrics metrics, TimeProvider time, ILogger<WebhookAttempt> logger)
{
    private const string OutcomeTag = "routed_email.webhook.outcome";

    public async Task RunAsync(ClaimedWebhookDelivery delivery, CancellationToken stoppingToken)
    {
        try
        {
            var outcome = await AttemptAsync(delivery, stoppingToken);
            if (outcome is not null)
            {
                await deliveries.CompleteAsync(delivery, outcome, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await deliveries.ReleaseAsync(delivery, CancellationToken.None);
        }
        catch (Exception exception)
        {
            // The lease ends on its own, so another round retries the delivery.
            Log.AttemptFailed(logger, exception, delivery.TenantId, delivery.WebhookId, delivery.EventId);
        }
    }

    private async Task<WebhookAttemptOutcome?> AttemptAsync(
        ClaimedWebhookDelivery delivery, CancellationToken stoppingToken)
    {
        var attemptedAt = time.GetUtcNow();
        var attempts = delivery.Attempts + 1;
        var secret = await webhooks.GetSecretAsync(delivery.WebhookId, stoppingToken);
        if (secret is null || !WebhookSecret.TryDecode(secret, out var key))
        {
            // The webhook was deleted meanwhile, and its records with it.
            return null;
        }

        var stored = await events.FindAsync(delivery.TenantId, delivery.EventSequence, stoppingToken);
        if (stored is null)
        {
            Log.EventMissing(logger, delivery.TenantId, delivery.WebhookId, delivery.EventId);
            return new WebhookAttemptOutcome(WebhookDeliveryState.DeadLetter, delivery.Attempts, attemptedAt,
                attemptedAt, null, "The event is no longer in the event log, so it cannot be sent.");
        }

        var started = Stopwatch.GetTimestamp();
        var result = await sender.SendAsync(
            delivery.Url, key, stored.PublicId, WebhookPayload.Write(stored), stoppingToken);
        metrics.WebhookDeliveryDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        if (result.Delivered)
        {
            RecordOutcome("delivered");
            Log.Delivered(logger, delivery.TenantId, delivery.WebhookId, delivery.EventId, attempts,
                result.StatusCode);
            return new WebhookAttemptOutcome(WebhookDeliveryState.Delivered, attempts, attemptedAt, attemptedAt,
                result.StatusCode, null);
        }

        if (retries.NextDelay(attempts, result.RetryAfter) is { } delay)
        {
            RecordOutcome("retry");
            var nextAttemptAt = time.GetUtcNow() + delay;
            Log.WillRetry(logger, delivery.TenantId, delivery.WebhookId, delivery.EventId, attempts,
                result.Error, nextAttemptAt);
            return new WebhookAttemptOutcome(WebhookDeliveryState.Pending, attempts, attemptedAt, nextAttemptAt,
                result.StatusCode, result.Error);
        }

        RecordOutcome("dead_letter");
        Log.DeadLettered(logger, delivery.TenantId, delivery.WebhookId, delivery.EventId, attempts, result.Error);
        return new WebhookAttemptOutcome(WebhookDeliveryState.DeadLetter, attempts, attemptedAt, attemptedAt,
            result.StatusCode, result.Error);
    }

    private void RecordOutcome(string outcome)
    {
        var tag = new KeyValuePair<string, object?>(OutcomeTag, outcome);
        metrics.WebhookDeliveries.Add(1, tag);
        if (outcome != "delivered")
        {
            metrics.WebhookFailures.Add(1, tag);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(9602, LogLevel.Debug,
            "Tenant {TenantId} webhook {WebhookId} delivered event {EventId} at attempt {Attempt} (HTTP {StatusCode})")]
        public static partial void Delivered(
            ILogger logger, long tenantId, long webhookId, string eventId, int attempt, int? statusCode);

        [LoggerMessage(9603, LogLevel.Information,
            "Tenant {TenantId} webhook {WebhookId} attempt {Attempt} of event {EventId} failed: {Error} Retrying " +
            "at {NextAttemptAt:O}")]
        public static partial void WillRetry(
            ILogger logger, long tenantId, long webhookId, string eventId, int attempt, string? error,
            DateTimeOffset nextAttemptAt);

        [LoggerMessage(9604, LogLevel.Warning,
            "Tenant {TenantId} webhook {WebhookId} dead-lettered event {EventId} after {Attempt} attempts: {Error} " +
            "Replay it from the admin API once the receiver works")]
        public static partial void DeadLettered(
            ILogger logger, long tenantId, long webhookId, string eventId, int attempt, string? error);

        [LoggerMessage(9605, LogLevel.Warning,
            "Tenant {TenantId} webhook {WebhookId} dead-lettered event {EventId}, which is no longer in the event log")]
        public static partial void EventMissing(ILogger logger, long tenantId, long webhookId, string eventId);

        [LoggerMessage(9606, LogLevel.Error,
            "Tenant {TenantId} webhook {WebhookId} could not attempt event {EventId}; another round retries it " +
            "when its lease ends")]
        public static partial void AttemptFailed(
            ILogger logger, Exception exception, long tenantId, long webhookId, string eventId);
    }
}

using Microsoft.Extensions.Options;

namespace RoutedEmail.Server.Webhooks;

/// <summary>
/// The waits between attempts: exponential backoff with full jitter, so receivers that failed together are not
/// retried together. The wait after attempt n is random between zero and
/// <c>min(MaxRetryDelay, FirstRetryDelay * RetryBackoffFactor^(n-1))</c>.
/// </summary>
internal sealed class WebhookRetryPolicy(IOptions<WebhookOptions> options, Random random)
{
    public WebhookRetryPolicy(IOptions<WebhookOptions> options)
        : this(options, Random.Shared)
    {
    }

    /// <summary>
    /// Returns the wait before the next attempt after <paramref name="attemptsMade"/> failed ones, or null when the
    /// maximum is reached and the delivery is dead-lettered. A receiver's <c>Retry-After</c> replaces the backoff,
    /// but is kept between <c>FirstRetryDelay</c> and <c>MaxRetryDelay</c>.
    /// </summary>
    public TimeSpan? NextDelay(int attemptsMade, TimeSpan? retryAfter)
    {
        var settings = options.Value;
        if (attemptsMade >= settings.MaxAttempts)
        {
            return null;
        }

        if (retryAfter is { } requested)
        {
            return Clamp(requested, settings.FirstRetryDelay, settings.MaxRetryDelay);
        }

        return TimeSpan.FromTicks((long)(random.NextDouble() * Ceiling(attemptsMade).Ticks));
    }

    /// <summary>Returns the longest wait after <paramref name="attemptsMade"/> failed attempts.</summary>
    public TimeSpan Ceiling(int attemptsMade)
    {
        var settings = options.Value;
        var growth = Math.Pow(settings.RetryBackoffFactor, Math.Max(0, attemptsMade - 1));
        var ticks = settings.FirstRetryDelay.Ticks * growth;
        return ticks >= settings.MaxRetryDelay.Ticks ? settings.MaxRetryDelay : TimeSpan.FromTicks((long)ticks);
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan minimum, TimeSpan maximum)
    {
        if (value < minimum)
        {
            return minimum;
        }

        return value > maximum ? maximum : value;
    }
}

using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;

namespace RoutedEmail.Client;

/// <summary>
/// The retry and timeout strategy of <see cref="RoutedEmailClient"/>: transient failures (no response, HTTP 408,
/// 429 or 5xx) are retried with exponential backoff and jitter, after the <c>Retry-After</c> time when the
/// service sends one, and only for requests marked <see cref="RetrySafe"/>. A 429 that carries the service's
/// <c>ApiKey</c> challenge is not retried: it follows too many rejected keys, and only another key helps.
/// </summary>
public static partial class RoutedEmailResilience
{
    /// <summary>
    /// Marks a request as safe to repeat. <see cref="RoutedEmailClient"/> marks each of its requests, because a
    /// send is idempotent by entity id, lookups are reads and a repeated cancel returns the same email. A request
    /// without the mark, such as an administrator's key rotation, is never retried.
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> RetrySafe = new("RoutedEmail.RetrySafe");

    /// <summary>The first backoff delay, doubled on each retry, used when the service sends no
    /// <c>Retry-After</c>.</summary>
    public static readonly TimeSpan BaseDelay = TimeSpan.FromSeconds(1);

    /// <summary>Adds the retry and the per-attempt timeout to a pipeline.</summary>
    /// <param name="pipeline">The pipeline of the client's <see cref="HttpClient"/>.</param>
    /// <param name="options">The client's options, for the retry count and the attempt timeout.</param>
    /// <param name="logger">Receives one warning per retry.</param>
    public static void Configure(
        ResiliencePipelineBuilder<HttpResponseMessage> pipeline, RoutedEmailClientOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        if (options.MaxRetryAttempts > 0)
        {
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = BaseDelay,
                ShouldRetryAfterHeader = true,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Context, args.Outcome)),
                OnRetry = args =>
                {
                    LogRetry(logger, args.Context, args.Outcome, args.AttemptNumber + 1, args.RetryDelay);
                    return default;
                },
            });
        }

        pipeline.AddTimeout(options.AttemptTimeout);
    }

    private static bool ShouldRetry(ResilienceContext context, Outcome<HttpResponseMessage> outcome) =>
        IsRetrySafe(context)
        && HttpClientResiliencePredicates.IsTransient(outcome)
        && !(outcome.Result is { } response && KeyRejection.IsRateLimited(response));

    private static bool IsRetrySafe(ResilienceContext context) =>
        context.GetRequestMessage() is { } request
        && request.Options.TryGetValue(RetrySafe, out var safe)
        && safe;

    private static void LogRetry(
        ILogger logger, ResilienceContext context, Outcome<HttpResponseMessage> outcome, int retry, TimeSpan delay)
    {
        var request = context.GetRequestMessage();
        var failure = outcome.Result is { } response
            ? $"HTTP {(int)response.StatusCode}"
            : outcome.Exception?.GetType().Name ?? "no response";
        Log.Retrying(
            logger, request?.Method.Method ?? "?", request?.RequestUri?.AbsolutePath ?? "?", failure, retry,
            delay.TotalMilliseconds);
    }

    private static partial class Log
    {
        [LoggerMessage(9403, LogLevel.Warning,
            "{Method} {Path} failed with {Failure}; retry {Retry} in {DelayMilliseconds} ms")]
        public static partial void Retrying(
            ILogger logger, string method, string path, string failure, int retry, double delayMilliseconds);
    }
}

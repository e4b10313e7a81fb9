using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace RoutedEmail.Server.Webhooks;

/// <summary>The result of one delivery attempt.</summary>
/// <param name="Delivered">Whether the receiver responded with a 2xx status.</param>
/// <param name="StatusCode">The receiver's status code, or null when no response arrived.</param>
/// <param name="Error">Why the attempt failed, or null.</param>
/// <param name="RetryAfter">The wait that a 429 or 503 response asked for, or null.</param>
internal sealed record WebhookSendResult(bool Delivered, int? StatusCode, string? Error, TimeSpan? RetryAfter);

/// <summary>
/// Sends signed webhook requests. Redirects are not followed, no proxy is used, and every connection goes through
/// <see cref="WebhookConnector"/>, so only allowed addresses are reached.
/// </summary>
internal sealed class WebhookSender : IDisposable
{
    private readonly HttpClient _client;
    private readonly TimeProvider _time;
    private readonly IOptions<WebhookOptions> _options;

    public WebhookSender(WebhookConnector connector, TimeProvider time, IOptions<WebhookOptions> options)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = connector.ConnectAsync,
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,

            // A pooled connection is reused for at most a minute, so a changed DNS answer is checked soon.
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _time = time;
        _options = options;
    }

    /// <summary>
    /// Posts the body with the Standard Webhooks headers and returns the outcome. Error statuses, timeouts and
    /// connection failures become a failed result; only a stop of the service throws.
    /// </summary>
    public async Task<WebhookSendResult> SendAsync(
        string url, byte[] key, string messageId, byte[] body, CancellationToken stoppingToken)
    {
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(WebhookSigner.IdHeader, messageId);
        request.Headers.Add(WebhookSigner.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSigner.SignatureHeader, WebhookSigner.Sign(key, messageId, timestamp, body));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("RoutedEmail-Webhooks", "1"));

        var timeout = _options.Value.Timeout;
        using var timer = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timer.Token);
        try
        {
            using var response = await _client.SendAsync(
                request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return new WebhookSendResult(true, status, null, null);
            }

            return new WebhookSendResult(false, status, $"The receiver responded with HTTP {status}.",
                ReadRetryAfter(response));
        }
        catch (OperationCanceledException) when (
            timer.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            return new WebhookSendResult(false, null, $"The receiver did not answer within {timeout}.", null);
        }
        catch (HttpRequestException exception)
        {
            return new WebhookSendResult(false, null, Describe(exception), null);
        }
    }

    public void Dispose() => _client.Dispose();

    private TimeSpan? ReadRetryAfter(HttpResponseMessage response)
    {
        if (response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable))
        {
            return null;
        }

        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        return header?.Date is { } date ? date - _time.GetUtcNow() : null;
    }

    // The innermost message names the cause, such as a refused connection or a rejected target address.
    private static string Describe(HttpRequestException exception)
    {
        Exception cause = exception;
        while (cause.InnerException is { } inner)
        {
            cause = inner;
        }

        return ReferenceEquals(cause, exception)
            ? $"The request failed: {exception.Message}"
            : $"The request failed: {exception.Message} {cause.Message}";
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace RoutedEmail.Client;

public sealed partial class RoutedEmailClient
{
    /// <summary>
    /// Sends a request with the current key, and once more with a new key when the service rejects the key (401,
    /// or 429 after too many rejected keys) and the key source has a different key. A request message is built per attempt, because a sent message cannot be
    /// sent again.
    /// </summary>
    private async Task<HttpResponseMessage> SendWithKeyAsync(
        string operation, Func<HttpRequestMessage> newRequest, CancellationToken cancellationToken)
    {
        var key = await _keys.GetApiKeyAsync(cancellationToken).ConfigureAwait(false);
        var response = await SendOnceAsync(operation, newRequest, key, cancellationToken).ConfigureAwait(false);
        if (!KeyRejection.IsRejected(response))
        {
            return response;
        }

        var newKey = await _keys.RefreshApiKeyAsync(key, cancellationToken).ConfigureAwait(false);
        if (newKey is null || newKey == key)
        {
            Log.KeyRejectedNoOther(_logger, operation, _options.CompanyCode, _options.Environment);
            throw await KeyRejectedAsync(response, operation, cancellationToken).ConfigureAwait(false);
        }

        response.Dispose();
        Log.RetryingWithNewKey(_logger, operation, _options.CompanyCode, _options.Environment);
        response = await SendOnceAsync(operation, newRequest, newKey, cancellationToken).ConfigureAwait(false);
        return KeyRejection.IsRejected(response)
            ? throw await KeyRejectedAsync(response, operation, cancellationToken).ConfigureAwait(false)
            : response;
    }

    /// <summary>
    /// Builds the exception of a final key rejection, with advice that fits where the key came from, and disposes the
    /// response.
    /// </summary>
    private async Task<RoutedEmailException> KeyRejectedAsync(
        HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        using (response)
        {
            var failure = await ProblemReader.ToExceptionAsync(response, operation, cancellationToken)
                .ConfigureAwait(false);
            return new RoutedEmailException(
                operation, failure.StatusCode, failure.ServiceMessage, KeyRejectedAdvice(_keys), null)
            {
                IsKeyCheckRateLimited = failure.IsKeyCheckRateLimited,
            };
        }
    }

    private static string KeyRejectedAdvice(IApiKeySource keys) => keys switch
    {
        SecretsManagerApiKeySource => "Check the company code, environment and secrets region, and that " +
            "SecretName is the secret this tenant's key is published to. The secret was read again after the " +
            "first rejection, so it does not contain a key of this tenant.",
        FixedApiKeySource => "Check the company code, environment, secrets region and API key. The key is " +
            "fixed by the ApiKey option, so nothing reads a rotated key: set the tenant's current key, or leave " +
            "ApiKey unset to read the key from Secrets Manager.",
        _ => "Check the company code, environment, secrets region and the key that the API key source returns.",
    };

    private async Task<HttpResponseMessage> SendOnceAsync(
        string operation, Func<HttpRequestMessage> newRequest, string key, CancellationToken cancellationToken)
    {
        using var request = newRequest();
        request.Headers.Add(HeaderNames.ApiKey, key);
        try
        {
            return await _httpClient.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException exception)
        {
            throw new RoutedEmailException(
                operation, null, $"{exception.Message} ({_baseAddress.GetLeftPart(UriPartial.Authority)}).",
                exception);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RoutedEmailException(operation, null, "The request timed out.", exception);
        }
        catch (Polly.Timeout.TimeoutRejectedException exception)
        {
            throw new RoutedEmailException(
                operation, null, $"The request timed out after {exception.Timeout.TotalSeconds} seconds.", exception);
        }
    }

    private HttpRequestMessage NewRequest(HttpMethod method, string relativePath, byte[]? body)
    {
        var request = new HttpRequestMessage(method, new Uri(_baseAddress, relativePath));
        request.Headers.Add(HeaderNames.PlatformCode, PlatformCode);
        request.Headers.Add(HeaderNames.CompanyCode, _options.CompanyCode);
        request.Headers.Add(HeaderNames.Environment, _options.Environment);
        request.Headers.Add(HeaderNames.SecretsRegion, _options.SecretsRegion);
        request.Options.Set(RoutedEmailResilience.RetrySafe, true);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        }

        return request;
    }

    /// <summary>
    /// Reads the response, or returns null for the service's 404. A 404 without the service's problem details is
    /// an unexpected response, because it comes from a wrong base address, not from a missing email.
    /// </summary>
    private static async Task<T?> ReadOptionalAsync<T>(
        HttpResponseMessage response, string operation, CancellationToken cancellationToken)
        where T : class
    {
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            return await ReadRequiredAsync<T>(response, operation, cancellationToken).ConfigureAwait(false);
        }

        return IsProblemDetails(response)
            ? null
            : throw await ProblemReader.UnexpectedAsync(
                response, operation, "the service's problem details", cancellationToken).ConfigureAwait(false);
    }

    private static async Task<T> ReadRequiredAsync<T>(
        HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.NotFound && !IsProblemDetails(response))
        {
            throw await ProblemReader.UnexpectedAsync(
                response, operation, "the service's problem details", cancellationToken).ConfigureAwait(false);
        }

        if (!response.IsSuccessStatusCode)
        {
            throw await ProblemReader.ToExceptionAsync(response, operation, cancellationToken).ConfigureAwait(false);
        }

        // Read as text first, so that a body of the wrong shape can be quoted in the message.
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize<T>(body, ClientJson.Options)
                ?? throw await ProblemReader.UnexpectedAsync(
                    response, operation, "a JSON object", cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            throw await ProblemReader.UnexpectedAsync(
                response, operation, "the service's JSON", cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsProblemDetails(HttpResponseMessage response) =>
        string.Equals(
            response.Content.Headers.ContentType?.MediaType, "application/problem+json",
            StringComparison.OrdinalIgnoreCase);

    private static partial class Log
    {
        [LoggerMessage(9401, LogLevel.Warning,
            "The {Operation} request of tenant {CompanyCode}/{Environment} had its API key rejected; retrying once " +
            "with a new API key")]
        public static partial void RetryingWithNewKey(
            ILogger logger, string operation, string companyCode, string environment);

        [LoggerMessage(9402, LogLevel.Warning,
            "The {Operation} request of tenant {CompanyCode}/{Environment} had its API key rejected and the key " +
            "source has no other key")]
        public static partial void KeyRejectedNoOther(
            ILogger logger, string operation, string companyCode, string environment);
    }
}

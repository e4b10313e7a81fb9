using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using RoutedEmail.Client;

namespace RoutedEmail.Cli;

/// <summary>
/// The administrator API with a bearer token. Requests are not retried, because some of them, such as a key
/// rotation, are not safe to repeat.
/// </summary>
internal sealed class AdminApi : IDisposable
{
    private readonly HttpClient _httpClient;
    private readonly Uri _baseAddress;

    public AdminApi(Uri baseAddress, string token)
    {
        _baseAddress = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        _httpClient = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        _httpClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public static string TenantPath(string company, string environment) =>
        $"api/v1/tenants/{Uri.EscapeDataString(company)}/{Uri.EscapeDataString(environment)}";

    /// <summary>
    /// Sends a request and returns the response's JSON, or raises the service's error. Pass
    /// <paramref name="unknownOutcomeAdvice"/> for a request that is not safe to repeat: it replaces the default
    /// advice after a timeout or an HTTP 5xx, because the request may have taken effect.
    /// </summary>
    public async Task<JsonElement> SendAsync(
        HttpMethod method,
        string path,
        object? body,
        string operation,
        CancellationToken cancellationToken,
        string? unknownOutcomeAdvice = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(_baseAddress, path));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Output.JsonOptions);
        }

        HttpResponseMessage response;
        try
        {
            response = await _httpClient.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw new RoutedEmailException(operation, null, $"{exception.Message} ({_baseAddress}).", exception);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            const string TimedOut = "The request timed out after 60 seconds.";
            throw unknownOutcomeAdvice is null
                ? new RoutedEmailException(operation, null, TimedOut, exception)
                : new RoutedEmailException(operation, null, TimedOut, unknownOutcomeAdvice, exception);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var failure = await RoutedEmailException.FromResponseAsync(response, operation, cancellationToken);
                throw WithAdvice(failure, unknownOutcomeAdvice);
            }

            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            try
            {
                using var document = JsonDocument.Parse(text.Length == 0 ? "null" : text);
                return document.RootElement.Clone();
            }
            catch (JsonException exception)
            {
                // A proxy or another web server at the base address can return 200 with a page of its own.
                throw new CliException(
                    ExitCodes.Usage,
                    $"The {operation} request got HTTP {(int)response.StatusCode} with a body that is not JSON " +
                    $"({exception.Message}), so {_baseAddress} may not be the RoutedEmail service. Check " +
                    "--base-url: it is the address that serves /healthz and /api/v1.",
                    exception);
            }
        }
    }

    public void Dispose() => _httpClient.Dispose();

    /// <summary>Replaces the SDK's advice, which is written for integrators, where the admin API differs.</summary>
    private static RoutedEmailException WithAdvice(RoutedEmailException failure, string? unknownOutcomeAdvice)
    {
        var advice = failure.StatusCode switch
        {
            HttpStatusCode.Unauthorized =>
                "The service rejected the admin token. Pass the service's operator admin token, or a signed-in " +
                $"tenant administrator's token, in --admin-token or {CommonOptions.AdminTokenVariable}.",
            >= HttpStatusCode.InternalServerError when unknownOutcomeAdvice is not null => unknownOutcomeAdvice,
            _ => null,
        };
        return advice is null
            ? failure
            : new RoutedEmailException(failure.Operation, failure.StatusCode, failure.ServiceMessage, advice, null);
    }
}

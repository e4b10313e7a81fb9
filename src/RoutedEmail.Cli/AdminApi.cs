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

    /// <summary>Sends a request and returns the response's JSON, or raises the service's error.</summary>
    public async Task<JsonElement> SendAsync(
        HttpMethod method, string path, object? body, string operation, CancellationToken cancellationToken)
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
            throw new RoutedEmailException(operation, null, $"{exception.Message} ({_baseAddress})", exception);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RoutedEmailException(operation, null, "The request timed out after 60 seconds.", exception);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw await RoutedEmailException.FromResponseAsync(response, operation, cancellationToken);
            }

            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            using var document = JsonDocument.Parse(text.Length == 0 ? "null" : text);
            return document.RootElement.Clone();
        }
    }

    public void Dispose() => _httpClient.Dispose();
}

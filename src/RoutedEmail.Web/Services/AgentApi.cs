using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using RoutedEmail.Core.Agents;

namespace RoutedEmail.Web.Services;

/// <summary>
/// The agent REST API under <c>/api/v1/agent</c>. Requests that change nothing when repeated (reads, status, accept,
/// complete, end wrap) are retried after a network failure or a 502, 503 or 504. Decline and transfer are not,
/// because a repeat after a lost response is rejected and would show a false error.
/// </summary>
public sealed class AgentApi(HttpClient http, SessionStore session, TimeProvider time)
{
    /// <summary>The waits before each retry; their sum bounds how long a safe request keeps trying.</summary>
    private static readonly TimeSpan[] RetryDelays =
        [TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)];

    /// <summary>The JSON of the REST API and the hub: camelCase names and enum values as strings.</summary>
    public static JsonSerializerOptions Json { get; } = CreateJson();

    /// <summary>Checks the agent's credentials and returns the new session's token.</summary>
    public async Task<SignInResponse> SignInAsync(
        string companyCode, string environment, string agentId, string password, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/agent/sign-in")
        {
            Content = JsonContent.Create(new { companyCode, environment, agentId, password }, options: Json),
        };
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            await EnsureSuccessAsync(response, cancellationToken);
            return (await response.Content.ReadFromJsonAsync<SignInResponse>(Json, cancellationToken))!;
        }
        catch (Exception exception) when (IsUnreachable(exception, cancellationToken))
        {
            throw CreateUnreachableError();
        }
    }

    /// <summary>Ends the session on the server; the agent becomes Offline.</summary>
    public Task SignOutAsync(CancellationToken cancellationToken) =>
        SendAsync<JsonNode>(HttpMethod.Post, "api/v1/agent/sign-out", null, retry: false, cancellationToken);

    /// <summary>Reads the agent's status, offers and emails.</summary>
    public Task<AgentWork> GetWorkAsync(CancellationToken cancellationToken) =>
        SendAsync<AgentWork>(HttpMethod.Get, "api/v1/agent/work", null, retry: true, cancellationToken)!;

    /// <summary>Reads the maxima, away reasons, work codes, transfer targets and screen-pop templates.</summary>
    public Task<DesktopContext> GetDesktopContextAsync(CancellationToken cancellationToken) =>
        SendAsync<DesktopContext>(HttpMethod.Get, "api/v1/agent/desktop", null, retry: true, cancellationToken)!;

    /// <summary>Sets the status, with an away reason for Away when the tenant has reasons.</summary>
    public Task<AgentWork> SetStatusAsync(string status, string? reason, CancellationToken cancellationToken) =>
        SendAsync<AgentWork>(HttpMethod.Put, "api/v1/agent/status", new { status, reason }, retry: true,
            cancellationToken)!;

    public Task<AgentWork> AcceptAsync(long offerId, CancellationToken cancellationToken) =>
        SendAsync<AgentWork>(HttpMethod.Post, $"api/v1/agent/offers/{offerId}/accept", null, retry: true,
            cancellationToken)!;

    public Task<AgentWork> DeclineAsync(long offerId, CancellationToken cancellationToken) =>
        SendAsync<AgentWork>(HttpMethod.Post, $"api/v1/agent/offers/{offerId}/decline", null, retry: false,
            cancellationToken)!;

    public Task<AgentWork> CompleteAsync(
        long emailId, string? workCode, string? notes, CancellationToken cancellationToken) =>
        SendAsync<AgentWork>(HttpMethod.Post, $"api/v1/agent/emails/{emailId}/complete", new { workCode, notes },
            retry: true, cancellationToken)!;

    public Task<AgentWork> EndWrapAsync(long emailId, CancellationToken cancellationToken) =>
        SendAsync<AgentWork>(HttpMethod.Post, $"api/v1/agent/emails/{emailId}/end-wrap", null, retry: true,
            cancellationToken)!;

    public Task<AgentWork> TransferAsync(
        long emailId, string? skillQueue, string? agentId, CancellationToken cancellationToken) =>
        SendAsync<AgentWork>(HttpMethod.Post, $"api/v1/agent/emails/{emailId}/transfer", new { skillQueue, agentId },
            retry: false, cancellationToken)!;

    private async Task<T?> SendAsync<T>(
        HttpMethod method, string path, object? body, bool retry, CancellationToken cancellationToken)
        where T : class
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = JsonContent.Create(body, options: Json);
            }

            if (session.Current is { } current)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", current.Token);
            }

            try
            {
                using var response = await http.SendAsync(request, cancellationToken);
                if (retry && attempt < RetryDelays.Length && IsTransient(response.StatusCode))
                {
                    await Task.Delay(RetryDelays[attempt], time, cancellationToken);
                    continue;
                }

                await EnsureSuccessAsync(response, cancellationToken);
                return response.StatusCode == HttpStatusCode.NoContent
                    ? null
                    : await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken);
            }
            catch (Exception exception) when (IsUnreachable(exception, cancellationToken)
                && retry && attempt < RetryDelays.Length)
            {
                // The server is unreachable, such as during a restart: the request is safe to repeat.
                await Task.Delay(RetryDelays[attempt], time, cancellationToken);
            }
            catch (Exception exception) when (IsUnreachable(exception, cancellationToken))
            {
                throw CreateUnreachableError();
            }
        }
    }

    /// <summary>
    /// Tells a failure to reach the server, or a request that timed out, from a cancellation by the caller. The
    /// exceptions' own messages are not shown, because a trimmed WebAssembly app has only resource keys for them.
    /// </summary>
    private static bool IsUnreachable(Exception exception, CancellationToken cancellationToken) =>
        exception is HttpRequestException
        || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested);

    private static AgentApiException CreateUnreachableError() =>
        new("The server could not be reached or did not answer in time. Check the connection and try again.");

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    /// <summary>Raises the problem's <c>detail</c>, which names the value, the rule and the fix.</summary>
    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        string? detail = null;
        try
        {
            detail = JsonNode.Parse(text)?["detail"]?.GetValue<string>();
        }
        catch (JsonException)
        {
            // Not a problem document, such as a proxy's error page: the status below describes the failure.
        }

        throw new AgentApiException(
            detail ?? $"The server answered {(int)response.StatusCode} {response.ReasonPhrase}.",
            (int)response.StatusCode);
    }

    private static JsonSerializerOptions CreateJson()
    {
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        json.Converters.Add(new JsonStringEnumConverter());
        return json;
    }
}

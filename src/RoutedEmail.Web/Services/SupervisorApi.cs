using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.JSInterop;
using RoutedEmail.Core.Tenants;

namespace RoutedEmail.Web.Services;

/// <summary>A signed-in supervisor's session: the bearer token and the tenant it belongs to.</summary>
public sealed record SupervisorSession(
    string Token, DateTimeOffset ExpiresAt, string CompanyCode, string Environment, string UserId);

/// <summary>The response of <c>POST /api/v1/sign-in</c>.</summary>
public sealed record UserSignInResponse(
    string Token, string UserId, IReadOnlyList<string> Roles, DateTimeOffset ExpiresAt);

/// <summary>
/// Signs a supervisor in with <c>POST /api/v1/sign-in</c> and reads the tenant's dashboard. The session is kept in
/// the tab's sessionStorage under its own key, so the agent desktop and the dashboard can be signed in as different
/// users in one tab.
/// </summary>
public sealed class SupervisorApi(HttpClient http, IJSRuntime js, TimeProvider time)
{
    private const string SessionKey = "routedEmail.supervisorSession";

    private static readonly JsonSerializerOptions SessionJson = new(JsonSerializerDefaults.Web);

    /// <summary>The session read or saved last; null when signed out.</summary>
    public SupervisorSession? Current { get; private set; }

    /// <summary>
    /// Checks the user's credentials and stores the session when the user has the Supervisor or Administrator role.
    /// </summary>
    /// <exception cref="AgentApiException">The server rejected the sign-in, or the user has neither role.</exception>
    public async Task SignInAsync(
        string companyCode, string environment, string userId, string password, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, "api/v1/sign-in",
            new { companyCode, environment, userId, password }, token: null, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        var answer = (await response.Content.ReadFromJsonAsync<UserSignInResponse>(AgentApi.Json, cancellationToken))!;
        if (!answer.Roles.Contains("Supervisor") && !answer.Roles.Contains("Administrator"))
        {
            throw new AgentApiException(
                $"User \"{answer.UserId}\" has neither the Supervisor nor the Administrator role, so it cannot " +
                "open the dashboard. Ask an administrator to add the Supervisor role, or sign in at /agent.");
        }

        Current = new SupervisorSession(answer.Token, answer.ExpiresAt, companyCode, environment, answer.UserId);
        await js.InvokeVoidAsync("sessionStorage.setItem", SessionKey, JsonSerializer.Serialize(Current, SessionJson));
    }

    /// <summary>Reads the stored session, dropping one that has expired.</summary>
    public async Task<SupervisorSession?> LoadAsync()
    {
        var text = await js.InvokeAsync<string?>("sessionStorage.getItem", SessionKey);
        var session = string.IsNullOrEmpty(text)
            ? null
            : JsonSerializer.Deserialize<SupervisorSession>(text, SessionJson);
        if (session is not null && session.ExpiresAt <= time.GetUtcNow())
        {
            await ClearAsync();
            return null;
        }

        Current = session;
        return session;
    }

    /// <summary>Ends the session on the server, when it can be reached, and removes it from this tab.</summary>
    public async Task SignOutAsync(CancellationToken cancellationToken)
    {
        if (Current is { } session)
        {
            try
            {
                using var response = await SendAsync(
                    HttpMethod.Post, "api/v1/sign-out", null, session.Token, cancellationToken);
            }
            catch (HttpRequestException)
            {
                // The token is removed from the tab below either way, and the server ends it at its expiry.
            }
        }

        await ClearAsync();
    }

    /// <summary>Removes the stored session.</summary>
    public async Task ClearAsync()
    {
        Current = null;
        await js.InvokeVoidAsync("sessionStorage.removeItem", SessionKey);
    }

    /// <summary>Reads <c>GET /api/v1/tenants/{c}/{e}/dashboard</c> with the session's token.</summary>
    /// <exception cref="AgentApiException">
    /// The server rejected the request, with the HTTP status in <see cref="AgentApiException.StatusCode"/>.
    /// </exception>
    /// <exception cref="HttpRequestException">The server could not be reached.</exception>
    public async Task<TenantDashboard> GetDashboardAsync(CancellationToken cancellationToken)
    {
        var session = Current ?? throw new InvalidOperationException("No supervisor is signed in.");
        var path = $"api/v1/tenants/{Uri.EscapeDataString(session.CompanyCode)}/" +
            $"{Uri.EscapeDataString(session.Environment)}/dashboard";
        using var response = await SendAsync(HttpMethod.Get, path, null, session.Token, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return (await response.Content.ReadFromJsonAsync<TenantDashboard>(AgentApi.Json, cancellationToken))!;
    }

    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string path, object? body, string? token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: AgentApi.Json);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await http.SendAsync(request, cancellationToken);
    }

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
}

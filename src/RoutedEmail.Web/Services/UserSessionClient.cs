using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.JSInterop;

namespace RoutedEmail.Web.Services;

/// <summary>A session of a tenant's user from <c>POST /api/v1/sign-in</c>, shared by the supervisor and admin pages.</summary>
/// <param name="Token">The bearer token for the admin and report routes that the roles allow.</param>
/// <param name="ExpiresAt">When the server stops accepting the token.</param>
/// <param name="CompanyCode">The tenant's company code.</param>
/// <param name="Environment">The tenant's environment.</param>
/// <param name="UserId">The signed-in user.</param>
/// <param name="Roles">The user's roles at sign-in: <c>Agent</c>, <c>Supervisor</c> or <c>Administrator</c>.</param>
public sealed record UserSession(
    string Token, DateTimeOffset ExpiresAt, string CompanyCode, string Environment, string UserId,
    IReadOnlyList<string>? Roles)
{
    /// <summary>Whether the user had the role at sign-in. The server checks the current roles on every request.</summary>
    public bool HasRole(string role) => Roles?.Contains(role, StringComparer.Ordinal) == true;

    /// <summary>The tenant's admin path, <c>api/v1/tenants/{company}/{environment}</c>, with both parts escaped.</summary>
    public string TenantPath =>
        $"api/v1/tenants/{Uri.EscapeDataString(CompanyCode)}/{Uri.EscapeDataString(Environment)}";
}

/// <summary>The response of <c>POST /api/v1/sign-in</c>.</summary>
public sealed record UserSignInResponse(
    string Token, string UserId, IReadOnlyList<string> Roles, DateTimeOffset ExpiresAt);

/// <summary>
/// Signs a tenant's user in with <c>POST /api/v1/sign-in</c>, keeps the session in the tab's sessionStorage and sends
/// requests with its token. The supervisor dashboard and the admin pages share one session, so a user with both
/// roles signs in once. The agent desktop keeps its own session, so one tab can hold an agent and another user.
/// </summary>
public sealed class UserSessionClient(HttpClient http, IJSRuntime js, TimeProvider time)
{
    private const string SessionKey = "routedEmail.userSession";

    private static readonly JsonSerializerOptions SessionJson = new(JsonSerializerDefaults.Web);

    /// <summary>The session read or saved last; null when signed out.</summary>
    public UserSession? Current { get; private set; }

    /// <summary>Raised after the session is saved, read or removed, so the layout can update its navigation.</summary>
    public event Action? Changed;

    /// <summary>
    /// Checks the user's credentials and stores the session when the user has one of <paramref name="anyOfRoles"/>.
    /// Otherwise the new token is signed out at once, nothing is stored, and the error is the one that
    /// <paramref name="missingRoleMessage"/> builds from the user id.
    /// </summary>
    /// <exception cref="AgentApiException">The server rejected the sign-in, or the user lacks the roles.</exception>
    /// <exception cref="HttpRequestException">The server could not be reached.</exception>
    public async Task SignInAsync(
        string companyCode, string environment, string userId, string password, IReadOnlyList<string> anyOfRoles,
        Func<string, string> missingRoleMessage, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, "api/v1/sign-in",
            new { companyCode, environment, userId, password }, token: null, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        var answer = (await response.Content.ReadFromJsonAsync<UserSignInResponse>(AgentApi.Json, cancellationToken))!;
        if (!answer.Roles.Any(anyOfRoles.Contains))
        {
            await EndOnServerAsync(answer.Token, cancellationToken);
            throw new AgentApiException(missingRoleMessage(answer.UserId));
        }

        Current = new UserSession(
            answer.Token, answer.ExpiresAt, companyCode, environment, answer.UserId, answer.Roles);
        await js.InvokeVoidAsync("sessionStorage.setItem", SessionKey, JsonSerializer.Serialize(Current, SessionJson));
        Changed?.Invoke();
    }

    /// <summary>Reads the stored session, dropping one that has expired.</summary>
    public async Task<UserSession?> LoadAsync()
    {
        var text = await js.InvokeAsync<string?>("sessionStorage.getItem", SessionKey);
        var session = string.IsNullOrEmpty(text) ? null : JsonSerializer.Deserialize<UserSession>(text, SessionJson);
        if (session is not null && session.ExpiresAt <= time.GetUtcNow())
        {
            await ClearAsync();
            return null;
        }

        Current = session;
        Changed?.Invoke();
        return session;
    }

    /// <summary>Ends the session on the server, when it can be reached, and removes it from this tab.</summary>
    public async Task SignOutAsync(CancellationToken cancellationToken)
    {
        if (Current is { } session)
        {
            await EndOnServerAsync(session.Token, cancellationToken);
        }

        await ClearAsync();
    }

    /// <summary>Removes the stored session.</summary>
    public async Task ClearAsync()
    {
        Current = null;
        await js.InvokeVoidAsync("sessionStorage.removeItem", SessionKey);
        Changed?.Invoke();
    }

    /// <summary>Sends a request with the current session's token and raises the server's problem on failure.</summary>
    /// <returns>The successful response; the caller disposes it.</returns>
    /// <exception cref="AgentApiException">
    /// The server rejected the request, with the HTTP status, the problem's <c>detail</c> and its field errors.
    /// </exception>
    /// <exception cref="HttpRequestException">The server could not be reached.</exception>
    public async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        var session = Current ?? throw new InvalidOperationException("No user is signed in.");
        var response = await SendAsync(method, path, body, session.Token, cancellationToken);
        try
        {
            await EnsureSuccessAsync(response, cancellationToken);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private async Task EndOnServerAsync(string token, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync(HttpMethod.Post, "api/v1/sign-out", null, token, cancellationToken);
        }
        catch (HttpRequestException)
        {
            // The token is removed from the tab either way, and the server ends it at its expiry.
        }
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

    /// <summary>
    /// Raises the problem's <c>detail</c>, which names the value, the rule and the fix, with the field errors of a
    /// validation problem.
    /// </summary>
    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        string? detail = null;
        Dictionary<string, string[]>? errors = null;
        try
        {
            var problem = JsonNode.Parse(text);
            detail = problem?["detail"]?.GetValue<string>();
            errors = problem?["errors"]?.Deserialize<Dictionary<string, string[]>>();
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            // Not a problem document, such as a proxy's error page: the status below describes the failure.
        }

        throw new AgentApiException(
            detail ?? $"The server answered {(int)response.StatusCode} {response.ReasonPhrase}.",
            (int)response.StatusCode, errors);
    }
}

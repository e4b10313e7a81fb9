using System.Net.Http.Json;
using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Tenants;
using RoutedEmail.Core.Users;

namespace RoutedEmail.Web.Services;

/// <summary>The new API key from <c>POST .../api-key/rotate</c>, which the server shows only once.</summary>
/// <param name="ApiKey">The new key.</param>
/// <param name="PreviousKeyExpiresAt">When the replaced key stops being accepted.</param>
public sealed record ApiKeyRotation(string ApiKey, DateTimeOffset PreviousKeyExpiresAt);

/// <summary>
/// The client of the tenant's admin API under <c>/api/v1/tenants/{c}/{e}</c> for the admin pages, with the token of
/// the signed-in administrator. Every method raises <see cref="AgentApiException"/> with the server's problem
/// details when the server rejects the request, and <see cref="HttpRequestException"/> when it cannot be reached.
/// </summary>
public sealed class AdminApi(UserSessionClient sessions)
{
    /// <summary>The role the admin pages need.</summary>
    public const string AdministratorRole = "Administrator";

    /// <summary>The collections of <c>disable</c>, <c>enable</c> and <c>DELETE</c> that the pages use.</summary>
    public const string SkillQueues = "skill-queues";

    /// <inheritdoc cref="SkillQueues"/>
    public const string Configurations = "routed-email-configurations";

    /// <inheritdoc cref="SkillQueues"/>
    public const string WorkCodeGroups = "work-code-groups";

    /// <inheritdoc cref="SkillQueues"/>
    public const string Users = "users";

    private static readonly IReadOnlyList<string> AdministratorRoles = [AdministratorRole];

    /// <summary>The session read or saved last; null when signed out.</summary>
    public UserSession? Current => sessions.Current;

    /// <summary>Checks the user's credentials and stores the session when the user is an Administrator.</summary>
    public Task SignInAsync(string companyCode, string environment, string userId, string password) =>
        sessions.SignInAsync(companyCode, environment, userId, password, AdministratorRoles,
            user => $"User \"{user}\" does not have the Administrator role, so it cannot open the administration " +
                "pages. Ask an administrator of the tenant to add the role.",
            CancellationToken.None);

    /// <summary>Reads the stored session, dropping one that has expired.</summary>
    public Task<UserSession?> LoadAsync() => sessions.LoadAsync();

    /// <summary>Ends the session on the server, when it can be reached, and removes it from this tab.</summary>
    public Task SignOutAsync() => sessions.SignOutAsync(CancellationToken.None);

    /// <summary>Removes the stored session without calling the server, after the server rejected it.</summary>
    public Task ClearAsync() => sessions.ClearAsync();

    public Task<List<SkillQueue>> ListSkillQueuesAsync() => GetAsync<List<SkillQueue>>(SkillQueues);

    public Task PutSkillQueueAsync(string name, object body) => PutAsync($"{SkillQueues}/{Escape(name)}", body);

    public Task<List<RoutedEmailConfiguration>> ListConfigurationsAsync() =>
        GetAsync<List<RoutedEmailConfiguration>>(Configurations);

    public Task PutConfigurationAsync(string ownerId, object body) =>
        PutAsync($"{Configurations}/{Escape(ownerId)}", body);

    public Task<List<TenantUser>> ListUsersAsync() => GetAsync<List<TenantUser>>(Users);

    public Task PutUserAsync(string userId, object body) => PutAsync($"{Users}/{Escape(userId)}", body);

    public Task<List<Agent>> ListAgentsAsync() => GetAsync<List<Agent>>("agents");

    public Task PutAgentAsync(string agentId, object body) => PutAsync($"agents/{Escape(agentId)}", body);

    public Task<List<WorkCodeGroup>> ListWorkCodeGroupsAsync() => GetAsync<List<WorkCodeGroup>>(WorkCodeGroups);

    public Task PutWorkCodeGroupAsync(string name, IReadOnlyList<string> codes) =>
        PutAsync($"{WorkCodeGroups}/{Escape(name)}", new { codes });

    /// <summary>Sends <c>POST .../{collection}/{name}/disable</c> or <c>.../enable</c>.</summary>
    public async Task SetEnabledAsync(string collection, string name, bool enabled)
    {
        var action = enabled ? "enable" : "disable";
        using var response = await SendAsync(HttpMethod.Post, $"{collection}/{Escape(name)}/{action}", null);
    }

    /// <summary>Sends <c>DELETE .../{collection}/{name}</c>. A 409 names what still depends on the resource.</summary>
    public async Task DeleteAsync(string collection, string name)
    {
        using var response = await SendAsync(HttpMethod.Delete, $"{collection}/{Escape(name)}", null);
    }

    /// <summary>Replaces the tenant's API key; the previous key stays valid for the server's grace period.</summary>
    public async Task<ApiKeyRotation> RotateApiKeyAsync()
    {
        using var response = await SendAsync(HttpMethod.Post, "api-key/rotate", null);
        return (await response.Content.ReadFromJsonAsync<ApiKeyRotation>(AgentApi.Json))!;
    }

    private async Task<T> GetAsync<T>(string relativePath)
    {
        using var response = await SendAsync(HttpMethod.Get, relativePath, null);
        return (await response.Content.ReadFromJsonAsync<T>(AgentApi.Json))!;
    }

    private async Task PutAsync(string relativePath, object body)
    {
        using var response = await SendAsync(HttpMethod.Put, relativePath, body);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string relativePath, object? body)
    {
        var session = Current ?? throw new InvalidOperationException("No administrator is signed in.");
        return sessions.SendAsync(method, $"{session.TenantPath}/{relativePath}", body, CancellationToken.None);
    }

    /// <summary>Escapes a name for one path segment; the server does not decode <c>%2F</c>, and names never contain '/'.</summary>
    private static string Escape(string name) => Uri.EscapeDataString(name);
}

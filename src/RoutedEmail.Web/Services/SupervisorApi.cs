using System.Net.Http.Json;
using RoutedEmail.Core.Tenants;

namespace RoutedEmail.Web.Services;

/// <summary>
/// Signs a supervisor in with <c>POST /api/v1/sign-in</c> and reads the tenant's dashboard. The session is the
/// <see cref="UserSessionClient"/>'s, which the admin pages share; the agent desktop keeps its own, so the desktop and
/// the dashboard can be signed in as different users in one tab.
/// </summary>
public sealed partial class SupervisorApi(UserSessionClient sessions)
{
    /// <summary>The roles that may open the dashboard.</summary>
    public static readonly IReadOnlyList<string> DashboardRoles = ["Supervisor", "Administrator"];

    /// <summary>The session read or saved last; null when signed out.</summary>
    public UserSession? Current => sessions.Current;

    /// <summary>
    /// Checks the user's credentials and stores the session when the user has the Supervisor or Administrator role.
    /// </summary>
    /// <exception cref="AgentApiException">The server rejected the sign-in, or the user has neither role.</exception>
    public Task SignInAsync(
        string companyCode, string environment, string userId, string password, CancellationToken cancellationToken) =>
        sessions.SignInAsync(companyCode, environment, userId, password, DashboardRoles, MissingRoleMessage,
            cancellationToken);

    /// <summary>Reads the stored session, dropping one that has expired.</summary>
    public Task<UserSession?> LoadAsync() => sessions.LoadAsync();

    /// <summary>Ends the session on the server, when it can be reached, and removes it from this tab.</summary>
    public Task SignOutAsync(CancellationToken cancellationToken) => sessions.SignOutAsync(cancellationToken);

    /// <summary>Removes the stored session.</summary>
    public Task ClearAsync() => sessions.ClearAsync();

    /// <summary>Reads <c>GET /api/v1/tenants/{c}/{e}/dashboard</c> with the session's token.</summary>
    /// <exception cref="AgentApiException">
    /// The server rejected the request, with the HTTP status in <see cref="AgentApiException.StatusCode"/>.
    /// </exception>
    /// <exception cref="HttpRequestException">The server could not be reached.</exception>
    public async Task<TenantDashboard> GetDashboardAsync(CancellationToken cancellationToken)
    {
        return await SendTenantAsync<TenantDashboard>(HttpMethod.Get, "dashboard", null, cancellationToken);
    }

    /// <summary>The error for a user who has neither role.</summary>
    public static string MissingRoleMessage(string userId) =>
        $"User \"{userId}\" has neither the Supervisor nor the Administrator role, so it cannot open the " +
        "dashboard. Ask an administrator to add the Supervisor role, or sign in at /agent.";
}

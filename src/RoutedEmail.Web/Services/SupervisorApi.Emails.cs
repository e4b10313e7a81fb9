using System.Globalization;
using System.Net.Http.Json;
using RoutedEmail.Core.Emails;
using RoutedEmail.Core.Explanations;
using RoutedEmail.Core.Tenants;

namespace RoutedEmail.Web.Services;

/// <summary>
/// The supervisor's reads of history and emails and its actions, under <c>/api/v1/tenants/{c}/{e}</c>. Every method
/// raises <see cref="AgentApiException"/> with the problem's <c>detail</c> when the server rejects the request, and
/// <see cref="HttpRequestException"/> when it cannot be reached.
/// </summary>
public sealed partial class SupervisorApi
{
    /// <summary>Reads <c>GET .../dashboard/history?hours=</c>: each queue's samples of the last hours.</summary>
    public Task<DashboardHistory> GetHistoryAsync(int hours, CancellationToken cancellationToken) =>
        SendTenantAsync<DashboardHistory>(HttpMethod.Get,
            "dashboard/history?hours=" + hours.ToString(CultureInfo.InvariantCulture), null, cancellationToken);

    /// <summary>Reads <c>GET .../routed-emails/{entityId}</c>: the newest email of the entity id.</summary>
    public Task<RoutedEmailDetails> GetEmailAsync(string entityId, CancellationToken cancellationToken) =>
        SendTenantAsync<RoutedEmailDetails>(HttpMethod.Get, EmailPath(entityId), null, cancellationToken);

    /// <summary>Reads <c>GET .../routed-emails/{entityId}/explanation</c>: where the email is and why.</summary>
    public Task<EmailExplanation> GetExplanationAsync(string entityId, CancellationToken cancellationToken) =>
        SendTenantAsync<EmailExplanation>(
            HttpMethod.Get, EmailPath(entityId) + "/explanation", null, cancellationToken);

    /// <summary>Cancels the email with <c>POST .../routed-emails/{entityId}/cancel</c>.</summary>
    public Task<RoutedEmailDetails> CancelEmailAsync(string entityId, CancellationToken cancellationToken) =>
        SendTenantAsync<RoutedEmailDetails>(
            HttpMethod.Post, EmailPath(entityId) + "/cancel", null, cancellationToken);

    /// <summary>
    /// Moves an Active email to a skill queue with <c>POST .../routed-emails/{entityId}/transfer</c>.
    /// </summary>
    public Task<RoutedEmailDetails> TransferEmailAsync(
        string entityId, string skillQueue, CancellationToken cancellationToken) =>
        SendTenantAsync<RoutedEmailDetails>(
            HttpMethod.Post, EmailPath(entityId) + "/transfer", new { skillQueue }, cancellationToken);

    /// <summary>Sets an agent's status with <c>PUT .../agents/{agentId}/status</c>.</summary>
    public async Task SetAgentStatusAsync(string agentId, string status, CancellationToken cancellationToken)
    {
        using var response = await SendTenantAsync(
            HttpMethod.Put, $"agents/{Uri.EscapeDataString(agentId)}/status", new { status }, cancellationToken);
    }

    /// <summary>Returns the path of the tenant's supervisor hub, relative to the app's base address.</summary>
    public string HubPath()
    {
        var session = Current ?? throw new InvalidOperationException("No supervisor is signed in.");
        return $"hubs/supervisor/{Uri.EscapeDataString(session.CompanyCode)}/" +
            Uri.EscapeDataString(session.Environment);
    }

    private static string EmailPath(string entityId) => "routed-emails/" + Uri.EscapeDataString(entityId);

    private async Task<T> SendTenantAsync<T>(
        HttpMethod method, string relativePath, object? body, CancellationToken cancellationToken)
    {
        using var response = await SendTenantAsync(method, relativePath, body, cancellationToken);
        return (await response.Content.ReadFromJsonAsync<T>(AgentApi.Json, cancellationToken))!;
    }

    /// <summary>Sends a request under the session's tenant path with its token and raises on an error status.</summary>
    private Task<HttpResponseMessage> SendTenantAsync(
        HttpMethod method, string relativePath, object? body, CancellationToken cancellationToken)
    {
        var session = Current ?? throw new InvalidOperationException("No supervisor is signed in.");
        return sessions.SendAsync(method, $"{session.TenantPath}/{relativePath}", body, cancellationToken);
    }
}

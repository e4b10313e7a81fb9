using System.Net.Http.Json;

namespace RoutedEmail.Web.Services;

/// <summary>A webhook as <c>GET .../webhooks</c> lists it, without its secret.</summary>
/// <param name="Name">The webhook's name.</param>
/// <param name="Url">The receiver's URL.</param>
/// <param name="EventTypes">The event types delivered, or <c>*</c>.</param>
/// <param name="Enabled">Whether events are delivered.</param>
public sealed record WebhookSummary(string Name, string Url, IReadOnlyList<string> EventTypes, bool Enabled);

/// <summary>A delivery record of a webhook: one event on its way to the receiver.</summary>
/// <param name="Id">The record's id, used to replay it.</param>
/// <param name="EventId">The event's id, the <c>webhook-id</c> header of every attempt.</param>
/// <param name="EventType">The event's type.</param>
/// <param name="EmailId">The event's email, or null.</param>
/// <param name="State"><c>Pending</c>, <c>Delivered</c> or <c>DeadLetter</c>.</param>
/// <param name="Attempts">The attempts made so far.</param>
/// <param name="LastAttemptAt">When the last attempt started, or null before the first.</param>
/// <param name="LastStatusCode">The receiver's status code of the last attempt, or null when none arrived.</param>
/// <param name="LastError">Why the last attempt failed, or null after a success.</param>
public sealed record WebhookDelivery(
    long Id, string EventId, string EventType, long? EmailId, string State, int Attempts,
    DateTimeOffset? LastAttemptAt, int? LastStatusCode, string? LastError);

/// <summary>
/// The client of the tenant's webhook routes for the admin pages, with the signed-in administrator's token. Every
/// method raises <see cref="AgentApiException"/> with the server's problem details when the server rejects the
/// request, and <see cref="HttpRequestException"/> when it cannot be reached.
/// </summary>
public sealed class WebhookAdminApi(UserSessionClient sessions)
{
    /// <summary>The records per webhook that the deliveries table shows, newest first.</summary>
    public const int RecentDeliveries = 50;

    private sealed record ReplayResponse(int Replayed);

    private sealed record SecretResponse(string? Secret);

    public Task<List<WebhookSummary>> ListWebhooksAsync() => GetAsync<List<WebhookSummary>>("webhooks");

    public Task<List<WebhookDelivery>> ListDeadLettersAsync(string webhook) =>
        GetAsync<List<WebhookDelivery>>($"webhooks/{Escape(webhook)}/deliveries?state=DeadLetter");

    /// <summary>Lists the webhook's newest <see cref="RecentDeliveries"/> records in every state.</summary>
    public Task<List<WebhookDelivery>> ListDeliveriesAsync(string webhook) =>
        GetAsync<List<WebhookDelivery>>($"webhooks/{Escape(webhook)}/deliveries?limit={RecentDeliveries}");

    /// <summary>
    /// Creates or replaces a webhook with <c>PUT .../webhooks/{name}</c>. Returns the signing secret when the
    /// request set one (a new webhook, or a body with a secret), because the server shows it only in this response.
    /// </summary>
    public async Task<string?> PutWebhookAsync(string name, object body)
    {
        using var response = await SendAsync(HttpMethod.Put, $"webhooks/{Escape(name)}", body);
        return (await response.Content.ReadFromJsonAsync<SecretResponse>(AgentApi.Json))!.Secret;
    }

    /// <summary>Deletes the webhook with its delivery records.</summary>
    public async Task DeleteWebhookAsync(string name)
    {
        using var response = await SendAsync(HttpMethod.Delete, $"webhooks/{Escape(name)}", null);
    }

    /// <summary>
    /// Replaces the signing secret with a generated one and returns it. Only this response contains the new secret.
    /// </summary>
    public async Task<string> RotateSecretAsync(string name)
    {
        using var response = await SendAsync(HttpMethod.Post, $"webhooks/{Escape(name)}/rotate-secret", null);
        var rotated = await response.Content.ReadFromJsonAsync<SecretResponse>(AgentApi.Json);
        return rotated?.Secret ?? throw new AgentApiException(
            $"The server rotated the secret of webhook \"{name}\" but sent no secret back. Rotate it again.");
    }

    /// <summary>Makes one dead letter pending again, so it is sent with the same event id.</summary>
    public async Task ReplayAsync(string webhook, long deliveryId)
    {
        using var response = await SendAsync(
            HttpMethod.Post, $"webhooks/{Escape(webhook)}/deliveries/{deliveryId}/replay", null);
    }

    /// <summary>Makes every dead letter of the webhook pending again and returns their count.</summary>
    public async Task<int> ReplayDeadLettersAsync(string webhook)
    {
        using var response = await SendAsync(
            HttpMethod.Post, $"webhooks/{Escape(webhook)}/deliveries/replay-dead-letters", null);
        return (await response.Content.ReadFromJsonAsync<ReplayResponse>(AgentApi.Json))!.Replayed;
    }

    private async Task<T> GetAsync<T>(string relativePath)
    {
        using var response = await SendAsync(HttpMethod.Get, relativePath, null);
        return (await response.Content.ReadFromJsonAsync<T>(AgentApi.Json))!;
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string relativePath, object? body)
    {
        var session = sessions.Current ?? throw new InvalidOperationException("No administrator is signed in.");
        return sessions.SendAsync(method, $"{session.TenantPath}/{relativePath}", body, CancellationToken.None);
    }

    private static string Escape(string name) => Uri.EscapeDataString(name);
}

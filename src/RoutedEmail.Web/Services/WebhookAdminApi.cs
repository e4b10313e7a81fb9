using System.Net.Http.Json;

namespace RoutedEmail.Web.Services;

/// <summary>A webhook as <c>GET .../webhooks</c> lists it, without its secret.</summary>
/// <param name="Name">The webhook's name.</param>
/// <param name="Url">The receiver's URL.</param>
/// <param name="EventTypes">The event types delivered, or <c>*</c>.</param>
/// <param name="Enabled">Whether events are delivered.</param>
public sealed record WebhookSummary(string Name, string Url, IReadOnlyList<string> EventTypes, bool Enabled);

/// <summary>A dead-lettered delivery record of a webhook.</summary>
/// <param name="Id">The record's id, used to replay it.</param>
/// <param name="EventId">The event's id, the <c>webhook-id</c> header of every attempt.</param>
/// <param name="EventType">The event's type.</param>
/// <param name="EmailId">The event's email, or null.</param>
/// <param name="Attempts">The failed attempts.</param>
/// <param name="LastAttemptAt">When the last attempt started.</param>
/// <param name="LastStatusCode">The receiver's status code of the last attempt, or null when none arrived.</param>
/// <param name="LastError">Why the last attempt failed.</param>
public sealed record WebhookDeadLetter(
    long Id, string EventId, string EventType, long? EmailId, int Attempts, DateTimeOffset? LastAttemptAt,
    int? LastStatusCode, string? LastError);

/// <summary>
/// The client of the tenant's webhook routes for the admin pages, with the signed-in administrator's token. Every
/// method raises <see cref="AgentApiException"/> with the server's problem details when the server rejects the
/// request.
/// </summary>
public sealed class WebhookAdminApi(UserSessionClient sessions)
{
    private sealed record ReplayResponse(int Replayed);

    public Task<List<WebhookSummary>> ListWebhooksAsync() => GetAsync<List<WebhookSummary>>("webhooks");

    public Task<List<WebhookDeadLetter>> ListDeadLettersAsync(string webhook) =>
        GetAsync<List<WebhookDeadLetter>>($"webhooks/{Escape(webhook)}/deliveries?state=DeadLetter");

    /// <summary>Makes one dead letter pending again, so it is sent with the same event id.</summary>
    public async Task ReplayAsync(string webhook, long deliveryId)
    {
        using var response = await SendAsync(
            HttpMethod.Post, $"webhooks/{Escape(webhook)}/deliveries/{deliveryId}/replay");
    }

    /// <summary>Makes every dead letter of the webhook pending again and returns their count.</summary>
    public async Task<int> ReplayDeadLettersAsync(string webhook)
    {
        using var response = await SendAsync(
            HttpMethod.Post, $"webhooks/{Escape(webhook)}/deliveries/replay-dead-letters");
        return (await response.Content.ReadFromJsonAsync<ReplayResponse>(AgentApi.Json))!.Replayed;
    }

    private async Task<T> GetAsync<T>(string relativePath)
    {
        using var response = await SendAsync(HttpMethod.Get, relativePath);
        return (await response.Content.ReadFromJsonAsync<T>(AgentApi.Json))!;
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string relativePath)
    {
        var session = sessions.Current ?? throw new InvalidOperationException("No administrator is signed in.");
        return sessions.SendAsync(method, $"{session.TenantPath}/{relativePath}", null, CancellationToken.None);
    }

    private static string Escape(string name) => Uri.EscapeDataString(name);
}

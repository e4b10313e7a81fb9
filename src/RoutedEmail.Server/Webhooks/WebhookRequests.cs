using System.Text.Json.Serialization;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Webhooks;

/// <summary>The body of <c>PUT .../webhooks/{name}</c>.</summary>
/// <param name="Url">The absolute http or https URL that receives the deliveries. Required.</param>
/// <param name="EventTypes">The event types to deliver, or <c>["*"]</c> for all. Required.</param>
/// <param name="Enabled">Whether events are delivered. Default: true.</param>
/// <param name="Secret">
/// The signing secret, <c>whsec_</c> and the base64 of 24 to 64 random bytes. Default: a new webhook gets a
/// generated one, and a replaced one keeps its secret.
/// </param>
public sealed record WebhookRequest(string? Url, IReadOnlyList<string?>? EventTypes, bool? Enabled, string? Secret);

/// <summary>A webhook as the admin API returns it.</summary>
/// <param name="Name">The webhook's name.</param>
/// <param name="Url">The receiver's URL.</param>
/// <param name="EventTypes">The event types delivered, or <c>["*"]</c>.</param>
/// <param name="Enabled">Whether events are delivered.</param>
/// <param name="CreatedAt">When the webhook was created.</param>
/// <param name="UpdatedAt">When it was last replaced or its secret changed.</param>
/// <param name="Secret">The signing secret: only in the response to the request that set it.</param>
public sealed record WebhookResponse(
    string Name, string Url, IReadOnlyList<string> EventTypes, bool Enabled, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Secret)
{
    internal static WebhookResponse From(StoredWebhook stored, string? secret = null) => new(
        stored.Definition.Name, stored.Definition.Url, stored.Definition.EventTypes, stored.Definition.Enabled,
        stored.CreatedAt, stored.UpdatedAt, secret);
}

/// <summary>The response to a secret rotation.</summary>
/// <param name="Name">The webhook's name.</param>
/// <param name="Secret">The new signing secret, shown only here.</param>
public sealed record WebhookSecretResponse(string Name, string Secret);

/// <summary>The response to a replay.</summary>
/// <param name="Replayed">How many delivery records are pending again.</param>
public sealed record WebhookReplayResponse(int Replayed);

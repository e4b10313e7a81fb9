namespace RoutedEmail.Storage.Abstractions;

/// <summary>A tenant's webhooks, as administrators manage them.</summary>
public interface IWebhookStore
{
    /// <summary>
    /// Creates or replaces a webhook. A new webhook starts after <paramref name="startAfterSequence"/>; a replaced
    /// one keeps its position in the event log and, when <paramref name="secret"/> is null, its secret. Appends
    /// <c>ResourceCreated</c> or <c>ResourceChanged</c> of kind <c>Webhook</c> that names <paramref name="actor"/>,
    /// without the URL or the secret, in the same transaction.
    /// </summary>
    /// <returns>True when the webhook was created, false when it replaced an existing one.</returns>
    /// <exception cref="ArgumentException">A new webhook has no <paramref name="secret"/>.</exception>
    Task<bool> PutWebhookAsync(
        long tenantId, WebhookDefinition definition, string? secret, long startAfterSequence, string actor,
        CancellationToken cancellationToken);

    /// <summary>Finds a webhook by name.</summary>
    Task<StoredWebhook?> GetWebhookAsync(long tenantId, string name, CancellationToken cancellationToken);

    /// <summary>Lists the tenant's webhooks by name.</summary>
    Task<IReadOnlyList<StoredWebhook>> ListWebhooksAsync(long tenantId, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a webhook with its delivery records and appends <c>ResourceDeleted</c> of kind <c>Webhook</c> that
    /// names <paramref name="actor"/>.
    /// </summary>
    /// <returns>False when the tenant has no webhook of that name. Then nothing is appended.</returns>
    Task<bool> DeleteWebhookAsync(long tenantId, string name, string actor, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces a webhook's signing secret and appends <c>ResourceChanged</c> of kind <c>Webhook</c> with action
    /// <c>RotateSecret</c> that names <paramref name="actor"/> and not the secret.
    /// </summary>
    /// <returns>False when the tenant has no webhook of that name. Then nothing is appended.</returns>
    Task<bool> SetSecretAsync(
        long tenantId, string name, string secret, string actor, CancellationToken cancellationToken);

    /// <summary>Reads the secret of a webhook, for signing; null when the webhook does not exist.</summary>
    Task<string?> GetSecretAsync(long webhookId, CancellationToken cancellationToken);
}

/// <summary>What an administrator sets on a webhook.</summary>
/// <param name="Name">The webhook's name within the tenant.</param>
/// <param name="Url">The absolute http or https URL that receives the deliveries.</param>
/// <param name="EventTypes">The event types delivered, or a single <c>*</c> for every type.</param>
/// <param name="Enabled">Whether events are delivered; a disabled webhook resumes where it stopped.</param>
public sealed record WebhookDefinition(string Name, string Url, IReadOnlyList<string> EventTypes, bool Enabled);

/// <summary>A stored webhook without its secret.</summary>
/// <param name="Id">The webhook's database id.</param>
/// <param name="Definition">What the administrator set.</param>
/// <param name="EventCursor">The sequence number up to which events have been turned into deliveries.</param>
/// <param name="CreatedAt">When the webhook was created.</param>
/// <param name="UpdatedAt">When it was last replaced or its secret changed.</param>
public sealed record StoredWebhook(
    long Id, WebhookDefinition Definition, long EventCursor, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

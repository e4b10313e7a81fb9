namespace RoutedEmail.Storage.Abstractions;

/// <summary>
/// Reads a tenant's events in order for webhook deliveries. Sequence numbers grow in the order a reader must see
/// the events, so a webhook stores the last number it turned into deliveries and reads after it.
/// </summary>
public interface IWebhookEventSource
{
    /// <summary>Returns the highest sequence number of the tenant's events, or 0 when it has none.</summary>
    Task<long> GetLastSequenceAsync(long tenantId, CancellationToken cancellationToken);

    /// <summary>
    /// Returns at most <paramref name="limit"/> of the tenant's events with sequence numbers above
    /// <paramref name="afterSequence"/>, in sequence order.
    /// </summary>
    Task<IReadOnlyList<WebhookEvent>> ReadAfterAsync(
        long tenantId, long afterSequence, int limit, CancellationToken cancellationToken);

    /// <summary>Finds one event of the tenant by its sequence number; null when it no longer exists.</summary>
    Task<WebhookEvent?> FindAsync(long tenantId, long sequence, CancellationToken cancellationToken);
}

/// <summary>One stored event as webhook deliveries read it.</summary>
/// <param name="Sequence">The event's sequence number within the tenant.</param>
/// <param name="PublicId">
/// The event's id in payloads and in the <c>webhook-id</c> header, the same on every read.
/// </param>
/// <param name="Time">When the event happened.</param>
/// <param name="Type">The event type, one of <c>EventTypes</c>.</param>
/// <param name="EmailId">The email's id, for email events.</param>
/// <param name="EntityId">The integrator's entity id of the email, for email events.</param>
/// <param name="Queue">The skill queue of the email, for email events.</param>
/// <param name="AgentId">The agent, or the user for user events.</param>
/// <param name="OfferId">The offer, for offer events.</param>
/// <param name="Detail">The type-specific detail as stored.</param>
public sealed record WebhookEvent(
    long Sequence, string PublicId, DateTimeOffset Time, string Type, long? EmailId, string? EntityId,
    string? Queue, string? AgentId, long? OfferId, string? Detail);

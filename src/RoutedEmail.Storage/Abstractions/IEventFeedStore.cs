namespace RoutedEmail.Storage.Abstractions;

/// <summary>
/// Reads a tenant's event log in sequence order, for the event feed and webhook deliveries. Sequence numbers are
/// per tenant, gap-free, start at 1 and follow commit order, so a reader that has seen number N and reads after
/// N never misses an event that commits later.
/// </summary>
public interface IEventFeedStore
{
    /// <summary>
    /// Returns the highest sequence number of the first <paramref name="limit"/> events after
    /// <paramref name="afterSequence"/>, or null when the tenant has no event after it.
    /// </summary>
    Task<long?> FindLastSequenceAsync(
        long tenantId, long afterSequence, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Streams the tenant's events with sequence numbers above <paramref name="afterSequence"/> and at most
    /// <paramref name="throughSequence"/>, in sequence order, reading rows from the database as they are consumed.
    /// </summary>
    IAsyncEnumerable<FeedEvent> ReadAsync(
        long tenantId, long afterSequence, long throughSequence, CancellationToken cancellationToken);
}

/// <summary>One stored event as the feed reads it.</summary>
/// <param name="Sequence">The tenant's sequence number of the event, from 1.</param>
/// <param name="PublicId">The event's random id, <c>evt_</c> and 32 hex digits, the same on every read.</param>
/// <param name="Time">When the event happened.</param>
/// <param name="Type">The event type, one of <c>EventTypes</c>.</param>
/// <param name="EmailId">The email's id, for email events.</param>
/// <param name="EntityId">The integrator's entity id of the email, for email events.</param>
/// <param name="Queue">
/// The skill queue the email was in when the event was logged, or its current queue for events logged before the
/// log recorded it.
/// </param>
/// <param name="AgentId">The agent, or the user for user events.</param>
/// <param name="OfferId">The offer, for offer events.</param>
/// <param name="Detail">The type-specific detail as stored; see <c>EventTypes</c>.</param>
public sealed record FeedEvent(
    long Sequence, string PublicId, DateTimeOffset Time, string Type, long? EmailId, string? EntityId,
    string? Queue, string? AgentId, long? OfferId, string? Detail);

namespace RoutedEmail.Storage.Abstractions;

/// <summary>
/// The delivery records of webhooks: one per webhook and event, with its state and attempts. A node claims a
/// record with a lease before it sends, so two nodes on one database never send the same attempt at once.
/// </summary>
public interface IWebhookDeliveryStore
{
    /// <summary>Lists the enabled webhooks of every tenant, with their position in the event log.</summary>
    Task<IReadOnlyList<WebhookCursor>> ListEnabledWebhooksAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Adds delivery records and moves the webhook's cursor from <paramref name="expectedCursor"/> to
    /// <paramref name="newCursor"/> in one transaction. Does nothing when another node moved the cursor first.
    /// </summary>
    /// <returns>False when the cursor was no longer at <paramref name="expectedCursor"/>.</returns>
    Task<bool> AppendDeliveriesAsync(
        long webhookId, long expectedCursor, long newCursor, IReadOnlyList<NewWebhookDelivery> deliveries,
        DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Claims at most <paramref name="limit"/> pending records that are due, whose lease ended, and that are the
    /// oldest pending record of their email for their webhook, so that an email's events go out in order.
    /// </summary>
    Task<IReadOnlyList<ClaimedWebhookDelivery>> ClaimDueAsync(
        DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Returns the earliest time at which a pending record becomes claimable, or null when there is none. The
    /// time may be in the past.
    /// </summary>
    Task<DateTimeOffset?> FindNextDueAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stores the outcome of an attempt and ends the lease, unless the lease changed hands meanwhile.
    /// </summary>
    Task CompleteAsync(
        ClaimedWebhookDelivery claimed, WebhookAttemptOutcome outcome, CancellationToken cancellationToken);

    /// <summary>Ends a lease without counting an attempt, for a send cut short by a shutdown.</summary>
    Task ReleaseAsync(ClaimedWebhookDelivery claimed, CancellationToken cancellationToken);

    /// <summary>
    /// Lists a webhook's delivery records, newest first, optionally of one state and below an id for paging.
    /// Returns null when the tenant has no webhook of that name.
    /// </summary>
    Task<IReadOnlyList<WebhookDelivery>?> ListDeliveriesAsync(
        long tenantId, string webhookName, WebhookDeliveryState? state, long? beforeId, int limit,
        CancellationToken cancellationToken);

    /// <summary>
    /// Makes a dead-lettered or delivered record pending again with no attempts, due now, and appends
    /// <c>ResourceChanged</c> of kind <c>Webhook</c> with action <c>ReplayDelivery</c> and the record's id that
    /// names <paramref name="actor"/>, in the same transaction.
    /// </summary>
    Task<WebhookReplayResult> ReplayAsync(
        long tenantId, string webhookName, long deliveryId, DateTimeOffset now, string actor,
        CancellationToken cancellationToken);

    /// <summary>
    /// Makes every dead-lettered record of a webhook pending again, due now. When it replayed at least one, it
    /// appends <c>ResourceChanged</c> of kind <c>Webhook</c> with action <c>ReplayDeadLetters</c> and the count
    /// that names <paramref name="actor"/>, in the same transaction. Returns the count, or null when the tenant has
    /// no webhook of that name.
    /// </summary>
    Task<int?> ReplayDeadLettersAsync(
        long tenantId, string webhookName, DateTimeOffset now, string actor, CancellationToken cancellationToken);
}

/// <summary>The state of a delivery record.</summary>
public enum WebhookDeliveryState
{
    /// <summary>Waiting for its first attempt or a retry.</summary>
    Pending,

    /// <summary>The receiver responded to an attempt with a 2xx status.</summary>
    Delivered,

    /// <summary>Every allowed attempt failed; only a replay sends it again.</summary>
    DeadLetter,
}

/// <summary>An enabled webhook and its position in its tenant's event log.</summary>
/// <param name="WebhookId">The webhook's database id.</param>
/// <param name="TenantId">The tenant.</param>
/// <param name="EventTypes">The event types delivered, or a single <c>*</c>.</param>
/// <param name="EventCursor">The sequence number up to which events have been turned into deliveries.</param>
public sealed record WebhookCursor(long WebhookId, long TenantId, IReadOnlyList<string> EventTypes, long EventCursor);

/// <summary>A delivery record to add.</summary>
/// <param name="EventSequence">The event's sequence number.</param>
/// <param name="EventId">The event's public id.</param>
/// <param name="EventType">The event's type.</param>
/// <param name="EmailId">The event's email, which orders the deliveries, or null.</param>
public sealed record NewWebhookDelivery(long EventSequence, string EventId, string EventType, long? EmailId);

/// <summary>A pending delivery record that this node holds the lease of.</summary>
/// <param name="DeliveryId">The record's id.</param>
/// <param name="WebhookId">The webhook.</param>
/// <param name="TenantId">The webhook's tenant.</param>
/// <param name="Url">The URL to send to.</param>
/// <param name="EventSequence">The event's sequence number.</param>
/// <param name="EventId">The event's public id.</param>
/// <param name="Attempts">The attempts made before this one.</param>
/// <param name="LeaseToken">The random token of the claim, which the outcome must present.</param>
public sealed record ClaimedWebhookDelivery(
    long DeliveryId, long WebhookId, long TenantId, string Url, long EventSequence, string EventId, int Attempts,
    string LeaseToken);

/// <summary>The result of one attempt, to store.</summary>
/// <param name="State">The record's new state.</param>
/// <param name="Attempts">The attempts made, this one included.</param>
/// <param name="AttemptedAt">When the attempt started.</param>
/// <param name="NextAttemptAt">When to retry, for a pending record.</param>
/// <param name="StatusCode">The receiver's HTTP status code, or null when no response arrived.</param>
/// <param name="Error">Why the attempt failed, or null when it succeeded.</param>
public sealed record WebhookAttemptOutcome(
    WebhookDeliveryState State, int Attempts, DateTimeOffset AttemptedAt, DateTimeOffset NextAttemptAt,
    int? StatusCode, string? Error);

/// <summary>A delivery record as the admin API shows it.</summary>
/// <param name="Id">The record's id, used to replay it.</param>
/// <param name="EventId">The event's public id, also the <c>webhook-id</c> header of every attempt.</param>
/// <param name="EventSequence">The event's sequence number.</param>
/// <param name="EventType">The event's type.</param>
/// <param name="EmailId">The event's email, or null.</param>
/// <param name="State">The record's state.</param>
/// <param name="Attempts">The attempts made since the record was created or last replayed.</param>
/// <param name="NextAttemptAt">When the next attempt is due, for a pending record.</param>
/// <param name="LastAttemptAt">When the last attempt started, or null before the first.</param>
/// <param name="LastStatusCode">The receiver's status code of the last attempt, or null.</param>
/// <param name="LastError">Why the last attempt failed, or null.</param>
/// <param name="CreatedAt">When the record was created.</param>
public sealed record WebhookDelivery(
    long Id, string EventId, long EventSequence, string EventType, long? EmailId, WebhookDeliveryState State,
    int Attempts, DateTimeOffset? NextAttemptAt, DateTimeOffset? LastAttemptAt, int? LastStatusCode,
    string? LastError, DateTimeOffset CreatedAt);

/// <summary>The result of a replay request.</summary>
public enum WebhookReplayResult
{
    /// <summary>The record is pending again.</summary>
    Replayed,

    /// <summary>The tenant has no such webhook, or the webhook no such record.</summary>
    NotFound,

    /// <summary>The record is still pending, so there is nothing to replay.</summary>
    StillPending,
}

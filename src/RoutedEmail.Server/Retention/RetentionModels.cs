namespace RoutedEmail.Server.Retention;

/// <summary>A tenant's retention settings in a PUT; a missing field keeps its value.</summary>
/// <param name="EmailRetentionDays">
/// Days that a closed routed email and its offers are kept after it closed, 1 to 36500 and at least the ingest
/// idempotency window. Default: 90.
/// </param>
/// <param name="EventRetentionDays">
/// Days that events are kept, 1 to 36500; the report figures of older events are kept as totals. Default: 400.
/// </param>
/// <param name="DeliveryRecordRetentionDays">
/// Days that webhook delivery records are kept, 1 to 36500, once webhooks exist. Default: 30.
/// </param>
public sealed record RetentionRequest(
    int? EmailRetentionDays, int? EventRetentionDays, int? DeliveryRecordRetentionDays);

/// <summary>A tenant's retention settings.</summary>
/// <param name="EmailRetentionDays">Days that a closed routed email and its offers are kept after it closed.</param>
/// <param name="EventRetentionDays">Days that events are kept.</param>
/// <param name="DeliveryRecordRetentionDays">Days that webhook delivery records are kept, once webhooks exist.</param>
/// <param name="ReportTotalsUntil">
/// The end of the stored report totals: the reports take figures before it from the totals. Null before the first
/// expiry run.
/// </param>
public sealed record RetentionResponse(
    int EmailRetentionDays, int EventRetentionDays, int DeliveryRecordRetentionDays,
    DateTimeOffset? ReportTotalsUntil);

/// <summary>What an erasure of one entity id's personal data changed.</summary>
/// <param name="EntityId">The entity id.</param>
/// <param name="Emails">The tenant's routed emails with the entity id, every generation, open or closed.</param>
/// <param name="ErasedEmails">Those whose data this request overwrote; 0 when a previous request erased them.</param>
/// <param name="ErasedFields">The values this request overwrote.</param>
public sealed record ErasureResponse(string EntityId, int Emails, int ErasedEmails, int ErasedFields);

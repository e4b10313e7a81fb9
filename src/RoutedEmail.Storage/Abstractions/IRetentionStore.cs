namespace RoutedEmail.Storage.Abstractions;

/// <summary>How long a tenant's data is kept, in days.</summary>
/// <param name="EmailRetentionDays">Days that a closed routed email and its offers are kept after it closed.</param>
/// <param name="EventRetentionDays">Days that events are kept.</param>
/// <param name="DeliveryRecordRetentionDays">Days that webhook delivery records are kept, once webhooks exist.</param>
public sealed record RetentionSettings(int EmailRetentionDays, int EventRetentionDays, int DeliveryRecordRetentionDays)
{
    /// <summary>
    /// The defaults: closed emails 90 days, events 400 days (so a year of reports can be rebuilt from the events),
    /// delivery records 30 days.
    /// </summary>
    public static RetentionSettings Default { get; } = new(90, 400, 30);

    /// <summary>The minimum number of days each setting accepts: 1.</summary>
    public const int MinDays = 1;

    /// <summary>The maximum number of days each setting accepts: 36500, about 100 years.</summary>
    public const int MaxDays = 36500;
}

/// <summary>What one expiry run of a tenant did.</summary>
/// <param name="ReportTotalsUntil">The end of the stored report totals after the run, or null when there are none.</param>
/// <param name="EventsDeleted">Events deleted.</param>
/// <param name="EmailsDeleted">Closed routed emails deleted.</param>
/// <param name="OffersDeleted">Offers of those emails deleted.</param>
/// <param name="DeliveryRecordsDeleted">Webhook delivery records deleted; 0 until webhooks exist.</param>
public sealed record ExpiryResult(
    DateTimeOffset? ReportTotalsUntil, int EventsDeleted, int EmailsDeleted, int OffersDeleted,
    int DeliveryRecordsDeleted);

/// <summary>What an erasure of one entity id's personal data changed.</summary>
/// <param name="Emails">The routed emails with the entity id, every generation, open or closed.</param>
/// <param name="ErasedEmails">Those of them whose data this call overwrote; 0 when all were erased before.</param>
/// <param name="ErasedFields">
/// The values this call overwrote: addresses, subject, each attribute value, the screen-pop URL and the agent's notes.
/// </param>
/// <param name="AgentIds">The agents offered or working on an erased email, whose desktops should read it again.</param>
public sealed record ErasureResult(int Emails, int ErasedEmails, int ErasedFields, IReadOnlyList<string> AgentIds);

/// <summary>Retention settings, expiry of old data with its report totals, and erasure of personal data.</summary>
public interface IRetentionStore
{
    /// <summary>The text that erasure writes in place of an address, a subject and an attribute value.</summary>
    public const string ErasedText = "[erased]";

    /// <summary>Reads a tenant's retention settings, or returns null when the tenant does not exist.</summary>
    Task<RetentionSettings?> GetSettingsAsync(long tenantId, CancellationToken cancellationToken);

    /// <summary>Stores a tenant's retention settings, which the caller validated, without an event.</summary>
    Task SaveSettingsAsync(long tenantId, RetentionSettings settings, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a tenant's retention settings, which the caller validated, and appends <c>ResourceChanged</c> of kind
    /// <c>Retention</c> that names <paramref name="actor"/> in the same transaction. A null actor appends nothing.
    /// </summary>
    Task SaveSettingsAsync(
        long tenantId, RetentionSettings settings, string? actor, CancellationToken cancellationToken);

    /// <summary>
    /// Stores the report totals of the events that passed the tenant's event retention, then deletes those events,
    /// closed emails past the email retention with their offers, and expired delivery records. Open emails and
    /// their events, the events of emails with an event after the retention horizon, and each agent's last status
    /// change before it are kept. Each step commits in batches of at most <paramref name="batchSize"/> rows, or one
    /// day of report totals, so no transaction keeps the SQLite writer long. Several nodes may run it at once: the
    /// totals of a stretch are stored once, and the deletes are idempotent.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="now">The current time; the horizons are this minus each retention.</param>
    /// <param name="batchSize">The maximum number of rows one delete transaction removes.</param>
    /// <param name="cancellationToken">Stops the run between batches.</param>
    Task<ExpiryResult> ExpireAsync(
        long tenantId, DateTimeOffset now, int batchSize, CancellationToken cancellationToken);

    /// <summary>
    /// Overwrites the personal data of every routed email of the tenant with <paramref name="entityId"/>: the
    /// addresses, subject and attribute values with <see cref="ErasedText"/>; the screen-pop URL and the agent's
    /// notes with nothing. Appends an <c>Erased</c> event, without the data, to each email it changed. An email that
    /// was erased before is left as it is, so a repeated call changes nothing.
    /// </summary>
    /// <returns>The counts, or null when the tenant has no email with the entity id.</returns>
    Task<ErasureResult?> EraseAsync(
        long tenantId, string entityId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Erases as the other overload does; each <c>Erased</c> event also names <paramref name="actor"/> as
    /// <c>by</c> when it is set.
    /// </summary>
    /// <returns>The counts, or null when the tenant has no email with the entity id.</returns>
    Task<ErasureResult?> EraseAsync(
        long tenantId, string entityId, DateTimeOffset now, string? actor, CancellationToken cancellationToken);
}

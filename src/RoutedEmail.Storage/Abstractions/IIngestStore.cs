using RoutedEmail.Core.Emails;

namespace RoutedEmail.Storage.Abstractions;

/// <summary>Durable queueing of ingested email.</summary>
public interface IIngestStore
{
    /// <summary>
    /// Queues a batch atomically and returns once it is committed to disk. An email whose entity id is open, or was
    /// closed after <paramref name="retainedSince"/>, is a retry and is skipped; so is a repeat inside the batch.
    /// Concurrent calls may share one transaction (group commit), but each batch is all or nothing.
    /// </summary>
    /// <returns>The number of new emails queued.</returns>
    Task<int> AppendAsync(
        long tenantId, IReadOnlyList<NewRoutedEmail> emails, DateTimeOffset retainedSince,
        CancellationToken cancellationToken);

    /// <summary>
    /// Finds which of the entity ids a re-send would treat as retries: their newest email is open, or was closed
    /// after <paramref name="retainedSince"/>.
    /// </summary>
    Task<IReadOnlySet<string>> FindRetriesAsync(
        long tenantId, IReadOnlyCollection<string> entityIds, DateTimeOffset retainedSince,
        CancellationToken cancellationToken);
}

/// <summary>An email to queue, with the routing its configuration chose.</summary>
/// <param name="EntityId">The client's identifier.</param>
/// <param name="OwnerId">The owner id of the request.</param>
/// <param name="SkillQueue">The queue from the owner's configuration.</param>
/// <param name="Priority">The priority from the owner's configuration.</param>
/// <param name="FromAddress">The original sender.</param>
/// <param name="ToAddress">The original recipient.</param>
/// <param name="Subject">The subject line.</param>
/// <param name="Attributes">The request's attributes.</param>
/// <param name="ScreenPopUrl">The screen-pop URL rendered from the configuration's template, or null.</param>
public sealed record NewRoutedEmail(
    string EntityId,
    string OwnerId,
    string SkillQueue,
    int Priority,
    string FromAddress,
    string ToAddress,
    string Subject,
    IReadOnlyList<EmailAttribute> Attributes,
    string? ScreenPopUrl);

namespace RoutedEmail.Storage.Abstractions;

/// <summary>
/// The API key life cycle of tenants: publishing settings, the pending key, the rotation schedule and the lease that
/// lets one node at a time rotate or publish a tenant's key.
/// </summary>
public interface ITenantKeyStore
{
    /// <summary>Finds the key state of a tenant, or null when the tenant does not exist.</summary>
    Task<TenantKeyState?> FindKeyStateAsync(long tenantId, CancellationToken cancellationToken);

    /// <summary>Lists the key state of every tenant, keyed by tenant id.</summary>
    Task<IReadOnlyDictionary<long, TenantKeyState>> ListKeyStatesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stores the publishing settings and the rotation schedule. When publishing is off, the pending key, the retry
    /// and the next rotation are cleared.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="settings">Where and whether the key is published, and the rotation period.</param>
    /// <param name="nextRotationAt">The next scheduled rotation, or null for none.</param>
    /// <param name="publishAt">When the background service publishes a new key, or null to keep the stored
    /// retry time.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task SaveSettingsAsync(
        long tenantId, KeyPublishingSettings settings, DateTimeOffset? nextRotationAt, DateTimeOffset? publishAt,
        CancellationToken cancellationToken);

    /// <summary>
    /// Takes the tenant's key lease until <paramref name="claimedUntil"/> when no other lease is running. With
    /// <paramref name="onlyWhenDue"/>, only a tenant that publishes and whose rotation or retry is due is claimed.
    /// For a tenant that publishes, the retry time becomes the lease's end, so that the work is picked up again
    /// if the caller stops before recording a result.
    /// </summary>
    /// <returns>Whether this caller now holds the lease.</returns>
    Task<bool> TryClaimAsync(
        long tenantId, DateTimeOffset now, DateTimeOffset claimedUntil, bool onlyWhenDue,
        CancellationToken cancellationToken);

    /// <summary>Ends the tenant's key lease.</summary>
    Task ReleaseClaimAsync(long tenantId, CancellationToken cancellationToken);

    /// <summary>
    /// Lists the publishing tenants whose rotation or retry is due at <paramref name="now"/> and whose lease is
    /// free, and the earliest time at which another one becomes due or its lease ends.
    /// </summary>
    Task<DueKeyWork> FindDueWorkAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Stores the hash of a new pending key, which is accepted from now on.</summary>
    Task SetPendingKeyAsync(long tenantId, byte[] pendingKeyHash, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the pending key current, if it is still <paramref name="pendingKeyHash"/>. The current key becomes the
    /// previous key until <paramref name="previousKeyExpiresAt"/>, and the publishing state records a success.
    /// </summary>
    /// <returns>Whether the pending key was promoted.</returns>
    Task<bool> PromotePendingKeyAsync(
        long tenantId, byte[] pendingKeyHash, DateTimeOffset previousKeyExpiresAt, DateTimeOffset publishedAt,
        DateTimeOffset? nextRotationAt, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the pending key current as the other overload does and, when it did and <paramref name="actor"/> is
    /// set, appends <c>ResourceChanged</c> of kind <c>ApiKey</c> with action <c>Rotate</c> in the same transaction.
    /// </summary>
    /// <returns>Whether the pending key was promoted.</returns>
    Task<bool> PromotePendingKeyAsync(
        long tenantId, byte[] pendingKeyHash, DateTimeOffset previousKeyExpiresAt, DateTimeOffset publishedAt,
        DateTimeOffset? nextRotationAt, string? actor, CancellationToken cancellationToken);

    /// <summary>Records that the current key was published, with no key change.</summary>
    Task RecordPublishedAsync(
        long tenantId, DateTimeOffset publishedAt, DateTimeOffset? nextRotationAt,
        CancellationToken cancellationToken);

    /// <summary>
    /// Records a failed write: the reason, one more failure in a row and the time of the next attempt.
    /// </summary>
    Task RecordPublishFailureAsync(
        long tenantId, string reason, DateTimeOffset retryAt, CancellationToken cancellationToken);
}

/// <summary>Where and whether a tenant's API key is published, and how often it is rotated.</summary>
/// <param name="Enabled">Whether the key is written to AWS Secrets Manager.</param>
/// <param name="SecretName">The secret's name in the tenant's secrets region.</param>
/// <param name="RoleArn">The role that the service assumes to write the secret, or null for its own
/// credentials.</param>
/// <param name="ExternalId">The external id of the role's trust policy, or null.</param>
/// <param name="KeyRotationDays">Days between scheduled rotations, or null for no schedule.</param>
public sealed record KeyPublishingSettings(
    bool Enabled, string SecretName, string? RoleArn, string? ExternalId, int? KeyRotationDays);

/// <summary>A tenant's key hashes, publishing settings and publishing state.</summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="Settings">The publishing settings.</param>
/// <param name="ApiKeyHash">The SHA-256 hash of the current key.</param>
/// <param name="PendingApiKeyHash">The hash of a key waiting for its write to Secrets Manager, or null.</param>
/// <param name="NextRotationAt">The next scheduled rotation, or null.</param>
/// <param name="PublishRetryAt">When a failed write is retried, or null.</param>
/// <param name="PublishFailures">Failed writes in a row since the last success.</param>
/// <param name="LastPublishError">The message of the last failed write, or null after a success.</param>
/// <param name="LastPublishedAt">The time of the last successful write, or null.</param>
/// <param name="PreviousKeyExpiresAt">When the previous key stops being accepted, or null.</param>
public sealed record TenantKeyState(
    long TenantId, KeyPublishingSettings Settings, byte[] ApiKeyHash, byte[]? PendingApiKeyHash,
    DateTimeOffset? NextRotationAt, DateTimeOffset? PublishRetryAt, int PublishFailures, string? LastPublishError,
    DateTimeOffset? LastPublishedAt, DateTimeOffset? PreviousKeyExpiresAt);

/// <summary>Tenants whose key work is due, and when the next one becomes due.</summary>
/// <param name="DueTenantIds">The tenants due now with a free lease.</param>
/// <param name="NextDueAt">The earliest later due time or lease end, or null when nothing is scheduled.</param>
public sealed record DueKeyWork(IReadOnlyList<long> DueTenantIds, DateTimeOffset? NextDueAt);

using RoutedEmail.Core.Tenants;

namespace RoutedEmail.Storage.Abstractions;

/// <summary>Tenants and their API key hashes.</summary>
public interface ITenantStore
{
    /// <summary>
    /// Creates a tenant with the hash of its first API key and its normalised allowed origins (see
    /// <see cref="Tenant.AllowedOrigins"/>).
    /// </summary>
    /// <returns>The new tenant, or null when the company code and environment already exist.</returns>
    Task<Tenant?> CreateTenantAsync(
        string companyCode, string environment, string secretsRegion, string timeZone,
        IReadOnlyList<string> allowedOrigins, byte[] apiKeyHash, CancellationToken cancellationToken);

    /// <summary>
    /// Creates a tenant as the other overload does and, in the same transaction, appends <c>ResourceCreated</c> of
    /// kind <c>Tenant</c> that names <paramref name="actor"/> to the new tenant's event log. A null actor appends
    /// nothing.
    /// </summary>
    Task<Tenant?> CreateTenantAsync(
        string companyCode, string environment, string secretsRegion, string timeZone,
        IReadOnlyList<string> allowedOrigins, byte[] apiKeyHash, string? actor, CancellationToken cancellationToken);

    /// <summary>Finds a tenant, comparing company code and environment without regard to ASCII case.</summary>
    Task<Tenant?> FindTenantAsync(string companyCode, string environment, CancellationToken cancellationToken);

    /// <summary>Lists every tenant, ordered by company code and environment.</summary>
    Task<IReadOnlyList<Tenant>> ListTenantsAsync(CancellationToken cancellationToken);

    /// <summary>Changes a tenant's settings. The allowed origins replace the stored list.</summary>
    /// <returns>The updated tenant, or null when it does not exist.</returns>
    Task<Tenant?> UpdateTenantAsync(
        long tenantId, string secretsRegion, string timeZone, IReadOnlyList<string> allowedOrigins,
        CancellationToken cancellationToken);

    /// <summary>
    /// Changes a tenant's settings as the other overload does and, in the same transaction, appends
    /// <c>ResourceChanged</c> of kind <c>Tenant</c> that names <paramref name="actor"/>. A null actor appends
    /// nothing.
    /// </summary>
    Task<Tenant?> UpdateTenantAsync(
        long tenantId, string secretsRegion, string timeZone, IReadOnlyList<string> allowedOrigins, string? actor,
        CancellationToken cancellationToken);

    /// <summary>Finds a tenant with the hashes of the API keys that are valid for it.</summary>
    Task<TenantCredentials?> FindCredentialsAsync(
        string companyCode, string environment, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the tenant's API key hash. The old key stays valid until <paramref name="previousKeyExpiresAt"/>.
    /// </summary>
    Task ReplaceApiKeyAsync(
        long tenantId, byte[] apiKeyHash, DateTimeOffset previousKeyExpiresAt, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the API key hash as the other overload does and, in the same transaction, appends
    /// <c>ResourceChanged</c> of kind <c>ApiKey</c> with action <c>Rotate</c> that names <paramref name="actor"/>
    /// and contains neither key nor hash. A null actor appends nothing.
    /// </summary>
    Task ReplaceApiKeyAsync(
        long tenantId, byte[] apiKeyHash, DateTimeOffset previousKeyExpiresAt, string? actor,
        CancellationToken cancellationToken);
}

/// <summary>A tenant and the hashes of its valid API keys.</summary>
/// <param name="Tenant">The tenant.</param>
/// <param name="ApiKeyHash">The SHA-256 hash of the current key.</param>
/// <param name="PreviousApiKeyHash">The hash of the key replaced by the last rotation, or null.</param>
/// <param name="PreviousApiKeyExpiresAt">When the previous key stops being accepted, or null.</param>
/// <param name="PendingApiKeyHash">
/// The hash of a new key that is accepted while its write to AWS Secrets Manager runs or is retried, or null.
/// </param>
public sealed record TenantCredentials(
    Tenant Tenant, byte[] ApiKeyHash, byte[]? PreviousApiKeyHash, DateTimeOffset? PreviousApiKeyExpiresAt,
    byte[]? PendingApiKeyHash = null);

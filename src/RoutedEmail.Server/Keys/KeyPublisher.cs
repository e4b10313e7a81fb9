using Microsoft.Extensions.Options;
using RoutedEmail.Aws;
using RoutedEmail.Core.Tenants;
using RoutedEmail.Server.Hosting;
using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Keys;

/// <summary>The result of a rotation of a tenant that publishes its key.</summary>
/// <param name="Status">What happened.</param>
/// <param name="ApiKey">The new key when it was rotated, otherwise null.</param>
/// <param name="PreviousKeyExpiresAt">When the replaced key stops being accepted, after a rotation.</param>
/// <param name="Error">Why the write failed, or null.</param>
/// <param name="RetryAt">When the failed write is retried, or null.</param>
internal sealed record RotationOutcome(
    RotationStatus Status, string? ApiKey = null, DateTimeOffset? PreviousKeyExpiresAt = null, string? Error = null,
    DateTimeOffset? RetryAt = null);

/// <summary>The status of a <see cref="RotationOutcome"/>.</summary>
internal enum RotationStatus
{
    /// <summary>The new key was written and is now current.</summary>
    Rotated,

    /// <summary>An earlier write had succeeded after all, and its key is now current.</summary>
    AlreadyPublished,

    /// <summary>The write failed; the current key stays and the write is retried.</summary>
    Failed,

    /// <summary>Another request or node holds the tenant's key lease, or the tenant is not due.</summary>
    Busy,
}

/// <summary>
/// Writes tenants' API keys to AWS Secrets Manager. A rotation stores a pending key, which is accepted at once,
/// writes it with <c>PutSecretValue</c> (so <c>AWSCURRENT</c> is the new key and <c>AWSPREVIOUS</c> the old one), and
/// only then makes it current. Only hashes are stored, so a failed write is retried with a new key.
/// </summary>
/// <remarks>
/// Each rotation or write runs under the tenant's key lease, a conditional update of <c>key_claimed_until</c>, so
/// with several nodes one node at a time works on a tenant. Taking the lease also sets the retry time to the lease's
/// end, so the work of a node that stops midway is picked up by another node once the lease ends.
/// </remarks>
internal sealed partial class KeyPublisher(
    ITenantKeyStore keys, SecretsManagerClients clients, KeyRotationSignal signal, IOptions<ApiKeyOptions> options,
    TimeProvider time, ILogger<KeyPublisher> logger)
{
    // Longer than three AWS calls at their 30-second default timeout (an STS call, a read and a write).
    internal static readonly TimeSpan LeaseDuration = TimeSpan.FromMinutes(2);

    /// <summary>Writes the first key of a new tenant. A failure is recorded and retried with a new key.</summary>
    public async Task PublishFirstKeyAsync(Tenant tenant, string apiKey, CancellationToken cancellationToken)
    {
        if (!await ClaimAsync(tenant.Id, onlyWhenDue: false, cancellationToken))
        {
            return;
        }

        try
        {
            var state = await keys.FindKeyStateAsync(tenant.Id, cancellationToken);
            var error = await WriteAsync(tenant, state!.Settings, apiKey, cancellationToken);
            var now = time.GetUtcNow();
            if (error is null)
            {
                await keys.RecordPublishedAsync(tenant.Id, now, NextRotation(state.Settings, now), cancellationToken);
                Log.Published(logger, tenant.Id, tenant.CompanyCode, tenant.Environment, state.Settings.SecretName);
            }
            else
            {
                await RecordFailureAsync(tenant, state, error, cancellationToken);
            }
        }
        finally
        {
            await keys.ReleaseClaimAsync(tenant.Id, cancellationToken);
            signal.Notify();
        }
    }

    /// <summary>
    /// Rotates the key of a tenant that publishes it. With <paramref name="onlyWhenDue"/> (the background service),
    /// only a due tenant is rotated. A pending key that Secrets Manager already stores as <c>AWSCURRENT</c>, because
    /// the response to its write was lost, is made current first; the background service stops there. A key made
    /// current appends a <c>ResourceChanged</c> event of kind <c>ApiKey</c> that names <paramref name="actor"/>. A
    /// scheduled rotation passes null and appends none.
    /// </summary>
    /// <remarks>
    /// A pending key is replaced only after a read of the secret showed that it is not <c>AWSCURRENT</c>. While the
    /// secret cannot be read, the attempt fails and the pending key stays accepted, because an integrator may
    /// already have read it from the secret.
    /// </remarks>
    public async Task<RotationOutcome> RotateAsync(
        Tenant tenant, bool onlyWhenDue, string? actor, CancellationToken cancellationToken)
    {
        if (!await ClaimAsync(tenant.Id, onlyWhenDue, cancellationToken))
        {
            return new RotationOutcome(RotationStatus.Busy);
        }

        try
        {
            var state = (await keys.FindKeyStateAsync(tenant.Id, cancellationToken))!;
            if (state.PendingApiKeyHash is { } pending)
            {
                var (published, readError) = await FindPublishedAsync(tenant, state.Settings, pending, cancellationToken);
                if (readError is not null)
                {
                    var retryAt = await RecordFailureAsync(tenant, state, readError, cancellationToken);
                    return new RotationOutcome(RotationStatus.Failed, Error: readError, RetryAt: retryAt);
                }

                if (published)
                {
                    var expires = await PromoteAsync(tenant, state.Settings, pending, actor, cancellationToken);
                    if (onlyWhenDue)
                    {
                        return new RotationOutcome(RotationStatus.AlreadyPublished, PreviousKeyExpiresAt: expires);
                    }

                    state = (await keys.FindKeyStateAsync(tenant.Id, cancellationToken))!;
                }
            }

            var apiKey = SecretTokens.Create();
            var hash = SecretTokens.Hash(apiKey);
            await keys.SetPendingKeyAsync(tenant.Id, hash, cancellationToken);
            var error = await WriteAsync(tenant, state.Settings, apiKey, cancellationToken);
            if (error is not null)
            {
                var retryAt = await RecordFailureAsync(tenant, state, error, cancellationToken);
                return new RotationOutcome(RotationStatus.Failed, Error: error, RetryAt: retryAt);
            }

            var previousKeyExpiresAt = await PromoteAsync(tenant, state.Settings, hash, actor, cancellationToken);
            return new RotationOutcome(RotationStatus.Rotated, apiKey, previousKeyExpiresAt);
        }
        finally
        {
            await keys.ReleaseClaimAsync(tenant.Id, CancellationToken.None);
            signal.Notify();
        }
    }

    private async Task<bool> ClaimAsync(long tenantId, bool onlyWhenDue, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await keys.TryClaimAsync(tenantId, now, now + LeaseDuration, onlyWhenDue, cancellationToken);
    }

    private async Task<DateTimeOffset> PromoteAsync(
        Tenant tenant, KeyPublishingSettings settings, byte[] pendingHash, string? actor,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var previousKeyExpiresAt = now + options.Value.PreviousKeyGracePeriod;
        await keys.PromotePendingKeyAsync(
            tenant.Id, pendingHash, previousKeyExpiresAt, now, NextRotation(settings, now), actor, cancellationToken);
        Log.Rotated(logger, tenant.Id, tenant.CompanyCode, tenant.Environment, settings.SecretName,
            previousKeyExpiresAt);
        return previousKeyExpiresAt;
    }

    /// <summary>
    /// Writes the key, creating the secret if it does not exist, and returns null or the reason for the failure.
    /// </summary>
    private async Task<string?> WriteAsync(
        Tenant tenant, KeyPublishingSettings settings, string apiKey, CancellationToken cancellationToken)
    {
        try
        {
            var client = clients.For(tenant.SecretsRegion, settings);
            await client.PutSecretValueCreatingAsync(settings.SecretName, apiKey, cancellationToken);
            return null;
        }
        catch (AwsRequestException exception)
        {
            return exception.Message;
        }
        catch (ArgumentException exception)
        {
            // An invalid endpoint setting or role ARN: the message names the value and the fix.
            return exception.Message;
        }
    }

    /// <summary>
    /// Reads whether the secret's <c>AWSCURRENT</c> value is the key with the given hash. Returns the reason instead
    /// when the secret cannot be read. A secret that does not exist contains no key.
    /// </summary>
    private async Task<(bool Published, string? Error)> FindPublishedAsync(
        Tenant tenant, KeyPublishingSettings settings, byte[] hash, CancellationToken cancellationToken)
    {
        try
        {
            var client = clients.For(tenant.SecretsRegion, settings);
            var current = await client.GetSecretValueAsync(settings.SecretName, cancellationToken);
            return (current.SecretString is { } value && SecretTokens.Matches(value, hash), null);
        }
        catch (AwsServiceException exception) when (exception.ErrorType == "ResourceNotFoundException")
        {
            return (false, null);
        }
        catch (AwsRequestException exception)
        {
            return (false, exception.Message);
        }
        catch (ArgumentException exception)
        {
            return (false, exception.Message);
        }
    }

    private async Task<DateTimeOffset> RecordFailureAsync(
        Tenant tenant, TenantKeyState state, string error, CancellationToken cancellationToken)
    {
        var retryAt = time.GetUtcNow() + RetryDelay(state.PublishFailures);
        await keys.RecordPublishFailureAsync(tenant.Id, error, retryAt, cancellationToken);
        Log.PublishFailed(logger, tenant.Id, tenant.CompanyCode, tenant.Environment, state.Settings.SecretName,
            state.PublishFailures + 1, retryAt, error);
        return retryAt;
    }

    /// <summary>Doubles the first retry delay per earlier failure, up to the maximum.</summary>
    private TimeSpan RetryDelay(int earlierFailures)
    {
        var delay = options.Value.PublishRetryDelay * Math.Pow(2, Math.Min(earlierFailures, 30));
        return delay < options.Value.PublishRetryMaxDelay ? delay : options.Value.PublishRetryMaxDelay;
    }

    private static DateTimeOffset? NextRotation(KeyPublishingSettings settings, DateTimeOffset now) =>
        settings.KeyRotationDays is { } days ? now + TimeSpan.FromDays(days) : null;

    private static partial class Log
    {
        [LoggerMessage(5101, LogLevel.Information,
            "API key of tenant {TenantId} (company {CompanyCode} environment {Environment}) published to secret " +
            "{SecretName}")]
        public static partial void Published(
            ILogger logger, long tenantId, string companyCode, string environment, string secretName);

        [LoggerMessage(5102, LogLevel.Information,
            "API key of tenant {TenantId} (company {CompanyCode} environment {Environment}) rotated and published " +
            "to secret {SecretName}; the previous key expires at {ExpiresAt}")]
        public static partial void Rotated(
            ILogger logger, long tenantId, string companyCode, string environment, string secretName,
            DateTimeOffset expiresAt);

        [LoggerMessage(5103, LogLevel.Warning,
            "Publishing the API key of tenant {TenantId} (company {CompanyCode} environment {Environment}) to " +
            "secret {SecretName} failed ({Failures} in a row); the current key stays valid and the write is " +
            "retried at {RetryAt}: {Reason}")]
        public static partial void PublishFailed(
            ILogger logger, long tenantId, string companyCode, string environment, string secretName, int failures,
            DateTimeOffset retryAt, string reason);
    }
}

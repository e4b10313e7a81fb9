using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RoutedEmail.Aws.SecretsManager;

namespace RoutedEmail.Client;

/// <summary>
/// Reads the API key from the <c>AWSCURRENT</c> version of a Secrets Manager secret and caches it for at most
/// one hour. After the service rejects the cached key, it reads the secret again once, so a rotated key is
/// picked up without waiting for the cache to expire.
/// </summary>
/// <remarks>
/// Concurrent callers share one read. Failures of Secrets Manager raise the library's
/// <see cref="RoutedEmail.Aws.AwsServiceException"/> or <see cref="RoutedEmail.Aws.AwsConnectionException"/>,
/// whose messages name the secret and the endpoint but never the value.
/// </remarks>
public sealed partial class SecretsManagerApiKeySource : IApiKeySource, IDisposable
{
    private readonly SecretsManagerClient _secretsManager;
    private readonly string _secretName;
    private readonly TimeSpan _cacheDuration;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _readLock = new(1, 1);
    private CachedKey? _cached;

    /// <summary>Creates a source reading one secret.</summary>
    /// <param name="secretsManager">The Secrets Manager client of the secret's region.</param>
    /// <param name="secretName">The secret's name or ARN, such as <c>SYMBEE_CONNECT_API_KEY</c>.</param>
    /// <param name="cacheDuration">How long a read key is used: more than zero and at most one hour.</param>
    /// <param name="timeProvider">The clock of the cache. Null uses the system clock.</param>
    /// <param name="logger">Receives one line per read, with the secret name and version id only.</param>
    /// <exception cref="ArgumentOutOfRangeException">The cache duration is not positive or longer than one
    /// hour.</exception>
    public SecretsManagerApiKeySource(
        SecretsManagerClient secretsManager,
        string secretName,
        TimeSpan cacheDuration,
        TimeProvider? timeProvider = null,
        ILogger<SecretsManagerApiKeySource>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(secretsManager);
        ArgumentException.ThrowIfNullOrWhiteSpace(secretName);
        if (cacheDuration <= TimeSpan.Zero || cacheDuration > RoutedEmailClientOptions.MaxApiKeyCacheDuration)
        {
            throw new ArgumentOutOfRangeException(
                nameof(cacheDuration),
                cacheDuration,
                "The API key cache duration must be more than zero and at most 01:00:00, because the key is " +
                "rotated. Set a duration in that range.");
        }

        _secretsManager = secretsManager;
        _secretName = secretName;
        _cacheDuration = cacheDuration;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>The time a read key is used before the secret is read again.</summary>
    public TimeSpan CacheDuration => _cacheDuration;

    /// <inheritdoc />
    public async ValueTask<string> GetApiKeyAsync(CancellationToken cancellationToken)
    {
        if (_cached is { } cached && _time.GetUtcNow() < cached.ExpiresAt)
        {
            return cached.Key;
        }

        await _readLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_cached is { } current && _time.GetUtcNow() < current.ExpiresAt)
            {
                return current.Key;
            }

            return (await ReadAsync(cancellationToken).ConfigureAwait(false)).Key;
        }
        finally
        {
            _readLock.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask<string?> RefreshApiKeyAsync(string rejectedKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejectedKey);
        await _readLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another caller may have read a newer key since this caller took the rejected one.
            if (_cached is { } current && current.Key != rejectedKey && _time.GetUtcNow() < current.ExpiresAt)
            {
                return current.Key;
            }

            Log.KeyRejected(_logger, _secretName, _cached?.VersionId);
            var read = await ReadAsync(cancellationToken).ConfigureAwait(false);
            return read.Key == rejectedKey ? null : read.Key;
        }
        finally
        {
            _readLock.Release();
        }
    }

    /// <summary>Releases the lock that serializes reads.</summary>
    public void Dispose() => _readLock.Dispose();

    private async Task<CachedKey> ReadAsync(CancellationToken cancellationToken)
    {
        var secret = await _secretsManager.GetSecretValueAsync(_secretName, VersionStages.Current, cancellationToken)
            .ConfigureAwait(false);
        var key = secret.SecretString;
        if (string.IsNullOrEmpty(key) || key.Trim().Length != key.Length)
        {
            throw new InvalidApiKeySecretException(_secretName, secret.VersionId);
        }

        var cached = new CachedKey(key, secret.VersionId, _time.GetUtcNow() + _cacheDuration);
        _cached = cached;
        Log.KeyRead(_logger, _secretName, secret.VersionId, cached.ExpiresAt);
        return cached;
    }

    private sealed record CachedKey(string Key, string VersionId, DateTimeOffset ExpiresAt);

    private static partial class Log
    {
        [LoggerMessage(9301, LogLevel.Information,
            "API key read from secret {SecretName} version {VersionId}, cached until {ExpiresAt}")]
        public static partial void KeyRead(
            ILogger logger, string secretName, string versionId, DateTimeOffset expiresAt);

        [LoggerMessage(9302, LogLevel.Warning,
            "The service rejected the API key of secret {SecretName} version {VersionId}; reading the secret again")]
        public static partial void KeyRejected(ILogger logger, string secretName, string? versionId);
    }
}

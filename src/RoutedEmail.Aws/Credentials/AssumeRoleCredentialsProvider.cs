using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RoutedEmail.Aws.Endpoints;

namespace RoutedEmail.Aws.Credentials;

/// <summary>
/// Provides the temporary credentials of an IAM role, assumed through STS <c>AssumeRole</c>
/// (AWSSDK.SecurityToken) with the caller's base credentials, at an explicitly resolved STS endpoint. The
/// credentials are cached until <see cref="AssumeRoleOptions.RefreshBefore"/> before they expire, and concurrent
/// callers share one STS call.
/// </summary>
/// <remarks>
/// When a renewal fails while the cached credentials are still valid, the provider keeps returning them, logs a
/// warning and tries STS again at most every 30 seconds. Once they expired, the failure is raised.
/// </remarks>
public sealed partial class AssumeRoleCredentialsProvider : IAwsCredentialsProvider, IDisposable
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(30);

    private readonly AssumeRoleOptions _options;
    private readonly IAwsCredentialsProvider _baseCredentials;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _renewal = new(1, 1);
    private volatile AwsCredentials? _cached;
    private DateTimeOffset _retryAfter = DateTimeOffset.MinValue;

    /// <summary>
    /// Creates the provider, checks the options and resolves the STS endpoint. It calls STS on first use.
    /// </summary>
    /// <param name="options">The role, session, duration, region and optional STS endpoint.</param>
    /// <param name="baseCredentials">The credentials that call STS, such as a static key or the default
    /// chain.</param>
    /// <param name="endpointResolver">Resolves the STS endpoint. Null reads the process environment.</param>
    /// <param name="timeProvider">The clock that decides when to renew. Null uses the system clock.</param>
    /// <param name="logger">Receives a line per renewal, with the role ARN and access key id only.</param>
    /// <exception cref="ArgumentException">An option is missing or out of range.</exception>
    public AssumeRoleCredentialsProvider(
        AssumeRoleOptions options,
        IAwsCredentialsProvider baseCredentials,
        AwsEndpointResolver? endpointResolver = null,
        TimeProvider? timeProvider = null,
        ILogger<AssumeRoleCredentialsProvider>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(baseCredentials);
        Validate(options);

        // A copy, so later changes to the caller's object cannot bypass the checks.
        _options = new AssumeRoleOptions
        {
            RoleArn = options.RoleArn,
            ExternalId = options.ExternalId,
            RoleSessionName = options.RoleSessionName,
            Duration = options.Duration,
            RefreshBefore = options.RefreshBefore,
            Region = options.Region,
            ServiceUrl = options.ServiceUrl,
        };
        _baseCredentials = baseCredentials;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        Endpoint = (endpointResolver ?? new AwsEndpointResolver())
            .Resolve(AwsService.Sts, options.Region, options.ServiceUrl);
    }

    /// <summary>The STS endpoint, and where it came from.</summary>
    public AwsEndpoint Endpoint { get; }

    /// <inheritdoc />
    /// <exception cref="AwsServiceException">STS returned an error, such as <c>AccessDenied</c>.</exception>
    /// <exception cref="AwsConnectionException">The STS endpoint did not respond.</exception>
    public async ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken)
    {
        var cached = _cached;
        if (cached is not null && IsFresh(cached))
        {
            return cached;
        }

        await _renewal.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await RenewAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _renewal.Release();
        }
    }

    /// <summary>Releases the lock that serializes renewals.</summary>
    public void Dispose() => _renewal.Dispose();

    /// <summary>Assumes the role unless another caller renewed the credentials while this one waited.</summary>
    private async Task<AwsCredentials> RenewAsync(CancellationToken cancellationToken)
    {
        var cached = _cached;
        if (cached is not null && IsFresh(cached))
        {
            return cached;
        }

        var now = _time.GetUtcNow();
        var stillValid = cached is not null && now < cached.Expiration;
        if (stillValid && now < _retryAfter)
        {
            return cached!;
        }

        try
        {
            var fresh = await AssumeRoleAsync(cancellationToken).ConfigureAwait(false);
            _cached = fresh;
            Log.RoleAssumed(_logger, _options.RoleArn, fresh.AccessKeyId, fresh.Expiration);
            return fresh;
        }
        catch (AwsRequestException exception) when (stillValid)
        {
            _retryAfter = now + RetryInterval;
            Log.RenewalFailed(_logger, exception, _options.RoleArn, cached!.Expiration);
            return cached;
        }
    }

    private bool IsFresh(AwsCredentials credentials) =>
        _time.GetUtcNow() < credentials.Expiration - _options.RefreshBefore;

    private async Task<AwsCredentials> AssumeRoleAsync(CancellationToken cancellationToken)
    {
        var baseCredentials = await _baseCredentials.GetCredentialsAsync(cancellationToken).ConfigureAwait(false);
        AWSCredentials sdkCredentials = baseCredentials.SessionToken is { } token
            ? new SessionAWSCredentials(baseCredentials.AccessKeyId, baseCredentials.SecretAccessKey, token)
            : new BasicAWSCredentials(baseCredentials.AccessKeyId, baseCredentials.SecretAccessKey);

        // An explicit ServiceURL and AuthenticationRegion keep the SDK from looking up a region or an endpoint.
        var config = new AmazonSecurityTokenServiceConfig
        {
            ServiceURL = Endpoint.Url.ToString(),
            AuthenticationRegion = _options.Region,
        };
        using var client = new AmazonSecurityTokenServiceClient(sdkCredentials, config);
        var request = new AssumeRoleRequest
        {
            RoleArn = _options.RoleArn,
            RoleSessionName = _options.RoleSessionName,
            ExternalId = _options.ExternalId,
            DurationSeconds = (int)_options.Duration.TotalSeconds,
        };

        var response = await CallAsync(client, request, cancellationToken).ConfigureAwait(false);
        var credentials = response.Credentials;
        var expiration = credentials.Expiration is { } expires
            ? ToUtc(expires)
            : _time.GetUtcNow() + _options.Duration;
        return new AwsCredentials(
            credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken, expiration);
    }

    /// <summary>Calls AssumeRole and turns the SDK's failures into this library's exceptions.</summary>
    private async Task<AssumeRoleResponse> CallAsync(
        AmazonSecurityTokenServiceClient client, AssumeRoleRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await client.AssumeRoleAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonServiceException exception)
            when (exception.StatusCode != 0 && exception.ErrorCode is not null)
        {
            throw new AwsServiceException(
                AwsService.Sts.DisplayName, "AssumeRole", Endpoint.Url, exception.ErrorCode,
                exception.Message, exception.StatusCode, $"role '{_options.RoleArn}'", exception);
        }
        catch (HttpRequestException exception)
        {
            throw new AwsConnectionException(
                AwsService.Sts.DisplayName, "AssumeRole", Endpoint.Url, Endpoint.Source, exception);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AwsConnectionException(
                AwsService.Sts.DisplayName, "AssumeRole", Endpoint.Url, Endpoint.Source, exception);
        }
    }

    private static void Validate(AssumeRoleOptions options)
    {
        if (!options.RoleArn.StartsWith("arn:", StringComparison.Ordinal)
            || !options.RoleArn.Contains(":role/", StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"The role ARN '{options.RoleArn}' is invalid: " +
                "it must look like arn:aws:iam::123456789012:role/NAME.",
                nameof(options));
        }

        if (!SessionNamePattern().IsMatch(options.RoleSessionName))
        {
            throw new ArgumentException(
                $"The role session name '{options.RoleSessionName}' is invalid: " +
                "use 2 to 64 letters, digits or +=,.@_-.",
                nameof(options));
        }

        if (options.Duration < TimeSpan.FromMinutes(15) || options.Duration > TimeSpan.FromHours(12))
        {
            throw new ArgumentException(
                $"The session duration {options.Duration} is out of range: STS accepts 15 minutes to 12 hours.",
                nameof(options));
        }

        if (options.RefreshBefore < TimeSpan.Zero || options.RefreshBefore >= options.Duration)
        {
            throw new ArgumentException(
                $"RefreshBefore {options.RefreshBefore} is out of range: it must be at least zero and shorter " +
                $"than the session duration {options.Duration}.",
                nameof(options));
        }
    }

    /// <summary>
    /// Converts the SDK's expiry, whose kind may be Local, Utc or Unspecified (then UTC), to UTC.
    /// </summary>
    private static DateTimeOffset ToUtc(DateTime expires) =>
        new(expires.Kind == DateTimeKind.Local
            ? expires.ToUniversalTime()
            : DateTime.SpecifyKind(expires, DateTimeKind.Utc));

    [GeneratedRegex(@"^[\w+=,.@-]{2,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex SessionNamePattern();

    private static partial class Log
    {
        [LoggerMessage(EventId = 9201, Level = LogLevel.Information,
            Message = "Assumed role {RoleArn} as access key {AccessKeyId}, valid until {Expiration}")]
        public static partial void RoleAssumed(
            ILogger logger, string roleArn, string accessKeyId, DateTimeOffset? expiration);

        [LoggerMessage(EventId = 9202, Level = LogLevel.Warning,
            Message = "Renewing role {RoleArn} failed; the cached credentials stay in use until {Expiration}")]
        public static partial void RenewalFailed(
            ILogger logger, Exception exception, string roleArn, DateTimeOffset? expiration);
    }
}

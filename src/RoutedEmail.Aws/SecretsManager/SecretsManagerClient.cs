using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RoutedEmail.Aws.Credentials;
using RoutedEmail.Aws.Endpoints;
using RoutedEmail.Aws.Signing;

namespace RoutedEmail.Aws.SecretsManager;

/// <summary>
/// A client of AWS Secrets Manager over <see cref="HttpClient"/>, speaking the JSON 1.1 protocol with SigV4
/// signing. It never logs secret values or puts them in exception messages.
/// </summary>
/// <remarks>
/// Failures raise <see cref="AwsServiceException"/> when the service returned an error and <see
/// cref="AwsConnectionException"/> when no response came. The client makes no retries, so the caller decides
/// whether to retry. Writes send a new <c>ClientRequestToken</c> each call.
/// </remarks>
public sealed partial class SecretsManagerClient
{
    private const string ResourceNotFound = "ResourceNotFoundException";
    private const string ResourceExists = "ResourceExistsException";

    private readonly HttpClient _httpClient;
    private readonly IAwsCredentialsProvider _credentials;
    private readonly SigV4Signer _signer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates a client and resolves its endpoint.</summary>
    /// <param name="httpClient">Sends the requests. Its timeout applies to each call.</param>
    /// <param name="credentials">Provides the credentials that sign each request.</param>
    /// <param name="options">The region and an optional explicit endpoint.</param>
    /// <param name="endpointResolver">Resolves the endpoint. Null reads the process environment.</param>
    /// <param name="timeProvider">The clock for signing times. Null uses the system clock.</param>
    /// <param name="logger">Receives one line per write and per read, with the secret name and version
    /// only.</param>
    /// <exception cref="ArgumentException">The region is missing or invalid, or a configured endpoint is not a
    /// URL.</exception>
    public SecretsManagerClient(
        HttpClient httpClient,
        IAwsCredentialsProvider credentials,
        SecretsManagerClientOptions options,
        AwsEndpointResolver? endpointResolver = null,
        TimeProvider? timeProvider = null,
        ILogger<SecretsManagerClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Region))
        {
            throw new ArgumentException(
                "The Secrets Manager region is missing. " +
                "Set SecretsManagerClientOptions.Region, such as us-east-1.",
                nameof(options));
        }

        _httpClient = httpClient;
        _credentials = credentials;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        Endpoint = (endpointResolver ?? new AwsEndpointResolver())
            .Resolve(AwsService.SecretsManager, options.Region, options.ServiceUrl);
        _signer = new SigV4Signer(options.Region, AwsService.SecretsManager.SigningName);
    }

    /// <summary>The endpoint that requests go to, and where it came from.</summary>
    public AwsEndpoint Endpoint { get; }

    /// <summary>Reads the <c>AWSCURRENT</c> version of a secret.</summary>
    /// <param name="secretId">The secret's name or ARN.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="AwsServiceException">The service returned an error, such as
    /// <c>ResourceNotFoundException</c>.</exception>
    /// <exception cref="AwsConnectionException">The endpoint did not respond.</exception>
    public Task<SecretValue> GetSecretValueAsync(string secretId, CancellationToken cancellationToken) =>
        GetSecretValueAsync(secretId, VersionStages.Current, cancellationToken);

    /// <summary>Reads the version of a secret that has a stage, such as <c>AWSPREVIOUS</c>.</summary>
    /// <param name="secretId">The secret's name or ARN.</param>
    /// <param name="versionStage">The stage to read, such as <see cref="VersionStages.Previous"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="AwsServiceException">The service returned an error, such as
    /// <c>ResourceNotFoundException</c>.</exception>
    /// <exception cref="AwsConnectionException">The endpoint did not respond.</exception>
    public async Task<SecretValue> GetSecretValueAsync(
        string secretId, string versionStage, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(secretId);
        ArgumentException.ThrowIfNullOrWhiteSpace(versionStage);
        var response = await SendAsync(
            "GetSecretValue",
            new GetSecretValueRequest(secretId, versionStage),
            SecretsManagerJsonContext.Default.GetSecretValueRequest,
            SecretsManagerJsonContext.Default.SecretValueResponse,
            secretId,
            cancellationToken).ConfigureAwait(false);

        var value = new SecretValue
        {
            Arn = Required(response.Arn, "ARN", "GetSecretValue", secretId),
            Name = Required(response.Name, "Name", "GetSecretValue", secretId),
            VersionId = Required(response.VersionId, "VersionId", "GetSecretValue", secretId),
            VersionStages = response.VersionStages ?? [],
            SecretString = response.SecretString,
            CreatedDate = response.CreatedDate is { } seconds
                ? DateTimeOffset.UnixEpoch.AddMilliseconds(Math.Round(seconds * 1000))
                : null,
        };
        Log.SecretRead(_logger, secretId, value.VersionId, versionStage);
        return value;
    }

    /// <summary>
    /// Stores a new value of an existing secret. The new version becomes <c>AWSCURRENT</c> and the version that
    /// was current becomes <c>AWSPREVIOUS</c>.
    /// </summary>
    /// <param name="secretId">The secret's name or ARN.</param>
    /// <param name="secretString">The new secret text.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="AwsServiceException">
    /// The service returned an error; <c>ResourceNotFoundException</c> when the secret does not exist.
    /// </exception>
    /// <exception cref="AwsConnectionException">The endpoint did not respond.</exception>
    public async Task<SecretVersion> PutSecretValueAsync(
        string secretId, string secretString, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(secretId);
        ArgumentNullException.ThrowIfNull(secretString);
        var response = await SendAsync(
            "PutSecretValue",
            new PutSecretValueRequest(secretId, secretString, NewClientRequestToken()),
            SecretsManagerJsonContext.Default.PutSecretValueRequest,
            SecretsManagerJsonContext.Default.SecretValueResponse,
            secretId,
            cancellationToken).ConfigureAwait(false);

        var version = ToVersion(response, "PutSecretValue", secretId, created: false);
        Log.SecretValuePut(_logger, secretId, version.VersionId, version.VersionStages);
        return version;
    }

    /// <summary>Creates a secret with its first value, which becomes <c>AWSCURRENT</c>.</summary>
    /// <param name="name">The secret's name, such as <c>routed-email/acme/prod/api-key</c>.</param>
    /// <param name="secretString">The secret text.</param>
    /// <param name="description">A description shown in the AWS console, or null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="AwsServiceException">
    /// The service returned an error; <c>ResourceExistsException</c> when the secret exists.
    /// </exception>
    /// <exception cref="AwsConnectionException">The endpoint did not respond.</exception>
    public async Task<SecretVersion> CreateSecretAsync(
        string name, string secretString, string? description, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(secretString);
        var response = await SendAsync(
            "CreateSecret",
            new CreateSecretRequest(name, secretString, NewClientRequestToken(), description),
            SecretsManagerJsonContext.Default.CreateSecretRequest,
            SecretsManagerJsonContext.Default.SecretValueResponse,
            name,
            cancellationToken).ConfigureAwait(false);

        var version = ToVersion(response, "CreateSecret", name, created: true);
        Log.SecretCreated(_logger, name, version.VersionId);
        return version;
    }

    /// <summary>
    /// Stores a new value of a secret, and creates the secret when it does not exist. Afterwards the new value is
    /// <c>AWSCURRENT</c> and, when the secret existed, the old value is <c>AWSPREVIOUS</c>.
    /// </summary>
    /// <param name="name">The secret's name, not an ARN, because a missing secret is created under this
    /// name.</param>
    /// <param name="secretString">The new secret text.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <exception cref="AwsServiceException">The service returned an error other than the secret's
    /// absence.</exception>
    /// <exception cref="AwsConnectionException">The endpoint did not respond.</exception>
    public async Task<SecretVersion> PutSecretValueCreatingAsync(
        string name, string secretString, CancellationToken cancellationToken)
    {
        try
        {
            return await PutSecretValueAsync(name, secretString, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException exception) when (exception.ErrorType == ResourceNotFound)
        {
            Log.SecretMissingCreating(_logger, name);
        }

        try
        {
            return await CreateSecretAsync(name, secretString, null, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException exception) when (exception.ErrorType == ResourceExists)
        {
            // Another writer created the secret between our two calls, so a put now adds a version to it.
            Log.SecretCreatedConcurrently(_logger, name);
        }

        return await PutSecretValueAsync(name, secretString, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a secret's metadata and the stages of its versions, without any secret value.</summary>
    /// <param name="secretId">The secret's name or ARN.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="AwsServiceException">The service returned an error, such as
    /// <c>ResourceNotFoundException</c>.</exception>
    /// <exception cref="AwsConnectionException">The endpoint did not respond.</exception>
    public async Task<SecretDescription> DescribeSecretAsync(string secretId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(secretId);
        var response = await SendAsync(
            "DescribeSecret",
            new DescribeSecretRequest(secretId),
            SecretsManagerJsonContext.Default.DescribeSecretRequest,
            SecretsManagerJsonContext.Default.DescribeSecretResponse,
            secretId,
            cancellationToken).ConfigureAwait(false);

        var stages = (response.VersionIdsToStages ?? [])
            .ToDictionary(pair => pair.Key, pair => (IReadOnlyList<string>)pair.Value, StringComparer.Ordinal);
        return new SecretDescription(
            Required(response.Arn, "ARN", "DescribeSecret", secretId),
            Required(response.Name, "Name", "DescribeSecret", secretId),
            response.Description,
            stages);
    }

    private SecretVersion ToVersion(
        SecretValueResponse response, string operation, string secretId, bool created) =>
        new(
            Required(response.Arn, "ARN", operation, secretId),
            Required(response.Name, "Name", operation, secretId),
            Required(response.VersionId, "VersionId", operation, secretId),
            response.VersionStages ?? (created ? [VersionStages.Current] : []),
            created);

    private static string NewClientRequestToken() => Guid.NewGuid().ToString("D");
}

namespace RoutedEmail.Server.Keys;

/// <summary>
/// Where and as whom the service calls AWS to publish API keys, bound from the <c>Aws</c> configuration section.
/// </summary>
public sealed class AwsOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Aws";

    /// <summary>
    /// The Secrets Manager endpoint for every tenant, such as an emulator's <c>http://127.0.0.1:5000</c>. Default:
    /// none, so <c>AWS_ENDPOINT_URL_SECRETS_MANAGER</c>, then <c>AWS_ENDPOINT_URL</c>, then the tenant's regional
    /// endpoint applies.
    /// </summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>
    /// The STS endpoint for assuming tenants' roles. Default: none, so <c>AWS_ENDPOINT_URL_STS</c>, then
    /// <c>AWS_ENDPOINT_URL</c>, then the regional endpoint applies. <see cref="ServiceUrl"/> is not used for STS.
    /// </summary>
    public Uri? StsServiceUrl { get; set; }

    /// <summary>
    /// An access key id for tests and emulators. When it and <see cref="SecretAccessKey"/> are set, the service
    /// signs with them and never builds the AWS default credential chain. Default: none, so the default chain
    /// (environment, shared files, web identity, container and instance metadata) provides the credentials.
    /// </summary>
    public string? AccessKeyId { get; set; }

    /// <summary>The secret access key that goes with <see cref="AccessKeyId"/>. Default: none.</summary>
    public string? SecretAccessKey { get; set; }

    /// <summary>
    /// The session token of temporary credentials given with <see cref="AccessKeyId"/>. Default: none.
    /// </summary>
    public string? SessionToken { get; set; }

    /// <summary>How long one call to Secrets Manager or STS may take. Default: 30 seconds.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether explicit credentials are configured.</summary>
    internal bool HasExplicitCredentials =>
        !string.IsNullOrEmpty(AccessKeyId) || !string.IsNullOrEmpty(SecretAccessKey);
}

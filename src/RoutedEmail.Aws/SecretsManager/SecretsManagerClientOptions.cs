namespace RoutedEmail.Aws.SecretsManager;

/// <summary>Settings of a <see cref="SecretsManagerClient"/>.</summary>
public sealed class SecretsManagerClientOptions
{
    /// <summary>
    /// The region of the secrets, such as <c>us-east-1</c>. Required. It is also the signing region.
    /// </summary>
    public string Region { get; set; } = string.Empty;

    /// <summary>
    /// An explicit endpoint, such as an emulator's <c>http://127.0.0.1:5000</c>. Default null, which resolves the
    /// endpoint from <c>AWS_ENDPOINT_URL_SECRETS_MANAGER</c>, then <c>AWS_ENDPOINT_URL</c>, then the region.
    /// </summary>
    public Uri? ServiceUrl { get; set; }
}

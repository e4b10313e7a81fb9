using Amazon.Runtime.Credentials;

namespace RoutedEmail.Aws.Credentials;

/// <summary>
/// Finds credentials the way the AWS SDK for .NET does, through the <c>DefaultAWSCredentialsIdentityResolver</c>
/// of AWSSDK.Core 4.1: environment variables, the shared credentials and config files with their profiles, web
/// identity tokens, ECS container credentials and EC2 instance metadata. Meant for production, because tests use
/// explicit credentials.
/// </summary>
/// <remarks>
/// The SDK caches and renews temporary credentials itself, so this provider calls it for every request and
/// reports no <see cref="AwsCredentials.Expiration"/>. A missing chain raises the SDK's
/// <c>AmazonClientException</c>.
/// NOTE: no test runs this provider, because tests must not read this machine's AWS settings or reach a metadata
/// endpoint.
/// </remarks>
public sealed class DefaultChainCredentialsProvider : IAwsCredentialsProvider, IDisposable
{
    private readonly DefaultAWSCredentialsIdentityResolver _resolver = new();

    /// <inheritdoc />
    public async ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken)
    {
        var credentials = await _resolver.ResolveIdentityAsync(null, cancellationToken).ConfigureAwait(false);
        var current = await credentials.GetCredentialsAsync().ConfigureAwait(false);
        return new AwsCredentials(current.AccessKey, current.SecretKey, current.UseToken ? current.Token : null);
    }

    /// <summary>Releases the SDK resolver's file watchers.</summary>
    public void Dispose() => _resolver.Dispose();
}

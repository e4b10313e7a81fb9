namespace RoutedEmail.Aws.Credentials;

/// <summary>A source of the AWS credentials that sign each request.</summary>
/// <remarks>
/// Clients call <see cref="GetCredentialsAsync"/> before every request, so a provider of temporary credentials
/// caches them and renews them before they expire.
/// </remarks>
public interface IAwsCredentialsProvider
{
    /// <summary>Gets credentials that are valid now.</summary>
    /// <param name="cancellationToken">Cancels the lookup, such as an STS call.</param>
    ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken);
}

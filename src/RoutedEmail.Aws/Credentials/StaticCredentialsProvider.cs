namespace RoutedEmail.Aws.Credentials;

/// <summary>Returns the same credentials every time, such as a key pair from configuration or a test.</summary>
/// <param name="credentials">The credentials to return.</param>
public sealed class StaticCredentialsProvider(AwsCredentials credentials) : IAwsCredentialsProvider
{
    private readonly AwsCredentials _credentials =
        credentials ?? throw new ArgumentNullException(nameof(credentials));

    /// <inheritdoc />
    public ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(_credentials);
}

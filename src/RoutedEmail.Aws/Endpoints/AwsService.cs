namespace RoutedEmail.Aws.Endpoints;

/// <summary>An AWS service as endpoint resolution and signing name it.</summary>
/// <param name="DisplayName">The name in messages, such as <c>Secrets Manager</c>.</param>
/// <param name="EndpointPrefix">The first label of the regional host name, such as <c>secretsmanager</c>.</param>
/// <param name="SigningName">The service name in the SigV4 credential scope.</param>
/// <param name="EnvironmentSuffix">
/// The suffix of the service's endpoint variable, such as <c>SECRETS_MANAGER</c> in
/// <c>AWS_ENDPOINT_URL_SECRETS_MANAGER</c>: the service id in upper case with spaces made underscores.
/// </param>
public sealed record AwsService(
    string DisplayName, string EndpointPrefix, string SigningName, string EnvironmentSuffix)
{
    /// <summary>AWS Secrets Manager.</summary>
    public static AwsService SecretsManager { get; } =
        new("Secrets Manager", "secretsmanager", "secretsmanager", "SECRETS_MANAGER");

    /// <summary>AWS Security Token Service.</summary>
    public static AwsService Sts { get; } = new("STS", "sts", "sts", "STS");

    /// <summary>The service's own endpoint variable, such as <c>AWS_ENDPOINT_URL_SECRETS_MANAGER</c>.</summary>
    public string EndpointVariable => AwsEndpointResolver.GlobalEndpointVariable + "_" + EnvironmentSuffix;
}

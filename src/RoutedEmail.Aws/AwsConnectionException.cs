namespace RoutedEmail.Aws;

/// <summary>
/// No response came from an AWS endpoint: the connection was refused or failed, or the request timed out.
/// </summary>
public sealed class AwsConnectionException : AwsRequestException
{
    /// <summary>Creates the exception and composes its message from the parts.</summary>
    /// <param name="service">The service, such as <c>Secrets Manager</c>.</param>
    /// <param name="operation">The operation, such as <c>GetSecretValue</c>.</param>
    /// <param name="endpoint">The URL the request went to.</param>
    /// <param name="endpointSource">Where the endpoint came from, such as <c>AWS_ENDPOINT_URL</c>.</param>
    /// <param name="innerException">The connection error or timeout.</param>
    public AwsConnectionException(
        string service, string operation, Uri endpoint, string endpointSource, Exception innerException)
        : base(
            $"{service} {operation} could not reach {endpoint} (endpoint from {endpointSource}): " +
            $"{Describe(innerException)} Check that the endpoint is right " +
            "and that the service or emulator runs there.",
            service, operation, endpoint, innerException)
    {
        EndpointSource = endpointSource;
    }

    /// <summary>
    /// Where the endpoint came from: the service URL setting, an environment variable or the regional default.
    /// </summary>
    public string EndpointSource { get; }

    private static string Describe(Exception innerException)
    {
        ArgumentNullException.ThrowIfNull(innerException);
        var text = innerException.Message.TrimEnd();
        return text.EndsWith('.') ? text : text + ".";
    }
}

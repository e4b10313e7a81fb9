namespace RoutedEmail.Aws;

/// <summary>
/// A failed AWS request: either the service returned an error (<see cref="AwsServiceException"/>) or no response
/// came from the endpoint (<see cref="AwsConnectionException"/>). Messages never contain a secret value.
/// </summary>
public abstract class AwsRequestException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The whole message: what failed, at which endpoint, and what to check.</param>
    /// <param name="service">The service, such as <c>Secrets Manager</c>.</param>
    /// <param name="operation">The operation, such as <c>GetSecretValue</c>.</param>
    /// <param name="endpoint">The URL the request went to.</param>
    /// <param name="innerException">The underlying error, or null.</param>
    protected AwsRequestException(
        string message, string service, string operation, Uri endpoint, Exception? innerException)
        : base(message, innerException)
    {
        Service = service;
        Operation = operation;
        Endpoint = endpoint;
    }

    /// <summary>The service, such as <c>Secrets Manager</c> or <c>STS</c>.</summary>
    public string Service { get; }

    /// <summary>The operation, such as <c>GetSecretValue</c> or <c>AssumeRole</c>.</summary>
    public string Operation { get; }

    /// <summary>The URL the request went to.</summary>
    public Uri Endpoint { get; }
}

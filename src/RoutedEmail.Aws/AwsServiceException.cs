using System.Net;

namespace RoutedEmail.Aws;

/// <summary>
/// An error returned by an AWS service, such as <c>ResourceNotFoundException</c> or <c>SignatureDoesNotMatch</c>.
/// </summary>
public sealed class AwsServiceException : AwsRequestException
{
    /// <summary>Creates the exception and composes its message from the parts.</summary>
    /// <param name="service">The service, such as <c>Secrets Manager</c>.</param>
    /// <param name="operation">The operation, such as <c>GetSecretValue</c>.</param>
    /// <param name="endpoint">The URL the request went to.</param>
    /// <param name="errorType">The AWS error type, without a namespace, such as
    /// <c>ResourceNotFoundException</c>.</param>
    /// <param name="awsMessage">The service's message, or an empty string.</param>
    /// <param name="statusCode">The HTTP status of the response.</param>
    /// <param name="subject">What the request was about, such as <c>secret 'tenant/acme/prod'</c>, or
    /// null.</param>
    /// <param name="innerException">The underlying error, such as the AWS SDK's exception, or null.</param>
    public AwsServiceException(
        string service, string operation, Uri endpoint, string errorType, string awsMessage,
        HttpStatusCode statusCode, string? subject = null, Exception? innerException = null)
        : base(Compose(service, operation, endpoint, errorType, awsMessage, statusCode, subject),
            service, operation, endpoint, innerException)
    {
        ErrorType = errorType;
        AwsMessage = awsMessage;
        StatusCode = statusCode;
    }

    /// <summary>
    /// The AWS error type, the <c>__type</c> of JSON errors or the <c>Code</c> of XML errors, without a
    /// namespace.
    /// </summary>
    public string ErrorType { get; }

    /// <summary>The message the service returned, or an empty string when it returned none.</summary>
    public string AwsMessage { get; }

    /// <summary>The HTTP status of the response.</summary>
    public HttpStatusCode StatusCode { get; }

    private static string Compose(
        string service, string operation, Uri endpoint, string errorType, string awsMessage,
        HttpStatusCode statusCode, string? subject)
    {
        var about = subject is null ? string.Empty : $" for {subject}";
        var text = awsMessage.Length == 0 ? string.Empty : $": {awsMessage}";
        return $"{service} {operation}{about} at {endpoint} failed with {errorType} " +
            $"(HTTP {(int)statusCode}){text}. {Advice(errorType)}";
    }

    /// <summary>Says what to check for the error types that a misconfiguration causes.</summary>
    private static string Advice(string errorType) => errorType switch
    {
        "SignatureDoesNotMatch" or "InvalidSignatureException" =>
            "Check the secret access key and that the region matches the endpoint.",
        "InvalidClientTokenId" or "UnrecognizedClientException" =>
            "Check the access key id and, for temporary credentials, the session token.",
        "ExpiredToken" or "ExpiredTokenException" => "The temporary credentials expired; get new ones.",
        "AccessDenied" or "AccessDeniedException" => "Grant the caller this action in its IAM policy.",
        "ResourceNotFoundException" => "Check the secret name and the region.",
        _ => "Check the request and the caller's permissions.",
    };
}

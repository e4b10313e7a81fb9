using System.Net;

namespace RoutedEmail.Client;

/// <summary>
/// The service rejected a request, or no response came. <see cref="ServiceMessage"/> is the service's own
/// message, which names the item, the field and the rule. It never contains an API key.
/// </summary>
public sealed class RoutedEmailException : Exception
{
    /// <summary>Creates an exception.</summary>
    /// <param name="operation">The operation, such as <c>send</c>.</param>
    /// <param name="statusCode">The HTTP status, or null when no response came.</param>
    /// <param name="serviceMessage">The service's message, or a description of the failure.</param>
    /// <param name="innerException">The exception behind a missing response, or null.</param>
    public RoutedEmailException(
        string operation, HttpStatusCode? statusCode, string serviceMessage, Exception? innerException = null)
        : base(Describe(operation, statusCode, serviceMessage), innerException)
    {
        Operation = operation;
        StatusCode = statusCode;
        ServiceMessage = serviceMessage;
    }

    /// <summary>The operation that failed, such as <c>send</c>, <c>get</c>, <c>cancel</c> or <c>explain</c>.</summary>
    public string Operation { get; }

    /// <summary>The HTTP status, or null when no response came.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The service's error message, such as <c>Item 0, field "ownerId": ...</c>.</summary>
    public string ServiceMessage { get; }

    /// <summary>True when the service rejected the API key or the tenant headers (HTTP 401).</summary>
    public bool IsAuthenticationFailure => StatusCode == HttpStatusCode.Unauthorized;

    /// <summary>True when the failure may pass: no response, HTTP 408, 429 or 5xx.</summary>
    public bool IsTransient =>
        StatusCode is null or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
        || (int)StatusCode >= 500;

    /// <summary>
    /// Creates the exception of an error response, with the service's message: the <c>errorMessage</c> of the
    /// ingest shape, or the <c>detail</c> (else <c>title</c>) of problem details.
    /// </summary>
    /// <param name="response">The error response.</param>
    /// <param name="operation">The operation, such as <c>rotate</c>.</param>
    /// <param name="cancellationToken">Cancels reading the body.</param>
    public static Task<RoutedEmailException> FromResponseAsync(
        HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        return ProblemReader.ToExceptionAsync(response, operation, cancellationToken);
    }

    private static string Describe(string operation, HttpStatusCode? statusCode, string serviceMessage)
    {
        if (statusCode is not { } status)
        {
            return $"The {operation} request got no response: {serviceMessage} " +
                "Check the base address and that the service is running, then retry.";
        }

        var advice = status switch
        {
            HttpStatusCode.Unauthorized =>
                " Check the company code, environment, secrets region and API key; a rotated key is read again " +
                "from Secrets Manager once, so a repeated 401 means the key is not this tenant's.",
            HttpStatusCode.NotFound => string.Empty,
            HttpStatusCode.TooManyRequests => " Wait and retry.",
            >= HttpStatusCode.InternalServerError => " Nothing was changed; retry later.",
            _ => string.Empty,
        };
        return $"The {operation} request failed with HTTP {(int)status} {status}: {serviceMessage}{advice}";
    }
}

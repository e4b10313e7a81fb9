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
        : this(operation, statusCode, serviceMessage, DefaultAdvice(statusCode), innerException)
    {
    }

    /// <summary>Creates an exception whose message ends with the caller's advice in place of the default.</summary>
    /// <param name="operation">The operation, such as <c>rotate API key</c>.</param>
    /// <param name="statusCode">The HTTP status, or null when no response came.</param>
    /// <param name="serviceMessage">The service's message, or a description of the failure.</param>
    /// <param name="advice">The next step for the reader, such as which credential to check, or empty.</param>
    /// <param name="innerException">The exception behind a missing response, or null.</param>
    public RoutedEmailException(
        string operation,
        HttpStatusCode? statusCode,
        string serviceMessage,
        string advice,
        Exception? innerException)
        : base(Describe(operation, statusCode, serviceMessage, advice), innerException)
    {
        Operation = operation;
        StatusCode = statusCode;
        ServiceMessage = serviceMessage;
        Advice = advice;
    }

    /// <summary>The operation that failed, such as <c>send</c>, <c>get</c>, <c>cancel</c> or <c>explain</c>.</summary>
    public string Operation { get; }

    /// <summary>The HTTP status, or null when no response came.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The service's error message, such as <c>Item 0, field "ownerId": ...</c>.</summary>
    public string ServiceMessage { get; }

    /// <summary>The next step that ends <see cref="Exception.Message"/>, or empty when there is none.</summary>
    public string Advice { get; }

    /// <summary>
    /// True when the service rejected the API key or the tenant headers: HTTP 401, or the 429 of
    /// <see cref="IsKeyCheckRateLimited"/>.
    /// </summary>
    public bool IsAuthenticationFailure => StatusCode == HttpStatusCode.Unauthorized || IsKeyCheckRateLimited;

    /// <summary>
    /// True when the service rate-limited this client after too many rejected API keys: HTTP 429 with the
    /// service's <c>ApiKey</c> <c>WWW-Authenticate</c> challenge. Requests with a valid key still succeed, so
    /// waiting does not help while the key is wrong.
    /// </summary>
    public bool IsKeyCheckRateLimited { get; internal init; }

    /// <summary>
    /// True when the response did not come from a RoutedEmail service, such as an HTML page, JSON of another
    /// shape, or a 404 without the service's problem details: the base address is probably wrong. Nothing was
    /// sent to the service, so a send queued nothing.
    /// </summary>
    public bool IsUnexpectedResponse { get; internal init; }

    /// <summary>
    /// True when the failure may pass: no response, HTTP 408, 429 (except <see cref="IsKeyCheckRateLimited"/>) or
    /// 5xx.
    /// </summary>
    public bool IsTransient =>
        (StatusCode is null or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
            || (int)StatusCode >= 500)
        && !IsKeyCheckRateLimited;

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

    /// <summary>
    /// Returns the advice for a status when the caller has none of its own. A 401 names no credential, because
    /// only the caller knows whether it sent an API key, from where, or an admin token.
    /// </summary>
    private static string DefaultAdvice(HttpStatusCode? statusCode) => statusCode switch
    {
        null => "Check the base address and that the service is running, then retry.",
        HttpStatusCode.Unauthorized => "Check the credentials sent with the request.",
        HttpStatusCode.TooManyRequests => "Wait and retry.",
        >= HttpStatusCode.InternalServerError => "Retry later.",
        _ => string.Empty,
    };

    private static string Describe(
        string operation, HttpStatusCode? statusCode, string serviceMessage, string advice)
    {
        var ending = advice.Length == 0 ? string.Empty : " " + advice;
        return statusCode is { } status
            ? $"The {operation} request failed with HTTP {(int)status} {status}: {serviceMessage}{ending}"
            : $"The {operation} request got no response: {serviceMessage}{ending}";
    }
}

using System.Text.Json;

namespace RoutedEmail.Client;

/// <summary>
/// Turns an error response into a <see cref="RoutedEmailException"/> carrying the service's message: the
/// <c>errorMessage</c> of the ingest shape, or the <c>detail</c> (else <c>title</c>) of problem details.
/// </summary>
internal static class ProblemReader
{
    private const int MaxBodyInMessage = 500;

    public static async Task<RoutedEmailException> ToExceptionAsync(
        HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!KeyRejection.IsRateLimited(response))
        {
            return new RoutedEmailException(operation, response.StatusCode, ServiceMessage(body));
        }

        return new RoutedEmailException(
            operation, response.StatusCode, ServiceMessage(body),
            "Waiting does not help while the key is wrong: check the credentials sent with the request.", null)
        {
            IsKeyCheckRateLimited = true,
        };
    }

    /// <summary>
    /// Creates the exception of a response that is not the service's, naming the status and the start of the body.
    /// </summary>
    public static async Task<RoutedEmailException> UnexpectedAsync(
        HttpResponseMessage response, string operation, string expected, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var start = string.IsNullOrWhiteSpace(body)
            ? "no body"
            : $"a body that starts with \"{(body.Length <= 80 ? body : body[..80] + "...")}\"";
        var address = response.RequestMessage?.RequestUri?.GetLeftPart(UriPartial.Authority) ?? "the base address";
        return new RoutedEmailException(
            operation, response.StatusCode,
            $"The response is not {expected}: HTTP {(int)response.StatusCode} with {start}.",
            $"Check that the base address ({address}) is the RoutedEmail service.", null)
        {
            IsUnexpectedResponse = true,
        };
    }

    internal static string ServiceMessage(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return "The response has no body.";
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var name in new[] { "errorMessage", "detail", "title" })
                {
                    if (document.RootElement.TryGetProperty(name, out var value)
                        && value.ValueKind == JsonValueKind.String
                        && !string.IsNullOrWhiteSpace(value.GetString()))
                    {
                        return value.GetString()!;
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON, such as a proxy's HTML page, so the start of the body is the best message there is.
        }

        return body.Length <= MaxBodyInMessage ? body : body[..MaxBodyInMessage] + "...";
    }
}

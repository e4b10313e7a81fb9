using System.Net;

namespace RoutedEmail.Client;

/// <summary>
/// Recognises a response to a rejected API key: HTTP 401, or HTTP 429 with the service's <c>ApiKey</c>
/// <c>WWW-Authenticate</c> challenge, which the service sends when a client is past its limit of failed key checks.
/// Only another key changes the outcome of such a 429, so it is not retried like a throttle.
/// </summary>
internal static class KeyRejection
{
    private const string ChallengeScheme = "ApiKey";

    public static bool IsRejected(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.Unauthorized || IsRateLimited(response);

    public static bool IsRateLimited(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.TooManyRequests
        && response.Headers.WwwAuthenticate.Any(challenge =>
            string.Equals(challenge.Scheme, ChallengeScheme, StringComparison.OrdinalIgnoreCase));
}

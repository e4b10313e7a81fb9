using System.Net;
using Microsoft.AspNetCore.SignalR.Client;

namespace RoutedEmail.Web.Services;

/// <summary>
/// Reconnects to the agent hub for as long as the page is open: after about 1 and 2 seconds, then about every 5
/// seconds. Each wait varies by up to half a second, so the desktops of a restarted server do not all reconnect at
/// the same moment, and none reconnects at once to a server that is still stopping. The server keeps an agent's
/// status for <c>Agents:HubDisconnectTimeout</c> (default 2 minutes) after its last connection closed, so a short
/// drop or a server restart loses nothing. It stops only when the server rejects the token, because then no retry
/// can succeed.
/// </summary>
public sealed class EndlessRetryPolicy : IRetryPolicy
{
    private static readonly TimeSpan[] FirstDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];

    private static readonly TimeSpan LaterDelay = TimeSpan.FromSeconds(5);

    public TimeSpan? NextRetryDelay(RetryContext retryContext)
    {
        if (IsUnauthorized(retryContext.RetryReason))
        {
            return null;
        }

        var delay = retryContext.PreviousRetryCount < FirstDelays.Length
            ? FirstDelays[retryContext.PreviousRetryCount]
            : LaterDelay;
        return delay + TimeSpan.FromSeconds(Random.Shared.NextDouble() - 0.5);
    }

    /// <summary>Whether a failure is the server's 401 to the negotiate request: the session ended.</summary>
    public static bool IsUnauthorized(Exception? exception) =>
        exception is HttpRequestException { StatusCode: HttpStatusCode.Unauthorized };
}

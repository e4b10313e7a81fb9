using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;
using RoutedEmail.Server.Hosting;

namespace RoutedEmail.Server.Security;

/// <summary>
/// Counts failed API key checks per client address in fixed windows of <see cref="ApiKeyOptions.FailureWindow"/>.
/// Past <see cref="ApiKeyOptions.FailureLimit"/> failures, further failures of that address in the window are
/// rate-limited. Successes are never limited, so a tenant's valid traffic from the same address keeps working.
/// </summary>
/// <remarks>
/// The counts live in this node's memory, so with several nodes each counts its own requests and a client spread
/// over N nodes by a load balancer gets up to N times the limit. A shared count would cost a database write per
/// failed check, which a client with wrong keys could then drive. The client address is the connection's remote
/// address, or the address forwarded by a reverse proxy listed in <c>ForwardedHeaders</c> (see ProxyHeaders).
/// NOTE: each IPv6 address counts on its own, so a client that spreads its requests over a /64 prefix is not
/// limited.
/// </remarks>
internal sealed class AuthenticationFailureLimiter(IOptions<ApiKeyOptions> options, TimeProvider time)
{
    // Above this many addresses, the ones whose window ended are removed on the next failure.
    private const int PruneThreshold = 10_000;

    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    /// <summary>
    /// Records a failure of the client and returns how long it must wait when the failure is past the limit, or null
    /// when it is within it, and whether it is the first failure past the limit in this window.
    /// </summary>
    public (TimeSpan? RetryAfter, bool FirstPastLimit) RecordFailure(IPAddress? client)
    {
        var now = time.GetUtcNow();
        var length = options.Value.FailureWindow;
        if (_windows.Count > PruneThreshold)
        {
            Prune(now, length);
        }

        var window = _windows.AddOrUpdate(
            Key(client),
            _ => new Window(now, 1),
            (_, current) => now >= current.Start + length ? new Window(now, 1) : current with
            {
                Failures = current.Failures + 1,
            });
        var limit = options.Value.FailureLimit;
        if (window.Failures <= limit)
        {
            return (null, false);
        }

        // Retry-After is in whole seconds, and a client must not come back before the window ends.
        var remaining = window.Start + length - now;
        var retryAfter = TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(remaining.TotalSeconds)));
        return (retryAfter, window.Failures == limit + 1);
    }

    private void Prune(DateTimeOffset now, TimeSpan length)
    {
        foreach (var (key, window) in _windows)
        {
            if (now >= window.Start + length)
            {
                _windows.TryRemove(key, out _);
            }
        }
    }

    private static string Key(IPAddress? client) =>
        client is null ? "unknown" : (client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client).ToString();

    private sealed record Window(DateTimeOffset Start, int Failures);
}

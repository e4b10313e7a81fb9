using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;

namespace RoutedEmail.Server.Users;

/// <summary>
/// Counts failed sign-ins per user and per client address in fixed windows of <see cref="UserSignInOptions.FailureWindow"/>,
/// so that guessing one user's password, or many users' passwords from one address, gets 429. A user's own limit
/// blocks only that user, so the tenant's other users can still sign in from other addresses.
/// </summary>
/// <remarks>The counts live in this node's memory: each node of a cluster counts on its own.</remarks>
internal sealed class SignInFailureLimiter(IOptions<UserSignInOptions> options, TimeProvider time)
{
    private const int PruneThreshold = 10_000;

    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    /// <summary>Returns the wait before the next attempt when the user or the client is past its limit, or null.</summary>
    public TimeSpan? CheckBlocked(long tenantId, string userId, IPAddress? client)
    {
        var now = time.GetUtcNow();
        var settings = options.Value;
        var userWait = Wait(UserKey(tenantId, userId), settings.FailureLimitPerUser, now);
        var clientWait = Wait(ClientKey(client), settings.FailureLimitPerClient, now);
        if (userWait is null || clientWait is null)
        {
            return userWait ?? clientWait;
        }

        return userWait > clientWait ? userWait : clientWait;
    }

    /// <summary>Counts a failed sign-in of the user from the client.</summary>
    public void RecordFailure(long tenantId, string userId, IPAddress? client)
    {
        var now = time.GetUtcNow();
        Count(UserKey(tenantId, userId), now);
        Count(ClientKey(client), now);
    }

    /// <summary>Forgets the user's failures after a successful sign-in, so an earlier typo no longer counts.</summary>
    public void RecordSuccess(long tenantId, string userId) => _windows.TryRemove(UserKey(tenantId, userId), out _);

    private TimeSpan? Wait(string key, int limit, DateTimeOffset now)
    {
        if (!_windows.TryGetValue(key, out var window) || window.Failures < limit)
        {
            return null;
        }

        var end = window.Start + options.Value.FailureWindow;
        return end > now ? end - now : null;
    }

    private void Count(string key, DateTimeOffset now)
    {
        var length = options.Value.FailureWindow;
        _windows.AddOrUpdate(
            key,
            _ => new Window(now, 1),
            (_, window) => window.Start + length > now ? window with { Failures = window.Failures + 1 } : new(now, 1));
        if (_windows.Count > PruneThreshold)
        {
            foreach (var (staleKey, window) in _windows)
            {
                if (window.Start + length <= now)
                {
                    _windows.TryRemove(staleKey, out _);
                }
            }
        }
    }

    private static string UserKey(long tenantId, string userId) => $"user:{tenantId}:{userId}";

    private static string ClientKey(IPAddress? client) =>
        "client:" + (client is null ? "unknown" : (client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client));

    private sealed record Window(DateTimeOffset Start, int Failures);
}

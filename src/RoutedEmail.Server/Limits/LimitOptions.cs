namespace RoutedEmail.Server.Limits;

/// <summary>
/// Per-tenant request rate limits, bound from the <c>RateLimits</c> configuration section. Each node counts its own
/// requests, so behind a load balancer over N nodes a tenant gets up to N times these limits.
/// </summary>
public sealed class RateLimitOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "RateLimits";

    /// <summary>
    /// Ingest requests per tenant and API key. Default: 1000 requests per 10 seconds, no queue. A request counts
    /// once whatever its number of items, which <c>Ingest:MaxItems</c> caps.
    /// </summary>
    public RateLimitRule Ingest { get; set; } = new();

    /// <summary>
    /// Requests under <c>/api/v1</c> per caller: per credential (API key, bearer token or session cookie), or per
    /// client address for requests without one. Default: 6000 requests per 10 seconds, no queue, so that an
    /// integrator can look up the state of thousands of open emails in a minute.
    /// </summary>
    public RateLimitRule Api { get; set; } = new() { PermitLimit = 6000 };
}

/// <summary>A fixed-window rate limit: at most <see cref="PermitLimit"/> requests in each <see cref="Window"/>.</summary>
public sealed class RateLimitRule
{
    /// <summary>
    /// Requests allowed per window and partition; 0 turns the limit off. Default: 1000 for ingest, 6000 for the API.
    /// </summary>
    public int PermitLimit { get; set; } = 1000;

    /// <summary>The length of a window. Default: 10 seconds.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Requests past the limit that wait, oldest first, for the next window instead of being rejected at once.
    /// Default: 0, so every request past the limit gets 429 at once and keeps no connection waiting.
    /// </summary>
    public int QueueLimit { get; set; }

    /// <summary>Whether the rule limits anything.</summary>
    public bool Enabled => PermitLimit > 0;
}

/// <summary>Kestrel's connection and request body limits, bound from the <c>Limits</c> configuration section.</summary>
public sealed class ServerLimitOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Limits";

    /// <summary>
    /// Open HTTP connections per node; 0 turns the limit off. Connections past it are closed at once. Default:
    /// 10000.
    /// </summary>
    public long MaxConcurrentConnections { get; set; } = 10_000;

    /// <summary>
    /// Open upgraded connections per node, which are the WebSocket connections of the agent and supervisor hubs;
    /// 0 turns the limit off. Default: 5000, one per signed-in agent or supervisor page.
    /// </summary>
    public long MaxConcurrentUpgradedConnections { get; set; } = 5_000;

    /// <summary>
    /// The largest request body in bytes on every path but ingest, which has <c>Ingest:MaxBodyBytes</c>; 0 turns the
    /// limit off. Default: 1 MiB (1048576).
    /// </summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;
}

namespace RoutedEmail.Server.Hosting;

/// <summary>Ingest settings, bound from the <c>Ingest</c> configuration section.</summary>
public sealed class IngestOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Ingest";

    /// <summary>
    /// How long after an email closes a re-send of its entity id is still treated as a retry and ignored.
    /// Default: 24 hours. After it, the same entity id starts a new email.
    /// </summary>
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromHours(24);
}

/// <summary>Agent sign-in settings, bound from the <c>Agents</c> configuration section.</summary>
public sealed class AgentOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Agents";

    /// <summary>How long an agent token stays valid after sign-in. Default: 12 hours, a long shift.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// How long an agent who does not use the hub may go without an authenticated request before it becomes
    /// Offline. Default: 30 minutes.
    /// </summary>
    public TimeSpan RestInactivityTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How long after its last hub connection closed an agent becomes Offline, unless it reconnects. Default:
    /// 2 minutes, enough for a client to reconnect after a network drop.
    /// </summary>
    public TimeSpan HubDisconnectTimeout { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>API key settings, bound from the <c>ApiKeys</c> configuration section.</summary>
public sealed class ApiKeyOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "ApiKeys";

    /// <summary>
    /// How long the previous key stays valid after a rotation. Default: 2 hours, longer than the one hour for which
    /// clients may cache a key.
    /// </summary>
    public TimeSpan PreviousKeyGracePeriod { get; set; } = TimeSpan.FromHours(2);

    /// <summary>
    /// Days between scheduled rotations for a tenant that publishes its key to AWS Secrets Manager and sets no
    /// <c>keyRotationDays</c>. Default: 30.
    /// </summary>
    public int DefaultRotationDays { get; set; } = 30;

    /// <summary>
    /// The wait before the first retry of a failed write to Secrets Manager. Each further failure doubles it, up to
    /// <see cref="PublishRetryMaxDelay"/>. Default: 30 seconds.
    /// </summary>
    public TimeSpan PublishRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between retries of a failed write. Default: 15 minutes.</summary>
    public TimeSpan PublishRetryMaxDelay { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Failed API key checks from one client address within <see cref="FailureWindow"/> after which its further
    /// failures get 429 instead of 401. Default: 20.
    /// </summary>
    public int FailureLimit { get; set; } = 20;

    /// <summary>The window in which failed API key checks of one client address are counted. Default: 1 minute.</summary>
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Operator settings, bound from the <c>Admin</c> configuration section.</summary>
public sealed class AdminOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Admin";

    /// <summary>
    /// The operator's bearer token for the admin API, at least 32 characters. Default: none, in which case the
    /// first start generates one into the file <c>admin-token</c> in the data directory.
    /// </summary>
    public string? Token { get; set; }
}

/// <summary>Settings of this node's heartbeat, bound from the <c>Nodes</c> configuration section.</summary>
public sealed class NodeOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Nodes";

    /// <summary>How often the node stores its heartbeat in the database. Default: 5 seconds.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long after its last heartbeat a node counts as stopped, so that another node removes its hub connections
    /// and their agents' hub disconnect timeout runs from that heartbeat. At least twice
    /// <see cref="HeartbeatInterval"/>. Default: 30 seconds.
    /// </summary>
    public TimeSpan NodeTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

namespace RoutedEmail.Server.Webhooks;

/// <summary>Webhook delivery settings, bound from the <c>Webhooks</c> configuration section.</summary>
public sealed class WebhookOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Webhooks";

    /// <summary>
    /// Whether webhook URLs may point at loopback addresses (127.0.0.0/8, ::1). Default: false. Meant for tests
    /// and for a receiver on the same host.
    /// </summary>
    public bool AllowLoopbackTargets { get; set; }

    /// <summary>
    /// Whether webhook URLs may point at private networks: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16,
    /// 100.64.0.0/10 (shared address space) and fc00::/7 (unique local). Default: false. Link-local addresses,
    /// where cloud metadata services listen, stay rejected.
    /// </summary>
    public bool AllowPrivateNetworkTargets { get; set; }

    /// <summary>
    /// How long one attempt may take, from connecting to the end of the response headers. Default: 10 s.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The upper bound of the wait before the first retry. Default: 5 s.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The factor by which the upper bound grows with each failed attempt. Default: 2.</summary>
    public double RetryBackoffFactor { get; set; } = 2;

    /// <summary>
    /// The largest wait between two attempts, for the backoff and for a receiver's <c>Retry-After</c>.
    /// Default: 1 hour.
    /// </summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Attempts per delivery, the first included, after which it is dead-lettered. Default: 10.</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>
    /// How often each node looks for new events and due retries when nothing wakes it earlier. Default: 1 s.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many deliveries one node sends at the same time. Default: 4.</summary>
    public int MaxConcurrentDeliveries { get; set; } = 4;

    /// <summary>
    /// How long a claimed delivery stays reserved for the node that claimed it: the timeout plus one minute, so a
    /// node that stopped mid-send leaves the delivery to another node after that.
    /// </summary>
    internal TimeSpan LeaseDuration => Timeout + TimeSpan.FromMinutes(1);

    /// <summary>
    /// Binds the section and checks it when the service starts, so that a value out of range stops the start with
    /// a message naming the setting.
    /// </summary>
    internal static void AddTo(WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhookOptions>()
            .Bind(builder.Configuration.GetSection(SectionName))
            .Validate(options => options.Timeout > TimeSpan.Zero && options.Timeout <= TimeSpan.FromMinutes(5),
                "Webhooks:Timeout is out of range. Set a time span above zero and at most 00:05:00.")
            .Validate(options => options.FirstRetryDelay > TimeSpan.Zero
                    && options.MaxRetryDelay >= options.FirstRetryDelay,
                "Webhooks:FirstRetryDelay or Webhooks:MaxRetryDelay is out of range. Set FirstRetryDelay above " +
                "zero and MaxRetryDelay at least as long, such as the defaults 00:00:05 and 01:00:00.")
            .Validate(options => options.RetryBackoffFactor is >= 1 and <= 10,
                "Webhooks:RetryBackoffFactor is out of range. Set a number from 1 to 10, such as the default 2.")
            .Validate(options => options.MaxAttempts is >= 1 and <= 100,
                "Webhooks:MaxAttempts is out of range. Set a whole number from 1 to 100, such as the default 10.")
            .Validate(options => options.PollInterval > TimeSpan.Zero
                    && options.PollInterval <= TimeSpan.FromMinutes(10),
                "Webhooks:PollInterval is out of range. Set a time span above zero and at most 00:10:00.")
            .Validate(options => options.MaxConcurrentDeliveries is >= 1 and <= 64,
                "Webhooks:MaxConcurrentDeliveries is out of range. Set a whole number from 1 to 64.")
            .ValidateOnStart();
    }
}

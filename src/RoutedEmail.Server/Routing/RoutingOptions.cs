namespace RoutedEmail.Server.Routing;

/// <summary>Routing settings, bound from the <c>Routing</c> configuration section.</summary>
public sealed class RoutingOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Routing";

    /// <summary>The largest allowed <see cref="DeclineSkipSeconds"/>: one day.</summary>
    public const int MaxDeclineSkipSeconds = 86_400;

    /// <summary>
    /// The skip period in seconds: an agent who declined an email, or let its offer expire, is not offered that
    /// email again for this long, even when no other agent can take it. 0 turns the rule off. Default: 300.
    /// </summary>
    public int DeclineSkipSeconds { get; set; } = 300;

    /// <summary>The skip period as a time span.</summary>
    public TimeSpan DeclineSkip => TimeSpan.FromSeconds(DeclineSkipSeconds);

    /// <summary>
    /// Binds the section and checks it when the service starts, so that a value out of range stops the start with a
    /// message naming the setting.
    /// </summary>
    internal static void AddTo(WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RoutingOptions>()
            .Bind(builder.Configuration.GetSection(SectionName))
            .Validate(
                options => options.DeclineSkipSeconds is >= 0 and <= MaxDeclineSkipSeconds,
                $"Routing:DeclineSkipSeconds is out of range. Set 0 (no skip) to {MaxDeclineSkipSeconds} seconds.")
            .ValidateOnStart();
    }
}

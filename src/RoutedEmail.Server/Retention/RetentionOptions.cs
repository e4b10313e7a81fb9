namespace RoutedEmail.Server.Retention;

/// <summary>Settings of the expiry job, bound from the <c>Retention</c> configuration section.</summary>
public sealed class RetentionOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Retention";

    /// <summary>How often each node runs expiry over every tenant. Default: 1 hour.</summary>
    public TimeSpan ExpiryInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The maximum number of rows one delete transaction removes. Default: 500, so that a run never keeps the
    /// SQLite writer long.
    /// </summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>Binds the section and checks it when the service starts.</summary>
    internal static void AddTo(WebApplicationBuilder builder) =>
        builder.Services.AddOptions<RetentionOptions>()
            .Bind(builder.Configuration.GetSection(SectionName))
            .Validate(options => options.ExpiryInterval >= TimeSpan.FromMinutes(1),
                "Retention:ExpiryInterval is shorter than one minute. Set a time span such as 01:00:00 (one hour).")
            .Validate(options => options.BatchSize is >= 1 and <= 100_000,
                "Retention:BatchSize is out of range. Set a whole number from 1 to 100000, such as the default 500.")
            .ValidateOnStart();
}

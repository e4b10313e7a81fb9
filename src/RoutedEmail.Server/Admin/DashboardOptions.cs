using Microsoft.Extensions.Options;

namespace RoutedEmail.Server.Admin;

/// <summary>The <c>Dashboard</c> settings: the supervisor push and the samples behind the dashboard's charts.</summary>
public sealed class DashboardOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Dashboard";

    /// <summary>
    /// The minimum time between two <c>changed</c> pushes to one tenant's supervisors. Changes within it are
    /// merged into one push at its end. Default 500 milliseconds.
    /// </summary>
    public TimeSpan PushInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often each node records every queue's figures for the charts. Default one minute.</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long samples are kept, which also limits how far back the history reads. Default 48 hours.
    /// </summary>
    public TimeSpan SampleRetention { get; set; } = TimeSpan.FromHours(48);

    /// <summary>The maximum <c>hours</c> of the history endpoint: the retention in whole hours, at least 1.</summary>
    internal int MaxHistoryHours => Math.Max(1, (int)SampleRetention.TotalHours);

    /// <summary>Binds the section and checks it when the service starts.</summary>
    internal static void AddTo(WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DashboardOptions>()
            .Bind(builder.Configuration.GetSection(SectionName))
            .Validate(options => options.PushInterval > TimeSpan.Zero && options.SampleInterval > TimeSpan.Zero,
                "Dashboard:PushInterval or Dashboard:SampleInterval is not positive. Set a positive time span, " +
                "such as the defaults 00:00:00.5 and 00:01:00.")
            .Validate(options => options.SampleRetention >= options.SampleInterval
                    && options.SampleRetention >= TimeSpan.FromHours(1),
                "Dashboard:SampleRetention is shorter than one hour or than Dashboard:SampleInterval. Set it to at " +
                "least an hour, such as the default 2.00:00:00 (48 hours).")
            .ValidateOnStart();
    }
}

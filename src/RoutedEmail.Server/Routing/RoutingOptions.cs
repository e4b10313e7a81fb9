using Microsoft.Extensions.Options;

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

    /// <summary>The largest allowed <see cref="AttendanceCheckMilliseconds"/>: one minute.</summary>
    public const int MaxAttendanceCheckMilliseconds = 60_000;

    /// <summary>
    /// The shortest time in milliseconds between two unattended-queue checks of one tenant. A routing step within
    /// this time of the last check leaves the check to a step at the end of it, so a queue's unattended flag and its
    /// events may lag its state by up to this long. 0 checks after every step. Default: 1000.
    /// </summary>
    public int AttendanceCheckMilliseconds { get; set; } = 1000;

    /// <summary>The shortest time between two unattended-queue checks as a time span.</summary>
    public TimeSpan AttendanceCheckInterval => TimeSpan.FromMilliseconds(AttendanceCheckMilliseconds);

    /// <summary>
    /// Binds the section and checks it when the service starts, so that a value out of range stops the start with a
    /// message naming the setting, its value and the allowed range.
    /// </summary>
    internal static void AddTo(WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RoutingOptions>()
            .Bind(builder.Configuration.GetSection(SectionName))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RoutingOptions>, Validation>();
    }

    /// <summary>Checks every setting of the section and reports each value out of range.</summary>
    private sealed class Validation : IValidateOptions<RoutingOptions>
    {
        public ValidateOptionsResult Validate(string? name, RoutingOptions options)
        {
            var errors = new List<string>();
            if (options.DeclineSkipSeconds is < 0 or > MaxDeclineSkipSeconds)
            {
                errors.Add($"{SectionName}:{nameof(DeclineSkipSeconds)} is {options.DeclineSkipSeconds}, out of " +
                    $"range. Set 0 (no skip) to {MaxDeclineSkipSeconds} seconds.");
            }

            if (options.AttendanceCheckMilliseconds is < 0 or > MaxAttendanceCheckMilliseconds)
            {
                errors.Add($"{SectionName}:{nameof(AttendanceCheckMilliseconds)} is " +
                    $"{options.AttendanceCheckMilliseconds}, out of range. Set 0 (check after every routing step) " +
                    $"to {MaxAttendanceCheckMilliseconds} milliseconds.");
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}

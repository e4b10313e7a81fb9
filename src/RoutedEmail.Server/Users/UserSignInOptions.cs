namespace RoutedEmail.Server.Users;

/// <summary>User sign-in settings, bound from the <c>Users</c> configuration section.</summary>
public sealed class UserSignInOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Users";

    /// <summary>How long a token or cookie of <c>POST /api/v1/sign-in</c> stays valid. Default: 12 hours.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// Failed sign-ins of one user within <see cref="FailureWindow"/> after which further sign-ins of that user get
    /// 429. Default: 5.
    /// </summary>
    public int FailureLimitPerUser { get; set; } = 5;

    /// <summary>
    /// Failed sign-ins from one client address within <see cref="FailureWindow"/> after which further sign-ins from
    /// that address get 429, whatever the user. Default: 20.
    /// </summary>
    public int FailureLimitPerClient { get; set; } = 20;

    /// <summary>The window in which failed sign-ins are counted. Default: 5 minutes.</summary>
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(5);
}

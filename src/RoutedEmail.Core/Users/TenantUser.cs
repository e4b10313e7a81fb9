namespace RoutedEmail.Core.Users;

/// <summary>A person who signs in to a tenant, as administrators see it. The password hash is never part of it.</summary>
/// <param name="UserId">The user's id, unique within the tenant; an agent's user id is its agent id.</param>
/// <param name="DisplayName">The name shown to supervisors and administrators.</param>
/// <param name="Roles">The user's roles, each once, in the order of <see cref="UserRole"/>.</param>
/// <param name="Enabled">False while the user may not sign in.</param>
public sealed record TenantUser(string UserId, string DisplayName, IReadOnlyList<UserRole> Roles, bool Enabled)
{
    /// <summary>The minimum password length, in Unicode characters: 8.</summary>
    public const int MinPasswordLength = 8;

    /// <summary>The maximum password length, in Unicode characters: 256.</summary>
    public const int MaxPasswordLength = 256;
}

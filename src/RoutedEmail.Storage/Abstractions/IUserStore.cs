using RoutedEmail.Core.Users;

namespace RoutedEmail.Storage.Abstractions;

/// <summary>A tenant's users, their passwords and their sessions.</summary>
public interface IUserStore
{
    /// <summary>
    /// Creates or replaces a user, without an event. A null <paramref name="passwordHash"/> keeps the stored
    /// password, and a new password ends the user's sessions. A user given the Agent role who has no agent yet gets
    /// one with an empty routing profile and the default maxima.
    /// </summary>
    Task<PutOutcome> PutUserAsync(
        long tenantId, UserDefinition user, string? passwordHash, CancellationToken cancellationToken);

    /// <summary>
    /// Creates or replaces a user as the other overload does, and appends <c>ResourceCreated</c> or
    /// <c>ResourceChanged</c> of kind <c>User</c> that names <paramref name="actor"/>, in the same transaction. A
    /// null actor appends nothing.
    /// </summary>
    Task<PutOutcome> PutUserAsync(
        long tenantId, UserDefinition user, string? passwordHash, string? actor, CancellationToken cancellationToken);

    /// <summary>Finds a user by id.</summary>
    Task<TenantUser?> GetUserAsync(long tenantId, string userId, CancellationToken cancellationToken);

    /// <summary>Lists the tenant's users by id.</summary>
    Task<IReadOnlyList<TenantUser>> ListUsersAsync(long tenantId, CancellationToken cancellationToken);

    /// <summary>Finds what sign-in checks: the password hash, the roles and whether the user is enabled.</summary>
    Task<UserCredentials?> FindCredentialsAsync(long tenantId, string userId, CancellationToken cancellationToken);

    /// <summary>Stores a new session of a user and appends a <c>UserSignedIn</c> event.</summary>
    Task CreateSessionAsync(
        long tenantId, string userId, byte[] tokenHash, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Finds an unexpired session of an enabled user by token hash, with the user's current roles.</summary>
    Task<UserSession?> FindSessionAsync(byte[] tokenHash, CancellationToken cancellationToken);

    /// <summary>Deletes a session, so that its token stops being accepted at once.</summary>
    Task EndSessionAsync(byte[] tokenHash, CancellationToken cancellationToken);

    /// <summary>
    /// Enables or disables a user. Disabling ends the user's sessions and sets its agent, if any, Offline, which
    /// withdraws its pending offers. Appends <c>ResourceDisabled</c> or <c>ResourceEnabled</c> of kind <c>User</c>
    /// that names <paramref name="actor"/>.
    /// </summary>
    /// <returns>The change, or <see cref="LifecycleStatus.NotFound"/>.</returns>
    Task<LifecycleOutcome> SetUserEnabledAsync(
        long tenantId, string userId, bool enabled, string actor, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a user with its sessions and its agent. An agent with open emails (offered, active or in wrap) is
    /// not deleted. Appends <c>ResourceDeleted</c> of kind <c>User</c> that names <paramref name="actor"/>.
    /// </summary>
    Task<LifecycleOutcome> DeleteUserAsync(
        long tenantId, string userId, string actor, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the agent of a user: its routing profile and the Agent role. A user with no other role is deleted.
    /// An agent with open emails is not deleted. Appends <c>ResourceDeleted</c> of kind <c>Agent</c> that names
    /// <paramref name="actor"/>.
    /// </summary>
    Task<LifecycleOutcome> DeleteAgentAsync(
        long tenantId, string agentId, string actor, CancellationToken cancellationToken);
}

/// <summary>A user as an administrator writes it.</summary>
/// <param name="UserId">The user's id.</param>
/// <param name="DisplayName">The name shown to supervisors and administrators.</param>
/// <param name="Roles">The roles, at least one.</param>
public sealed record UserDefinition(string UserId, string DisplayName, IReadOnlyList<UserRole> Roles);

/// <summary>What sign-in checks.</summary>
/// <param name="PasswordHash">The stored password hash.</param>
/// <param name="Roles">The user's roles.</param>
/// <param name="Enabled">False while the user may not sign in.</param>
public sealed record UserCredentials(string PasswordHash, IReadOnlyList<UserRole> Roles, bool Enabled);

/// <summary>A signed-in user's session.</summary>
/// <param name="TenantId">The user's tenant.</param>
/// <param name="UserId">The user.</param>
/// <param name="Roles">The user's roles now, not at sign-in.</param>
/// <param name="ExpiresAt">When the token stops being accepted.</param>
public sealed record UserSession(long TenantId, string UserId, IReadOnlyList<UserRole> Roles, DateTimeOffset ExpiresAt);

/// <summary>The outcome of disabling, enabling or deleting an administered resource.</summary>
/// <param name="Status">What happened.</param>
/// <param name="OpenEmails">For <see cref="LifecycleStatus.HasOpenEmails"/>, the count of open emails.</param>
/// <param name="UsedBy">For <see cref="LifecycleStatus.InUse"/>, the names of the resources that use it.</param>
/// <param name="UsedByKind">For <see cref="LifecycleStatus.InUse"/>, what kind of resource uses it.</param>
public sealed record LifecycleOutcome(
    LifecycleStatus Status, int OpenEmails = 0, IReadOnlyList<string>? UsedBy = null, string? UsedByKind = null);

/// <summary>What a disable, enable or delete did.</summary>
public enum LifecycleStatus
{
    /// <summary>The resource changed.</summary>
    Done,

    /// <summary>The resource was already in the requested state, so nothing changed.</summary>
    Unchanged,

    /// <summary>The resource does not exist.</summary>
    NotFound,

    /// <summary>Open emails depend on the resource, so nothing changed.</summary>
    HasOpenEmails,

    /// <summary>Another resource refers to this one, so nothing changed.</summary>
    InUse,

    /// <summary>The user is the tenant's only enabled Administrator, so nothing changed.</summary>
    LastAdministrator,
}

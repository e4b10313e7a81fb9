using RoutedEmail.Core.Users;

namespace RoutedEmail.Server.Users;

/// <summary>The body of <c>POST /api/v1/sign-in</c>.</summary>
/// <param name="CompanyCode">The tenant's company code.</param>
/// <param name="Environment">The tenant's environment.</param>
/// <param name="UserId">The user's id; an agent's user id is its agent id.</param>
/// <param name="Password">The user's password.</param>
/// <param name="Persistent">
/// With <c>?cookie=true</c> only: whether the cookie outlives the browser session, until the session expires.
/// Default: false, a cookie that the browser drops when it closes.
/// </param>
public sealed record UserSignInRequest(
    string? CompanyCode, string? Environment, string? UserId, string? Password, bool? Persistent = null);

/// <summary>A new user session.</summary>
/// <param name="Token">The bearer token for the admin, report and agent APIs that the roles allow.</param>
/// <param name="UserId">The signed-in user.</param>
/// <param name="Roles">The user's roles.</param>
/// <param name="ExpiresAt">When the token and the cookie stop being accepted.</param>
public sealed record UserSignInResponse(
    string Token, string UserId, IReadOnlyList<UserRole> Roles, DateTimeOffset ExpiresAt);

/// <summary>The body of a user PUT.</summary>
/// <param name="DisplayName">The name shown to supervisors and administrators, at most 200 characters. Default: the user id.</param>
/// <param name="Password">
/// 8 to 256 characters; required for a new user, and a missing one keeps the stored password. A new password signs
/// the user out everywhere.
/// </param>
/// <param name="Roles">Agent, Supervisor or Administrator, at least one, each once.</param>
public sealed record UserRequest(string? DisplayName, string? Password, IReadOnlyList<string?>? Roles);

/// <summary>The body of <c>PUT /api/v1/tenants/{company}/{environment}/agents/{agentId}/status</c>.</summary>
/// <param name="Status">Available, Away or Offline.</param>
/// <param name="Reason">With Away only: one of the tenant's enabled away reason codes. Default: none.</param>
public sealed record SupervisorStatusRequest(string? Status, string? Reason = null);

/// <summary>The body of a supervisor's transfer; send exactly one field.</summary>
/// <param name="SkillQueue">The skill queue where the email waits as Queued, keeping its priority and enqueue time.</param>
/// <param name="AgentId">The agent who gets the email as a new offer.</param>
public sealed record SupervisorTransferRequest(string? SkillQueue, string? AgentId);

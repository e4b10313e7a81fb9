using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using RoutedEmail.Core.Emails;
using RoutedEmail.Core.Users;
using RoutedEmail.Server.Admin;
using RoutedEmail.Server.Agents;
using RoutedEmail.Server.Routing;
using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Users;

/// <summary>A tenant's users: create, read, disable and delete. Only Administrators and the operator use them.</summary>
internal static class UserEndpoints
{
    private const int MaxUserIdLength = 128;

    public static void MapUsers(this RouteGroupBuilder tenant)
    {
        tenant.MapPut("/users/{userId}", PutAsync).WithSummary("Creates or replaces a user with its roles.");
        tenant.MapGet("/users/{userId}", GetAsync).WithSummary("Reads a user.");
        tenant.MapGet("/users", ListAsync).WithSummary("Lists the tenant's users.");
        tenant.MapDelete("/users/{userId}", DeleteAsync)
            .WithSummary("Deletes a user and its agent; 409 while the agent has open emails.");
        tenant.MapPost("/users/{userId}/disable", (HttpContext context, string userId, ClaimsPrincipal user,
                UserLifecycle lifecycle, CancellationToken cancellationToken) =>
                lifecycle.SetEnabledAsync(context, userId, false, user, cancellationToken))
            .WithSummary("Disables a user: it cannot sign in, its sessions end and its agent goes Offline.");
        tenant.MapPost("/users/{userId}/enable", (HttpContext context, string userId, ClaimsPrincipal user,
                UserLifecycle lifecycle, CancellationToken cancellationToken) =>
                lifecycle.SetEnabledAsync(context, userId, true, user, cancellationToken))
            .WithSummary("Enables a disabled user again.");
    }

    private static async Task<Results<Ok<TenantUser>, Created<TenantUser>, ValidationProblem, ProblemHttpResult>> PutAsync(
        HttpContext context, string userId, UserRequest request, ClaimsPrincipal user, IUserStore users,
        IPasswordHasher<AgentAccount> hasher, IRoutingTrigger router, IAgentNotifier notifier,
        CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Get(context);
        var validation = new RequestValidation();
        validation.CheckPathName("userId", userId, MaxUserIdLength);
        // Like a missing password, a missing display name keeps the stored one; a new user gets its id.
        var displayName = request.DisplayName
            ?? (await users.GetUserAsync(tenant.Id, userId, cancellationToken))?.DisplayName
            ?? userId;
        validation.CheckLength("displayName", displayName, 1, 200);
        CheckPassword(validation, request.Password);
        var roles = ReadRoles(validation, request.Roles);
        if (!validation.IsValid)
        {
            return (ValidationProblem)validation.ToProblem();
        }

        var passwordHash = request.Password is null
            ? null
            : hasher.HashPassword(new AgentAccount(tenant.Id, userId), request.Password);
        var outcome = await users.PutUserAsync(
            tenant.Id, new UserDefinition(userId, displayName, roles), passwordHash, TenantAccess.ReadActor(user),
            cancellationToken);
        if (outcome.PasswordRequired)
        {
            validation.Add("password", $"password is missing. A new user needs a password of " +
                $"{TenantUser.MinPasswordLength} to {TenantUser.MaxPasswordLength} characters.");
            return (ValidationProblem)validation.ToProblem();
        }

        if (outcome.LastAdministrator)
        {
            return UserLifecycle.LastAdministratorConflict(userId, "remove its Administrator role");
        }

        if (outcome.OpenEmails > 0)
        {
            return UserLifecycle.OpenEmailsConflict(userId, outcome.OpenEmails, "remove the Agent role");
        }

        // A changed role set or password can end the agent's sessions and change who serves the queues.
        router.Wake(tenant.Id);
        await notifier.NotifyAsync(tenant.Id, userId, EventTypes.AgentStatusChanged);
        var stored = (await users.GetUserAsync(tenant.Id, userId, cancellationToken))!;
        return outcome.Created
            ? TypedResults.Created(SkillQueueEndpoints.ResourcePath(context), stored)
            : TypedResults.Ok(stored);
    }

    private static async Task<Results<Ok<TenantUser>, ProblemHttpResult>> GetAsync(
        HttpContext context, string userId, IUserStore users, CancellationToken cancellationToken)
    {
        var user = await users.GetUserAsync(TenantScope.Get(context).Id, userId, cancellationToken);
        return user is null ? SkillQueueEndpoints.NotFound("user", userId) : TypedResults.Ok(user);
    }

    private static async Task<Ok<IReadOnlyList<TenantUser>>> ListAsync(
        HttpContext context, IUserStore users, CancellationToken cancellationToken) =>
        TypedResults.Ok(await users.ListUsersAsync(TenantScope.Get(context).Id, cancellationToken));

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        HttpContext context, string userId, ClaimsPrincipal user, UserLifecycle lifecycle,
        CancellationToken cancellationToken) =>
        await lifecycle.DeleteAsync(context, userId, agentOnly: false, user, cancellationToken);

    /// <summary>Checks a password's length when one is sent.</summary>
    internal static void CheckPassword(RequestValidation validation, string? password)
    {
        if (password is not null)
        {
            validation.CheckLength("password", password, TenantUser.MinPasswordLength, TenantUser.MaxPasswordLength);
        }
    }

    private static List<UserRole> ReadRoles(RequestValidation validation, IReadOnlyList<string?>? values)
    {
        const string allowed = "Agent, Supervisor or Administrator";
        if (values is null || values.Count == 0)
        {
            validation.Add("roles", $"roles is missing or empty. Send at least one of {allowed}.");
            return [];
        }

        var roles = new List<UserRole>();
        for (var index = 0; index < values.Count; index++)
        {
            var value = values[index];
            if (!Enum.TryParse<UserRole>(value, ignoreCase: false, out var role) || !Enum.IsDefined(role)
                || value != role.ToString())
            {
                validation.Add($"roles[{index}]", $"roles[{index}] \"{value}\" is not a role. Send {allowed}.");
            }
            else if (roles.Contains(role))
            {
                validation.Add($"roles[{index}]", $"Role {role} appears more than once. List each once.");
            }
            else
            {
                roles.Add(role);
            }
        }

        return roles;
    }
}

using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using RoutedEmail.Core.Emails;
using RoutedEmail.Server.Admin;
using RoutedEmail.Server.Routing;
using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Users;

/// <summary>
/// Disabling, enabling and deleting users and agents, shared by the user and agent routes. After a change it wakes
/// the router and notifies the agent's hub connections, which close when their session has ended.
/// </summary>
internal sealed partial class UserLifecycle(
    IUserStore users, IRoutingTrigger router, IAgentNotifier notifier, ILogger<UserLifecycle> logger)
{
    public async Task<Results<NoContent, ProblemHttpResult>> SetEnabledAsync(
        HttpContext context, string userId, bool enabled, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Get(context);
        var actor = TenantAccess.ReadActor(user);
        var outcome = await users.SetUserEnabledAsync(tenant.Id, userId, enabled, actor, cancellationToken);
        if (outcome.Status == LifecycleStatus.NotFound)
        {
            return SkillQueueEndpoints.NotFound("user", userId);
        }

        if (outcome.Status == LifecycleStatus.LastAdministrator)
        {
            return LastAdministratorConflict(userId, "disable it");
        }

        if (outcome.Status == LifecycleStatus.Done)
        {
            Log.EnabledChanged(logger, tenant.Id, userId, enabled, actor);
            router.Wake(tenant.Id);
            await notifier.NotifyAsync(tenant.Id, userId, EventTypes.AgentStatusChanged);
        }

        return TypedResults.NoContent();
    }

    public async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        HttpContext context, string userId, bool agentOnly, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Get(context);
        var actor = TenantAccess.ReadActor(user);
        var outcome = agentOnly
            ? await users.DeleteAgentAsync(tenant.Id, userId, actor, cancellationToken)
            : await users.DeleteUserAsync(tenant.Id, userId, actor, cancellationToken);
        switch (outcome.Status)
        {
            case LifecycleStatus.NotFound:
                return SkillQueueEndpoints.NotFound(agentOnly ? "agent" : "user", userId);
            case LifecycleStatus.HasOpenEmails:
                return OpenEmailsConflict(userId, outcome.OpenEmails, "delete it");
            case LifecycleStatus.LastAdministrator:
                return LastAdministratorConflict(userId, "delete it");
        }

        Log.Deleted(logger, tenant.Id, userId, agentOnly ? "agent" : "user", actor);
        router.Wake(tenant.Id);
        await notifier.NotifyAsync(tenant.Id, userId, EventTypes.AgentStatusChanged);
        return TypedResults.NoContent();
    }

    /// <summary>The 409 for a change that would drop an agent who still has offers or emails.</summary>
    public static ProblemHttpResult OpenEmailsConflict(string agentId, int openEmails, string change) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The agent has open emails.",
            detail: $"Agent \"{agentId}\" has {LifecycleEndpoints.OpenEmails(openEmails)} (pending offers, Active or Wrap), so you " +
            $"cannot {change} now. Let the agent complete them, or transfer or cancel them with POST " +
            ".../routed-emails/{entityId}/transfer or /cancel, then try again; wrap ends on its own and pending " +
            "offers expire. Disabling the agent stops new offers, but it also signs the agent out, so after that " +
            "only a transfer or cancel closes its emails.");

    /// <summary>The 409 for a change that would leave the tenant without an enabled Administrator.</summary>
    public static ProblemHttpResult LastAdministratorConflict(string userId, string change) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The user is the last administrator.",
            detail: $"User \"{userId}\" is the tenant's only enabled Administrator, so you cannot {change}: nobody " +
            "could manage the tenant's users, queues and keys afterwards. Give another user the Administrator role " +
            "with PUT .../users/{userId} first, then try again.");

    private static partial class Log
    {
        [LoggerMessage(9011, LogLevel.Information,
            "User {UserId} of tenant {TenantId} enabled: {Enabled}, by {Actor}")]
        public static partial void EnabledChanged(ILogger logger, long tenantId, string userId, bool enabled, string actor);

        [LoggerMessage(9012, LogLevel.Information, "{Kind} {UserId} of tenant {TenantId} deleted by {Actor}")]
        public static partial void Deleted(ILogger logger, long tenantId, string userId, string kind, string actor);
    }
}

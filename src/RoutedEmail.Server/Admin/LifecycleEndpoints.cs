using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using RoutedEmail.Server.Routing;
using RoutedEmail.Server.Security;
using RoutedEmail.Server.Users;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Admin;

/// <summary>
/// <c>POST .../{collection}/{name}/disable</c>, <c>.../enable</c> and <c>DELETE .../{collection}/{name}</c> for
/// skill queues, routed email configurations, work code groups, away reasons and agents. What a disabled or deleted
/// resource does to open emails is in docs/api.md.
/// </summary>
internal static partial class LifecycleEndpoints
{
    public static void MapLifecycle(this RouteGroupBuilder tenant)
    {
        Map(tenant, "skill-queues", AdministeredResource.SkillQueue, "skill queue");
        Map(tenant, "routed-email-configurations", AdministeredResource.Configuration, "routed email configuration");
        Map(tenant, "work-code-groups", AdministeredResource.WorkCodeGroup, "work code group");
        Map(tenant, "away-reasons", AdministeredResource.AwayReason, "away reason");

        // An agent is a user with the Agent role, so disabling an agent disables its user.
        tenant.MapPost("/agents/{agentId}/disable", (HttpContext context, string agentId, ClaimsPrincipal user,
                UserLifecycle lifecycle, CancellationToken cancellationToken) =>
                lifecycle.SetEnabledAsync(context, agentId, false, user, cancellationToken))
            .WithSummary("Disables an agent's user: it cannot sign in, is signed out and goes Offline.");
        tenant.MapPost("/agents/{agentId}/enable", (HttpContext context, string agentId, ClaimsPrincipal user,
                UserLifecycle lifecycle, CancellationToken cancellationToken) =>
                lifecycle.SetEnabledAsync(context, agentId, true, user, cancellationToken))
            .WithSummary("Enables a disabled agent's user again.");
        tenant.MapDelete("/agents/{agentId}", (HttpContext context, string agentId, ClaimsPrincipal user,
                UserLifecycle lifecycle, CancellationToken cancellationToken) =>
                lifecycle.DeleteAsync(context, agentId, agentOnly: true, user, cancellationToken))
            .WithSummary("Deletes an agent and its Agent role; 409 while it has open emails.");
    }

    private static void Map(RouteGroupBuilder tenant, string collection, AdministeredResource resource, string kind)
    {
        tenant.MapPost($"/{collection}/{{name}}/disable", (HttpContext context, string name, ClaimsPrincipal user,
                IResourceLifecycleStore store, ILoggerFactory loggers,
                CancellationToken cancellationToken) =>
                SetEnabledAsync(context, resource, kind, name, false, user, store, loggers, cancellationToken))
            .WithSummary($"Disables a {kind}.");
        tenant.MapPost($"/{collection}/{{name}}/enable", (HttpContext context, string name, ClaimsPrincipal user,
                IResourceLifecycleStore store, ILoggerFactory loggers,
                CancellationToken cancellationToken) =>
                SetEnabledAsync(context, resource, kind, name, true, user, store, loggers, cancellationToken))
            .WithSummary($"Enables a disabled {kind} again.");
        tenant.MapDelete($"/{collection}/{{name}}", (HttpContext context, string name, ClaimsPrincipal user,
                IResourceLifecycleStore store, IRoutingTrigger router, ILoggerFactory loggers,
                CancellationToken cancellationToken) =>
                DeleteAsync(context, resource, kind, name, user, store, router, loggers, cancellationToken))
            .WithSummary($"Deletes a {kind}; 409 while something depends on it.");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> SetEnabledAsync(
        HttpContext context, AdministeredResource resource, string kind, string name, bool enabled,
        ClaimsPrincipal user, IResourceLifecycleStore store, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Get(context);
        var actor = TenantAccess.ReadActor(user);
        var outcome = await store.SetEnabledAsync(tenant.Id, resource, name, enabled, actor, cancellationToken);
        if (outcome.Status == LifecycleStatus.NotFound)
        {
            return SkillQueueEndpoints.NotFound(kind, name);
        }

        if (outcome.Status == LifecycleStatus.Done)
        {
            Log.EnabledChanged(CreateLogger(loggers), tenant.Id, kind, name, enabled, actor);
        }

        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        HttpContext context, AdministeredResource resource, string kind, string name, ClaimsPrincipal user,
        IResourceLifecycleStore store, IRoutingTrigger router, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Get(context);
        var actor = TenantAccess.ReadActor(user);
        var outcome = await store.DeleteAsync(tenant.Id, resource, name, actor, cancellationToken);
        switch (outcome.Status)
        {
            case LifecycleStatus.NotFound:
                return SkillQueueEndpoints.NotFound(kind, name);
            case LifecycleStatus.HasOpenEmails:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                    title: $"The {kind} has open emails.",
                    detail: $"The {kind} \"{name}\" holds {OpenEmails(outcome.OpenEmails)} (Queued, Offered, Active " +
                    "or Wrap), so it cannot be deleted. Disable it so it takes no new email, let agents finish " +
                    "its emails or transfer or cancel them, and delete it when it holds none.");
            case LifecycleStatus.InUse:
                var names = string.Join(", ", outcome.UsedBy!.Select(used => $"\"{used}\""));
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                    title: $"The {kind} is in use.",
                    detail: $"The {kind} \"{name}\" is used by {outcome.UsedByKind} {names}, so it cannot be " +
                    $"deleted. Change or delete each {outcome.UsedByKind} so it no longer names \"{name}\", then " +
                    "delete it again.");
        }

        Log.Deleted(CreateLogger(loggers), tenant.Id, kind, name, actor);

        // A deleted queue leaves agents' routing profiles, which can change which queues are attended.
        router.Wake(tenant.Id);
        return TypedResults.NoContent();
    }

    private static ILogger CreateLogger(ILoggerFactory loggers) =>
        loggers.CreateLogger(typeof(LifecycleEndpoints).FullName!);

    private static partial class Log
    {
        [LoggerMessage(9021, LogLevel.Information,
            "The {Kind} {Name} of tenant {TenantId} enabled: {Enabled}, by {Actor}")]
        public static partial void EnabledChanged(
            ILogger logger, long tenantId, string kind, string name, bool enabled, string actor);

        [LoggerMessage(9022, LogLevel.Information, "The {Kind} {Name} of tenant {TenantId} deleted by {Actor}")]
        public static partial void Deleted(ILogger logger, long tenantId, string kind, string name, string actor);
    }

    /// <summary>Formats a count of open emails, such as "1 open email" or "3 open emails".</summary>
    internal static string OpenEmails(int count) =>
        count == 1 ? "1 open email" : $"{count.ToString(CultureInfo.InvariantCulture)} open emails";
}

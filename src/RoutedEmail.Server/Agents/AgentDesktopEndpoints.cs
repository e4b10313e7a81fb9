using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Agents;

/// <summary>
/// The read-only agent endpoint <c>GET /api/v1/agent/desktop</c>: what an agent client shows besides the agent's
/// work, such as the maxima, away reasons, work codes, transfer targets and screen-pop templates.
/// </summary>
internal static class AgentDesktopEndpoints
{
    public static void MapAgentDesktop(this WebApplication app) =>
        app.MapGroup("/api/v1/agent").WithTags("Agent").RequireAuthorization(AuthNames.AgentPolicy)
            .MapGet("/desktop", GetDesktopAsync)
            .WithSummary("Reads what the agent desktop shows besides the agent's work: maxima, away reasons, " +
                "work codes, transfer targets and screen-pop templates.");

    private static async Task<Results<Ok<DesktopContext>, ProblemHttpResult>> GetDesktopAsync(
        ClaimsPrincipal user, IConfigurationStore configuration, IAwayReasonStore awayReasons, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var tenantId = long.Parse(user.FindFirstValue(AuthNames.TenantIdClaim)!, CultureInfo.InvariantCulture);
        var agentId = user.FindFirstValue(AuthNames.AgentIdClaim)!;

        // An agent removed after its token was checked has no desktop any more.
        if (await configuration.GetAgentAsync(tenantId, agentId, cancellationToken) is not { } agent)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "The agent does not exist.",
                detail: $"Agent \"{agentId}\" no longer exists. Ask an administrator to create it again.");
        }

        var reasons = await awayReasons.ListAwayReasonsAsync(tenantId, cancellationToken);
        var queues = await configuration.ListSkillQueuesAsync(tenantId, cancellationToken);
        var groups = (await configuration.ListWorkCodeGroupsAsync(tenantId, cancellationToken))
            .ToDictionary(group => group.Name, group => group.Codes, StringComparer.Ordinal);
        var agents = await configuration.ListAgentsAsync(tenantId, cancellationToken);
        var configurations = await configuration.ListConfigurationsAsync(tenantId, cancellationToken);

        // The store returns the last change before the range start too, so this one-tick range reads only the
        // change that began the current status.
        var now = time.GetUtcNow();
        var changes = await awayReasons.ReadStatusChangesAsync(
            tenantId, agentId, now, now.AddTicks(1), cancellationToken);
        var statusSince = changes.Count > 0 ? changes[^1].At : (DateTimeOffset?)null;

        return TypedResults.Ok(new DesktopContext(
            agent.AgentId,
            agent.DisplayName,
            agent.MaxConcurrentEmails,
            agent.MaxConcurrentTasks,
            statusSince,
            [.. reasons.Select(reason => new DesktopAwayReason(reason.Code, reason.Description))],
            [.. queues.Select(queue => new DesktopSkillQueue(
                queue.Name,
                queue.WorkCodeRequired,
                [.. queue.WorkCodeGroups.SelectMany(group => groups.GetValueOrDefault(group) ?? []).Distinct()]))],
            [.. agents.Where(other => other.AgentId != agentId)
                .Select(other => new DesktopAgent(other.AgentId, other.DisplayName))],
            configurations.Where(item => !string.IsNullOrEmpty(item.ScreenPopUrlTemplate))
                .ToDictionary(item => item.OwnerId, item => item.ScreenPopUrlTemplate!, StringComparer.Ordinal)));
    }

}


/// <summary>The response of <c>GET /api/v1/agent/desktop</c>.</summary>
/// <param name="AgentId">The signed-in agent.</param>
/// <param name="DisplayName">The agent's display name.</param>
/// <param name="MaxConcurrentEmails">The agent's maximum of routed emails at once.</param>
/// <param name="MaxConcurrentTasks">The agent's maximum of tasks at once on all channels.</param>
/// <param name="StatusSince">When the agent's current status began, from the event log; null when unknown.</param>
/// <param name="AwayReasons">The tenant's away reasons; Away requires one of them while there are any.</param>
/// <param name="SkillQueues">The tenant's skill queues with the work codes each accepts.</param>
/// <param name="Agents">The tenant's other agents, the targets of a transfer to an agent.</param>
/// <param name="ScreenPopUrlTemplates">Screen-pop URL templates by owner id, for owners that have one.</param>
internal sealed record DesktopContext(
    string AgentId,
    string DisplayName,
    int MaxConcurrentEmails,
    int MaxConcurrentTasks,
    DateTimeOffset? StatusSince,
    IReadOnlyList<DesktopAwayReason> AwayReasons,
    IReadOnlyList<DesktopSkillQueue> SkillQueues,
    IReadOnlyList<DesktopAgent> Agents,
    IReadOnlyDictionary<string, string> ScreenPopUrlTemplates);

/// <summary>An away reason as the desktop lists it.</summary>
/// <param name="Code">The code sent with status Away.</param>
/// <param name="Description">The administrator's description; may be empty.</param>
internal sealed record DesktopAwayReason(string Code, string Description);

/// <summary>A skill queue as the desktop needs it for completion and transfer.</summary>
/// <param name="Name">The queue's name.</param>
/// <param name="WorkCodeRequired">Whether completing its email needs a work code.</param>
/// <param name="WorkCodes">The codes of its work code groups; empty when any code is accepted.</param>
internal sealed record DesktopSkillQueue(string Name, bool WorkCodeRequired, IReadOnlyList<string> WorkCodes);

/// <summary>Another agent of the tenant.</summary>
/// <param name="AgentId">The agent's id.</param>
/// <param name="DisplayName">The agent's display name.</param>
internal sealed record DesktopAgent(string AgentId, string DisplayName);

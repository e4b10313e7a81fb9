using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using RoutedEmail.Core.Tenants;
using RoutedEmail.Server.Routing;
using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Admin;

/// <summary>Skill queues and tenant stats.</summary>
internal static class SkillQueueEndpoints
{
    private const int MaxWorkCodeGroups = 50;
    private const int MaxEscalateAfterSeconds = 604_800;

    public static void MapSkillQueues(this RouteGroupBuilder tenant)
    {
        tenant.MapPut("/skill-queues/{queue}", PutAsync).WithSummary("Creates or replaces a skill queue.");
        tenant.MapGet("/skill-queues/{queue}", GetAsync).AllowSupervisor().WithSummary("Reads a skill queue.");
        tenant.MapGet("/skill-queues", ListAsync).AllowSupervisor().WithSummary("Lists the tenant's skill queues.");
        tenant.MapGet("/stats", StatsAsync).AllowSupervisor()
            .WithSummary("Counts waiting, offered, active and wrap email per queue, and agents per status.");
    }

    private static async Task<Results<Ok<SkillQueue>, Created<SkillQueue>, ValidationProblem, ProblemHttpResult>> PutAsync(
        HttpContext context, string queue, SkillQueueRequest request, ClaimsPrincipal user,
        IConfigurationStore store, DeadlineSignal deadlines, CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Get(context);
        var skillQueue = new SkillQueue(
            queue,
            request.OfferTimeoutSeconds ?? SkillQueue.DefaultOfferTimeoutSeconds,
            request.WrapSeconds ?? SkillQueue.DefaultWrapSeconds,
            request.ServiceLevelSeconds ?? SkillQueue.DefaultServiceLevelSeconds,
            request.WorkCodeGroups ?? [],
            request.WorkCodeRequired ?? false,
            request.Escalation is { } escalation
                ? new SkillQueueEscalation(escalation.AfterSeconds ?? 0, escalation.RaisePriorityBy ?? 0,
                    escalation.OverflowQueue)
                : null);
        var validation = Validate(skillQueue, afterSecondsMissing: request.Escalation is { AfterSeconds: null });
        if (!validation.IsValid)
        {
            return (ValidationProblem)validation.ToProblem();
        }

        var outcome = await store.PutSkillQueueAsync(
            tenant.Id, skillQueue, TenantAccess.ReadActor(user), cancellationToken);
        if (outcome.MissingWorkCodeGroup is { } missing)
        {
            validation.Add("workCodeGroups", $"Work code group \"{missing}\" does not exist. Create it with PUT " +
                $"/api/v1/tenants/{tenant.CompanyCode}/{tenant.Environment}/work-code-groups/{missing} first.");
            return (ValidationProblem)validation.ToProblem();
        }

        if (outcome.DisabledWorkCodeGroup is { } disabled)
        {
            validation.Add("workCodeGroups", $"Work code group \"{disabled}\" is disabled, so it cannot be added to a " +
                $"queue. Enable it with POST /api/v1/tenants/{tenant.CompanyCode}/{tenant.Environment}/" +
                $"work-code-groups/{disabled}/enable first, or leave it out.");
            return (ValidationProblem)validation.ToProblem();
        }

        if (outcome.MissingSkillQueue is { } missingQueue)
        {
            validation.Add("escalation.overflowQueue", $"Skill queue \"{missingQueue}\" does not exist. Create it " +
                $"with PUT /api/v1/tenants/{tenant.CompanyCode}/{tenant.Environment}/skill-queues/{missingQueue} " +
                "first, or name an existing queue.");
            return (ValidationProblem)validation.ToProblem();
        }

        // A new or shorter escalation time can make the next escalation deadline earlier.
        deadlines.Notify();
        var stored = (await store.GetSkillQueueAsync(tenant.Id, queue, cancellationToken))!;
        return outcome.Created
            ? TypedResults.Created(ResourcePath(context), stored)
            : TypedResults.Ok(stored);
    }

    private static async Task<Results<Ok<SkillQueue>, ProblemHttpResult>> GetAsync(
        HttpContext context, string queue, IConfigurationStore store, CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Get(context);
        var found = await store.GetSkillQueueAsync(tenant.Id, queue, cancellationToken);
        return found is null ? NotFound("skill queue", queue) : TypedResults.Ok(found);
    }

    private static async Task<Results<Ok<IReadOnlyList<SkillQueue>>, ProblemHttpResult>> ListAsync(
        HttpContext context, IConfigurationStore store, CancellationToken cancellationToken)
    {
        return TypedResults.Ok(await store.ListSkillQueuesAsync(TenantScope.Get(context).Id, cancellationToken));
    }

    private static async Task<Results<Ok<TenantStats>, ProblemHttpResult>> StatsAsync(
        HttpContext context, IConfigurationStore store, CancellationToken cancellationToken)
    {
        return TypedResults.Ok(await store.GetStatsAsync(TenantScope.Get(context).Id, cancellationToken));
    }

    private static RequestValidation Validate(SkillQueue queue, bool afterSecondsMissing)
    {
        var validation = new RequestValidation();
        validation.CheckPathName("queue", queue.Name, 128);
        validation.CheckRange("offerTimeoutSeconds", queue.OfferTimeoutSeconds, 5, 3600);
        validation.CheckRange("wrapSeconds", queue.WrapSeconds, 0, 3600);
        validation.CheckRange("serviceLevelSeconds", queue.ServiceLevelSeconds, 1, 604_800);
        if (queue.WorkCodeGroups.Count > MaxWorkCodeGroups)
        {
            validation.Add("workCodeGroups", $"workCodeGroups has {queue.WorkCodeGroups.Count} entries; the maximum " +
                $"is {MaxWorkCodeGroups}.");
        }

        var groups = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in queue.WorkCodeGroups)
        {
            validation.CheckPathName("workCodeGroups", group ?? string.Empty, 64);
            if (group is not null && !groups.Add(group))
            {
                validation.Add("workCodeGroups", $"Work code group \"{group}\" appears more than once. List each once.");
            }
        }

        if (queue.Escalation is { } escalation)
        {
            ValidateEscalation(validation, queue.Name, escalation, afterSecondsMissing);
        }

        return validation;
    }

    private static void ValidateEscalation(
        RequestValidation validation, string queue, SkillQueueEscalation escalation, bool afterSecondsMissing)
    {
        if (afterSecondsMissing)
        {
            validation.Add("escalation.afterSeconds", "escalation.afterSeconds is missing. Give the seconds an " +
                "email waits before it is escalated, 1 to 604800, or leave out escalation.");
        }
        else
        {
            validation.CheckRange("escalation.afterSeconds", escalation.AfterSeconds, 1, MaxEscalateAfterSeconds);
        }

        validation.CheckRange("escalation.raisePriorityBy", escalation.RaisePriorityBy, 0,
            RoutedEmailConfiguration.MaxPriority - RoutedEmailConfiguration.MinPriority);
        if (escalation.OverflowQueue is { } overflow)
        {
            validation.CheckPathName("escalation.overflowQueue", overflow, 128);
            if (overflow == queue)
            {
                validation.Add("escalation.overflowQueue", $"escalation.overflowQueue is \"{overflow}\", the queue " +
                    "itself. Name another skill queue, or leave it out.");
            }
        }
        else if (escalation.RaisePriorityBy == 0)
        {
            validation.Add("escalation", "The escalation changes nothing: raisePriorityBy is 0 and there is no " +
                "overflowQueue. Give raisePriorityBy above 0, an overflowQueue, or both; or leave out escalation.");
        }
    }

    /// <summary>Returns the absolute path of the resource a PUT created, which is the path it was sent to.</summary>
    internal static string ResourcePath(HttpContext context) =>
        (context.Request.PathBase + context.Request.Path).ToUriComponent();

    internal static ProblemHttpResult NotFound(string kind, string name) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"The {kind} does not exist.",
            detail: $"The tenant has no {kind} \"{name}\". Create it with PUT, or check the spelling.");
}

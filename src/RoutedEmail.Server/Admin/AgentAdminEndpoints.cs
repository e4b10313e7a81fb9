using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using RoutedEmail.Core.Agents;
using RoutedEmail.Server.Agents;
using RoutedEmail.Server.Routing;
using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Admin;

/// <summary>Agent definitions: display name, password, maxima and routing profile.</summary>
internal static class AgentAdminEndpoints
{
    public static void MapAgentAdministration(this RouteGroupBuilder tenant)
    {
        tenant.MapPut("/agents/{agentId}", PutAsync).WithSummary("Creates or replaces an agent.");
        tenant.MapGet("/agents/{agentId}", GetAsync).AllowSupervisor().WithSummary("Reads an agent with its status.");
        tenant.MapGet("/agents", ListAsync).AllowSupervisor()
            .WithSummary("Lists the tenant's agents with their status.");
    }

    private static async Task<Results<Ok<Agent>, Created<Agent>, ValidationProblem, ProblemHttpResult>> PutAsync(
        HttpContext context, string agentId, AgentRequest request, ClaimsPrincipal user,
        IConfigurationStore store, IPasswordHasher<AgentAccount> hasher, IRoutingTrigger router,
        CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Get(context);
        var definition = new AgentDefinition(
            agentId, request.DisplayName ?? agentId, request.MaxConcurrentEmails ?? Agent.DefaultMaxConcurrentEmails,
            request.SkillQueues ?? [], request.WrapSeconds, request.MaxConcurrentTasks);
        var validation = Validate(definition, request.Password);
        if (!validation.IsValid)
        {
            return (ValidationProblem)validation.ToProblem();
        }

        var passwordHash = request.Password is null
            ? null
            : hasher.HashPassword(new AgentAccount(tenant.Id, agentId), request.Password);
        var outcome = await store.PutAgentAsync(
            tenant.Id, definition, passwordHash, TenantAccess.ReadActor(user), cancellationToken);
        if (outcome.MissingSkillQueue is { } missing)
        {
            validation.Add("skillQueues", $"Skill queue \"{missing}\" does not exist. Create it with PUT " +
                $"/api/v1/tenants/{tenant.CompanyCode}/{tenant.Environment}/skill-queues/{missing} first.");
            return (ValidationProblem)validation.ToProblem();
        }

        if (outcome.PasswordRequired)
        {
            validation.Add("password", "password is missing. A new agent needs a password of 8 to 256 characters.");
            return (ValidationProblem)validation.ToProblem();
        }

        // A changed routing profile can make offers possible, or leave a queue unattended or attended.
        router.Wake(tenant.Id);
        var agent = (await store.GetAgentAsync(tenant.Id, agentId, cancellationToken))!;
        return outcome.Created
            ? TypedResults.Created(SkillQueueEndpoints.ResourcePath(context), agent)
            : TypedResults.Ok(agent);
    }

    private static async Task<Results<Ok<Agent>, ProblemHttpResult>> GetAsync(
        HttpContext context, string agentId, IConfigurationStore store, CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Get(context);
        var agent = await store.GetAgentAsync(tenant.Id, agentId, cancellationToken);
        return agent is null ? SkillQueueEndpoints.NotFound("agent", agentId) : TypedResults.Ok(agent);
    }

    private static async Task<Results<Ok<IReadOnlyList<Agent>>, ProblemHttpResult>> ListAsync(
        HttpContext context, IConfigurationStore store, CancellationToken cancellationToken)
    {
        return TypedResults.Ok(await store.ListAgentsAsync(TenantScope.Get(context).Id, cancellationToken));
    }

    private static RequestValidation Validate(AgentDefinition definition, string? password)
    {
        var validation = new RequestValidation();
        validation.CheckPathName("agentId", definition.AgentId, 128);
        validation.CheckLength("displayName", definition.DisplayName, 1, 200);
        validation.CheckRange("maxConcurrentEmails", definition.MaxConcurrentEmails, 1, 100);
        if (definition.MaxConcurrentTasks is { } maxConcurrentTasks)
        {
            validation.CheckRange("maxConcurrentTasks", maxConcurrentTasks, 1, 200);
        }

        if (definition.WrapSeconds is { } wrapSeconds)
        {
            validation.CheckRange("wrapSeconds", wrapSeconds, 0, 3600);
        }

        if (password is not null)
        {
            validation.CheckLength("password", password, 8, 256);
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < definition.SkillQueues.Count; i++)
        {
            var skill = definition.SkillQueues[i];
            var field = $"skillQueues[{i}]";
            if (string.IsNullOrEmpty(skill?.Name))
            {
                validation.Add($"{field}.name", $"{field}.name is missing. Name an existing skill queue.");
                continue;
            }

            validation.CheckRange($"{field}.rank", skill.Rank, 1, 100);
            if (!names.Add(skill.Name))
            {
                validation.Add($"{field}.name", $"Skill queue \"{skill.Name}\" appears more than once. List each once.");
            }
        }

        return validation;
    }
}

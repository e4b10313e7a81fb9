using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using RoutedEmail.Core.Tenants;
using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Admin;

/// <summary>Work code groups: the named lists of codes that skill queues offer agents at completion.</summary>
internal static class WorkCodeGroupEndpoints
{
    public static void MapWorkCodeGroups(this RouteGroupBuilder tenant)
    {
        tenant.MapPut("/work-code-groups/{group}", PutAsync).WithSummary("Creates or replaces a work code group.");
        tenant.MapGet("/work-code-groups/{group}", GetAsync).WithSummary("Reads a work code group.");
        tenant.MapGet("/work-code-groups", ListAsync).WithSummary("Lists the tenant's work code groups.");
    }

    private static async Task<Results<Ok<WorkCodeGroup>, Created<WorkCodeGroup>, ValidationProblem>> PutAsync(
        HttpContext context, string group, WorkCodeGroupRequest request, ClaimsPrincipal user,
        IConfigurationStore store, CancellationToken cancellationToken)
    {
        var workCodeGroup = new WorkCodeGroup(group, request.Codes ?? []);
        var validation = Validate(workCodeGroup);
        if (!validation.IsValid)
        {
            return (ValidationProblem)validation.ToProblem();
        }

        var tenantId = TenantScope.Get(context).Id;
        var created = await store.PutWorkCodeGroupAsync(
            tenantId, workCodeGroup, TenantAccess.ReadActor(user), cancellationToken);

        // The stored group carries the enabled flag, which a PUT keeps.
        var stored = (await store.GetWorkCodeGroupAsync(tenantId, group, cancellationToken))!;
        return created
            ? TypedResults.Created(SkillQueueEndpoints.ResourcePath(context), stored)
            : TypedResults.Ok(stored);
    }

    private static async Task<Results<Ok<WorkCodeGroup>, ProblemHttpResult>> GetAsync(
        HttpContext context, string group, IConfigurationStore store, CancellationToken cancellationToken)
    {
        var found = await store.GetWorkCodeGroupAsync(TenantScope.Get(context).Id, group, cancellationToken);
        return found is null ? SkillQueueEndpoints.NotFound("work code group", group) : TypedResults.Ok(found);
    }

    private static async Task<Ok<IReadOnlyList<WorkCodeGroup>>> ListAsync(
        HttpContext context, IConfigurationStore store, CancellationToken cancellationToken)
    {
        return TypedResults.Ok(await store.ListWorkCodeGroupsAsync(TenantScope.Get(context).Id, cancellationToken));
    }

    private static RequestValidation Validate(WorkCodeGroup group)
    {
        var validation = new RequestValidation();
        validation.CheckPathName("group", group.Name, 64);
        if (group.Codes.Count is 0 or > WorkCodeGroup.MaxCodes)
        {
            validation.Add("codes", $"codes has {group.Codes.Count} entries; send 1 to {WorkCodeGroup.MaxCodes}.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < group.Codes.Count; i++)
        {
            var code = group.Codes[i];
            if (code is null)
            {
                validation.Add($"codes[{i}]", $"codes[{i}] is null. Send a code of 1 to {WorkCodeGroup.MaxCodeLength} characters.");
                continue;
            }

            validation.CheckLength($"codes[{i}]", code, 1, WorkCodeGroup.MaxCodeLength);
            if (!seen.Add(code))
            {
                validation.Add($"codes[{i}]", $"Work code \"{code}\" appears more than once. List each once.");
            }
        }

        return validation;
    }
}

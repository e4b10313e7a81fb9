using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using RoutedEmail.Core.Agents;
using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Admin;

/// <summary>Away reasons: the codes that agents of the tenant give when going Away, such as lunch or training.</summary>
internal static class AwayReasonEndpoints
{
    public static void MapAwayReasons(this RouteGroupBuilder tenant)
    {
        tenant.MapPut("/away-reasons/{code}", PutAsync).WithSummary("Creates or replaces an away reason.");
        tenant.MapGet("/away-reasons/{code}", GetAsync).WithSummary("Reads an away reason.");
        tenant.MapGet("/away-reasons", ListAsync).WithSummary("Lists the tenant's away reasons.");
    }

    private static async Task<Results<Ok<AwayReason>, Created<AwayReason>, ValidationProblem>> PutAsync(
        HttpContext context, string code, AwayReasonRequest request, ClaimsPrincipal user,
        IAwayReasonStore store, CancellationToken cancellationToken)
    {
        var reason = new AwayReason(code, request.Description ?? string.Empty);
        var validation = new RequestValidation();
        validation.CheckPathName("code", reason.Code, AwayReason.MaxCodeLength);
        validation.CheckLength("description", reason.Description, 0, AwayReason.MaxDescriptionLength);
        if (!validation.IsValid)
        {
            return (ValidationProblem)validation.ToProblem();
        }

        var tenantId = TenantScope.Get(context).Id;
        var created = await store.PutAwayReasonAsync(
            tenantId, reason, TenantAccess.ReadActor(user), cancellationToken);

        // The stored reason carries the enabled flag, which a PUT keeps.
        var stored = (await store.GetAwayReasonAsync(tenantId, code, cancellationToken))!;
        return created
            ? TypedResults.Created(SkillQueueEndpoints.ResourcePath(context), stored)
            : TypedResults.Ok(stored);
    }

    private static async Task<Results<Ok<AwayReason>, ProblemHttpResult>> GetAsync(
        HttpContext context, string code, IAwayReasonStore store, CancellationToken cancellationToken)
    {
        var found = await store.GetAwayReasonAsync(TenantScope.Get(context).Id, code, cancellationToken);
        return found is null ? SkillQueueEndpoints.NotFound("away reason", code) : TypedResults.Ok(found);
    }

    private static async Task<Ok<IReadOnlyList<AwayReason>>> ListAsync(
        HttpContext context, IAwayReasonStore store, CancellationToken cancellationToken)
    {
        return TypedResults.Ok(await store.ListAwayReasonsAsync(TenantScope.Get(context).Id, cancellationToken));
    }
}

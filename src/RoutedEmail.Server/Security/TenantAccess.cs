using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using RoutedEmail.Core.Users;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Security;

/// <summary>
/// The rule of the admin API. The operator's token may do everything. A tenant's user may use only routes of its
/// own tenant, <c>/api/v1/tenants/{company}/{environment}/...</c>: an Administrator every one of them, a Supervisor
/// those marked with <see cref="TenantAccess.AllowSupervisor{TBuilder}"/>. Roles add up.
/// </summary>
internal sealed class TenantAccessRequirement : IAuthorizationRequirement;

/// <summary>Marks an admin endpoint that a Supervisor of the tenant may use.</summary>
internal sealed class SupervisorAccessMetadata;

/// <summary>Checks <see cref="TenantAccessRequirement"/> and names the reason of a refusal.</summary>
internal sealed class TenantAccessHandler(ITenantStore tenants) : AuthorizationHandler<TenantAccessRequirement>
{
    protected override async Task HandleRequirementAsync(
        AuthorizationHandlerContext context, TenantAccessRequirement requirement)
    {
        var user = context.User;
        if (user.IsInRole(AuthNames.OperatorRole))
        {
            context.Succeed(requirement);
            return;
        }

        if (context.Resource is not HttpContext http || user.FindFirstValue(AuthNames.TenantIdClaim) is not { } claim)
        {
            return;
        }

        var company = http.GetRouteValue("company") as string;
        var environment = http.GetRouteValue("environment") as string;
        if (company is null || environment is null)
        {
            context.Fail(new AuthorizationFailureReason(this, "Only the operator's admin token may use this route, " +
                "which is not under one tenant. Send the operator's admin token."));
            return;
        }

        var tenant = await tenants.FindTenantAsync(company, environment, http.RequestAborted);
        var tenantId = long.Parse(claim, CultureInfo.InvariantCulture);
        if (tenant is null || tenant.Id != tenantId)
        {
            context.Fail(new AuthorizationFailureReason(this, $"Your sign-in is for another tenant than " +
                $"{company}/{environment}. Sign in to that tenant, or use your own tenant's path."));
            return;
        }

        var supervisorRoute = http.GetEndpoint()?.Metadata.GetMetadata<SupervisorAccessMetadata>() is not null;
        if (user.IsInRole(nameof(UserRole.Administrator))
            || (supervisorRoute && user.IsInRole(nameof(UserRole.Supervisor))))
        {
            context.Succeed(requirement);
            return;
        }

        context.Fail(new AuthorizationFailureReason(this, DescribeMissingRole(user, supervisorRoute)));
    }

    private static string DescribeMissingRole(ClaimsPrincipal user, bool supervisorRoute)
    {
        var needed = supervisorRoute
            ? "the Supervisor or Administrator role"
            : "the Administrator role";

        // The agent desktop's token is a session of a user with only the Agent role.
        if (user.IsInRole(nameof(UserRole.Agent)) && !user.IsInRole(nameof(UserRole.Supervisor)))
        {
            var routes = supervisorRoute ? "supervisor and administrator routes" : "administrator routes";
            return $"This route needs {needed} in the tenant. The token belongs to a user with only the Agent " +
                $"role, and agent tokens cannot call {routes}. Sign in with POST /api/v1/sign-in as a user who " +
                $"has {needed}.";
        }

        return $"This route needs {needed} in the tenant, and the signed-in user does not have it. Sign in as a " +
            "user who has it, or ask an administrator of the tenant to give it to this user.";
    }
}

/// <summary>Extensions that mark admin endpoints.</summary>
internal static class TenantAccess
{
    /// <summary>Lets a Supervisor of the tenant use the endpoint, besides an Administrator and the operator.</summary>
    public static TBuilder AllowSupervisor<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new SupervisorAccessMetadata());

    /// <summary>
    /// Names who did an action for the event log: <c>operator</c> for the admin token, otherwise <c>user:</c> and
    /// the user id.
    /// </summary>
    public static string ReadActor(ClaimsPrincipal user) =>
        user.IsInRole(AuthNames.OperatorRole) ? "operator" : "user:" + user.FindFirstValue(AuthNames.UserIdClaim);
}

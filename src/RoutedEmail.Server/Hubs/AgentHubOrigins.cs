using System.Collections.Frozen;
using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;
using RoutedEmail.Server.Security;

namespace RoutedEmail.Server.Hubs;

/// <summary>
/// Decides which browser origins may use the agent hub: those in <c>AgentHub:AllowedOrigins</c>, and those in a
/// tenant's <c>allowedOrigins</c>. A preflight carries no token, so it is allowed when any tenant lists the origin.
/// The hub's own requests carry the agent token, so <see cref="CheckRequestAsync"/> allows them only for an origin
/// of the agent's own tenant.
/// </summary>
internal sealed partial class AgentHubOrigins(
    IOptions<AgentHubOptions> options, TenantOriginCache tenants, ILogger<AgentHubOrigins> logger)
{
    private readonly FrozenSet<string> _global = options.Value.AllowedOrigins
        .Select(origin => CorsOrigin.TryNormalize(origin, out var normalized) ? normalized : null)
        .OfType<string>()
        .ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Builds the CORS policy of the hub for the tenants' origins as currently stored.</summary>
    public async Task<CorsPolicy> BuildPolicyAsync(CancellationToken cancellationToken)
    {
        var snapshot = await tenants.GetAsync(cancellationToken);
        return new CorsPolicyBuilder()
            .SetIsOriginAllowed(origin => CorsOrigin.TryNormalize(origin, out var normalized)
                && (_global.Contains(normalized) || snapshot.AnyTenant.Contains(normalized)))
            .WithMethods("GET", "POST")
            .AllowAnyHeader()
            .AllowCredentials()
            .Build();
    }

    /// <summary>
    /// Runs the hub endpoint when the request has no <c>Origin</c> header, comes from the host it was sent to, or
    /// comes from an origin that the global list or the agent's tenant lists. Otherwise it writes 403 with a problem.
    /// </summary>
    public async Task CheckRequestAsync(HttpContext context, RequestDelegate endpoint)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length == 0 || IsSameHost(origin, context.Request) || _global.Contains(Normalize(origin)))
        {
            await endpoint(context);
            return;
        }

        // The hub's authorization policy ran before the endpoint, so the agent's claims are present.
        var tenantId = long.Parse(context.User.FindFirstValue(AuthNames.TenantIdClaim)!, CultureInfo.InvariantCulture);
        var agentId = context.User.FindFirstValue(AuthNames.AgentIdClaim)!;
        var snapshot = await tenants.GetAsync(context.RequestAborted);
        var tenant = snapshot.ByTenant.GetValueOrDefault(tenantId);
        if (tenant is not null && tenant.Origins.Contains(Normalize(origin)))
        {
            await endpoint(context);
            return;
        }

        Log.OriginRejected(logger, tenantId, agentId, origin);
        var tenantPath = tenant is null
            ? "the agent's tenant"
            : $"PUT /api/v1/tenants/{tenant.CompanyCode}/{tenant.Environment}";
        await TypedResults.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            title: "The origin is not allowed.",
            detail: $"The origin \"{origin}\" is not allowed to use the agent hub for agents of this tenant. An " +
                $"administrator can add it to the tenant's allowedOrigins with {tenantPath}, or to the setting " +
                "AgentHub:AllowedOrigins.").ExecuteAsync(context);
    }

    private static string Normalize(string origin) =>
        CorsOrigin.TryNormalize(origin, out var normalized) ? normalized : string.Empty;

    /// <summary>
    /// Compares the origin's host and port with the Host header, so a page served by this service is allowed
    /// even behind a proxy that terminates TLS and changes the scheme.
    /// </summary>
    private static bool IsSameHost(string origin, HttpRequest request)
    {
        var authorityStart = origin.IndexOf("://", StringComparison.Ordinal);
        return authorityStart > 0 && request.Host.HasValue
            && string.Equals(origin[(authorityStart + 3)..], request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }

    private static partial class Log
    {
        [LoggerMessage(6110, LogLevel.Warning,
            "Agent hub request of agent {AgentId} of tenant {TenantId} rejected: origin {Origin} is not allowed")]
        public static partial void OriginRejected(ILogger logger, long tenantId, string agentId, string origin);
    }
}

/// <summary>Returns the hub's policy from <see cref="AgentHubOrigins"/>, and any other policy from the options.</summary>
internal sealed class AgentHubCorsPolicyProvider(AgentHubOrigins origins, IOptions<CorsOptions> options)
    : ICorsPolicyProvider
{
    public const string PolicyName = "AgentHub";

    private readonly DefaultCorsPolicyProvider _configured = new(options);

    public Task<CorsPolicy?> GetPolicyAsync(HttpContext context, string? policyName) =>
        policyName == PolicyName
            ? BuildAsync(context)
            : _configured.GetPolicyAsync(context, policyName);

    private async Task<CorsPolicy?> BuildAsync(HttpContext context) =>
        await origins.BuildPolicyAsync(context.RequestAborted);
}

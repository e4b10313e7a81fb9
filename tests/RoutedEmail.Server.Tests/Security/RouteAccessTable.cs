namespace RoutedEmail.Server.Tests.Security;

/// <summary>Who may call a route, as docs/api.md and docs/users.md define it.</summary>
public enum RouteAccess
{
    /// <summary>Anyone: sign-in, health, the OpenAPI document.</summary>
    Public,

    /// <summary>Anyone: a page or file of the web UI.</summary>
    WebUi,

    /// <summary>Only the operator's admin token.</summary>
    Operator,

    /// <summary>The operator, and a signed-in Administrator of the tenant in the path.</summary>
    TenantAdministrator,

    /// <summary>The operator, and a signed-in Supervisor or Administrator of the tenant in the path.</summary>
    TenantSupervisor,

    /// <summary>Any signed-in user of <c>POST /api/v1/sign-in</c>.</summary>
    SignedInUser,

    /// <summary>A signed-in agent: its own offers and emails only.</summary>
    Agent,

    /// <summary>The tenant's API key in the <c>X-sc-*</c> headers.</summary>
    Integrator,

    /// <summary>A method the ingest path rejects with 405 for every caller.</summary>
    IngestOtherMethod,

    /// <summary>The agent hub: an agent's token.</summary>
    AgentHub,

    /// <summary>The supervisor hub of the tenant in the path: as <see cref="TenantSupervisor"/>.</summary>
    SupervisorHub,
}

/// <summary>
/// The expected access of every route the service maps. <see cref="AuthorizationMatrixTests"/> checks this table
/// against the routes enumerated at run time in both directions, so a new route fails the suite until it is
/// listed here and so covered by every check.
/// </summary>
public static class RouteAccessTable
{
    private const string Ingest =
        "/symbee-crm-integration-service/svc/rs/SymbeeRoutedEmailService/sendRoutedEmail";

    private const string Tenant = "/api/v1/tenants/{company}/{environment}";

    public static IReadOnlyDictionary<string, RouteAccess> Routes { get; } = new Dictionary<string, RouteAccess>
    {
        ["* /healthz"] = RouteAccess.Public,
        ["GET /openapi/{documentName}.json"] = RouteAccess.Public,
        ["POST /api/v1/sign-in"] = RouteAccess.Public,
        ["POST /api/v1/agent/sign-in"] = RouteAccess.Public,

        ["GET /"] = RouteAccess.WebUi,
        ["HEAD /"] = RouteAccess.WebUi,
        ["GET /admin"] = RouteAccess.WebUi,
        ["HEAD /admin"] = RouteAccess.WebUi,
        ["GET /admin/{**page}"] = RouteAccess.WebUi,
        ["HEAD /admin/{**page}"] = RouteAccess.WebUi,
        ["GET /agent"] = RouteAccess.WebUi,
        ["HEAD /agent"] = RouteAccess.WebUi,
        ["GET /agent/{**page}"] = RouteAccess.WebUi,
        ["HEAD /agent/{**page}"] = RouteAccess.WebUi,
        ["GET /supervisor"] = RouteAccess.WebUi,
        ["HEAD /supervisor"] = RouteAccess.WebUi,
        ["GET /supervisor/{**page}"] = RouteAccess.WebUi,
        ["HEAD /supervisor/{**page}"] = RouteAccess.WebUi,
        ["GET /{**path:file}"] = RouteAccess.WebUi,
        ["HEAD /{**path:file}"] = RouteAccess.WebUi,

        ["* /hubs/agent"] = RouteAccess.AgentHub,
        ["* /hubs/agent/negotiate"] = RouteAccess.AgentHub,
        ["* /hubs/supervisor/{company}/{environment}"] = RouteAccess.SupervisorHub,
        ["* /hubs/supervisor/{company}/{environment}/negotiate"] = RouteAccess.SupervisorHub,

        ["POST " + Ingest] = RouteAccess.Integrator,
        ["GET " + Ingest] = RouteAccess.IngestOtherMethod,
        ["HEAD " + Ingest] = RouteAccess.IngestOtherMethod,
        ["PUT " + Ingest] = RouteAccess.IngestOtherMethod,
        ["PATCH " + Ingest] = RouteAccess.IngestOtherMethod,
        ["DELETE " + Ingest] = RouteAccess.IngestOtherMethod,
        ["OPTIONS " + Ingest] = RouteAccess.IngestOtherMethod,
        ["TRACE " + Ingest] = RouteAccess.IngestOtherMethod,
        ["GET /api/v1/routed-emails/"] = RouteAccess.Integrator,
        ["DELETE /api/v1/routed-emails/"] = RouteAccess.Integrator,
        ["GET /api/v1/routed-emails/{entityId}"] = RouteAccess.Integrator,
        ["DELETE /api/v1/routed-emails/{entityId}"] = RouteAccess.Integrator,
        ["GET /api/v1/routed-emails/explanation"] = RouteAccess.Integrator,
        ["GET /api/v1/routed-emails/{entityId}/explanation"] = RouteAccess.Integrator,

        ["POST /api/v1/sign-out"] = RouteAccess.SignedInUser,

        ["POST /api/v1/agent/sign-out"] = RouteAccess.Agent,
        ["PUT /api/v1/agent/status"] = RouteAccess.Agent,
        ["PUT /api/v1/agent/other-work"] = RouteAccess.Agent,
        ["GET /api/v1/agent/work"] = RouteAccess.Agent,
        ["GET /api/v1/agent/desktop"] = RouteAccess.Agent,
        ["POST /api/v1/agent/offers/{offerId:long}/accept"] = RouteAccess.Agent,
        ["POST /api/v1/agent/offers/{offerId:long}/decline"] = RouteAccess.Agent,
        ["POST /api/v1/agent/emails/{emailId:long}/complete"] = RouteAccess.Agent,
        ["POST /api/v1/agent/emails/{emailId:long}/end-wrap"] = RouteAccess.Agent,
        ["POST /api/v1/agent/emails/{emailId:long}/transfer"] = RouteAccess.Agent,

        ["POST /api/v1/tenants"] = RouteAccess.Operator,
        ["GET /api/v1/tenants"] = RouteAccess.Operator,

        ["GET " + Tenant] = RouteAccess.TenantAdministrator,
        ["PUT " + Tenant] = RouteAccess.TenantAdministrator,
        ["POST " + Tenant + "/api-key/rotate"] = RouteAccess.TenantAdministrator,
        ["PUT " + Tenant + "/work-code-groups/{group}"] = RouteAccess.TenantAdministrator,
        ["GET " + Tenant + "/work-code-groups/{group}"] = RouteAccess.TenantAdministrator,
        ["GET " + Tenant + "/work-code-groups"] = RouteAccess.TenantAdministrator,
        ["POST " + Tenant + "/work-code-groups/{name}/disable"] = RouteAccess.TenantAdministrator,
        ["POST " + Tenant + "/work-code-groups/{name}/enable"] = RouteAccess.TenantAdministrator,
        ["DELETE " + Tenant + "/work-code-groups/{name}"] = RouteAccess.TenantAdministrator,
        ["PUT " + Tenant + "/away-reasons/{code}"] = RouteAccess.TenantAdministrator,
        ["GET " + Tenant + "/away-reasons/{code}"] = RouteAccess.TenantAdministrator,
        ["GET " + Tenant + "/away-reasons"] = RouteAccess.TenantAdministrator,
        ["POST " + Tenant + "/away-reasons/{name}/disable"] = RouteAccess.TenantAdministrator,
        ["POST " + Tenant + "/away-reasons/{name}/enable"] = RouteAccess.TenantAdministrator,
        ["DELETE " + Tenant + "/away-reasons/{name}"] = RouteAccess.TenantAdministrator,
        ["PUT " + Tenant + "/skill-queues/{queue}"] = RouteAccess.TenantAdministrator,
        ["GET " + Tenant + "/skill-queues/{queue}"] = RouteAccess.TenantSupervisor,
        ["GET " + Tenant + "/skill-queues"] = RouteAccess.TenantSupervisor,
        ["POST " + Tenant + "/skill-queues/{name}/disable"] = RouteAccess.TenantAdministrator,
        ["POST " + Tenant + "/skill-queues/{name}/enable"] = RouteAccess.TenantAdministrator,
        ["DELETE " + Tenant + "/skill-queues/{name}"] = RouteAccess.TenantAdministrator,
        ["PUT " + Tenant + "/routed-email-configurations/{ownerId}"] = RouteAccess.TenantAdministrator,
        ["GET " + Tenant + "/routed-email-configurations/{ownerId}"] = RouteAccess.TenantAdministrator,
        ["GET " + Tenant + "/routed-email-configurations"] = RouteAccess.TenantAdministrator,
        ["POST " + Tenant + "/routed-email-configurations/{name}/disable"] = RouteAccess.TenantAdministrator,
        ["POST " + Tenant + "/routed-email-configurations/{name}/enable"] = RouteAccess.TenantAdministrator,
        ["DELETE " + Tenant + "/routed-email-configurations/{name}"] = RouteAccess.TenantAdministrator,
        ["PUT " + Tenant + "/agents/{agentId}"] = RouteAccess.TenantAdministrator,
        ["GET " + Tenant + "/agents/{agentId}"] = RouteAccess.TenantSupervisor,
        ["GET " + Tenant + "/agents"] = RouteAccess.TenantSupervisor,
        ["POST " + Tenant + "/agents/{agentId}/disable"] = RouteAccess.TenantAdministrator,
        ["POST " + Tenant + "/agents/{agentId}/enable"] = RouteAccess.TenantAdministrator,
        ["DELETE " + Tenant + "/agents/{agentId}"] = RouteAccess.TenantAdministrator,
        ["PUT " + Tenant + "/agents/{agentId}/status"] = RouteAccess.TenantSupervisor,
        ["PUT " + Tenant + "/users/{userId}"] = RouteAccess.TenantAdministrator,
        ["GET " + Tenant + "/users/{userId}"] = RouteAccess.TenantAdministrator,
        ["GET " + Tenant + "/users"] = RouteAccess.TenantAdministrator,
        ["POST " + Tenant + "/users/{userId}/disable"] = RouteAccess.TenantAdministrator,
        ["POST " + Tenant + "/users/{userId}/enable"] = RouteAccess.TenantAdministrator,
        ["DELETE " + Tenant + "/users/{userId}"] = RouteAccess.TenantAdministrator,
        ["GET " + Tenant + "/events"] = RouteAccess.TenantAdministrator,
        ["GET " + Tenant + "/retention"] = RouteAccess.TenantAdministrator,
        ["PUT " + Tenant + "/retention"] = RouteAccess.TenantAdministrator,
        ["POST " + Tenant + "/routed-emails/{entityId}/erase"] = RouteAccess.TenantAdministrator,
        ["GET " + Tenant + "/webhooks"] = RouteAccess.TenantAdministrator,
        ["GET " + Tenant + "/webhooks/{name}"] = RouteAccess.TenantAdministrator,
        ["PUT " + Tenant + "/webhooks/{name}"] = RouteAccess.TenantAdministrator,
        ["DELETE " + Tenant + "/webhooks/{name}"] = RouteAccess.TenantAdministrator,
        ["POST " + Tenant + "/webhooks/{name}/rotate-secret"] = RouteAccess.TenantAdministrator,
        ["GET " + Tenant + "/webhooks/{name}/deliveries"] = RouteAccess.TenantAdministrator,
        ["POST " + Tenant + "/webhooks/{name}/deliveries/{deliveryId}/replay"] = RouteAccess.TenantAdministrator,
        ["POST " + Tenant + "/webhooks/{name}/deliveries/replay-dead-letters"] = RouteAccess.TenantAdministrator,
        ["GET " + Tenant + "/stats"] = RouteAccess.TenantSupervisor,
        ["GET " + Tenant + "/dashboard"] = RouteAccess.TenantSupervisor,
        ["GET " + Tenant + "/dashboard/history"] = RouteAccess.TenantSupervisor,
        ["GET " + Tenant + "/reports/away-time"] = RouteAccess.TenantSupervisor,
        ["GET " + Tenant + "/reports/queues"] = RouteAccess.TenantSupervisor,
        ["GET " + Tenant + "/reports/agents"] = RouteAccess.TenantSupervisor,
        ["GET " + Tenant + "/reports/work-codes"] = RouteAccess.TenantSupervisor,
        ["GET " + Tenant + "/routed-emails/{entityId}"] = RouteAccess.TenantSupervisor,
        ["GET " + Tenant + "/routed-emails/{entityId}/explanation"] = RouteAccess.TenantSupervisor,
        ["POST " + Tenant + "/routed-emails/{entityId}/cancel"] = RouteAccess.TenantSupervisor,
        ["POST " + Tenant + "/routed-emails/{entityId}/transfer"] = RouteAccess.TenantSupervisor,
    };
}

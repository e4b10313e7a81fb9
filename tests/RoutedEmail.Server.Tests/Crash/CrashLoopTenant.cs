using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Crash;

/// <summary>
/// The tenant of the crash loop: skill queue <see cref="TenantClient.SkillQueue"/> with a work code group that is
/// required at completion, agents with small maxima serving it, and a separate queue with one agent that the final
/// check uses to show that routing still works after the last restart.
/// </summary>
internal sealed record CrashLoopTenant(
    TenantCredentials Credentials, IReadOnlyDictionary<string, string> AgentTokens, string FinalAgentToken)
{
    /// <summary>The agents of the loop and their maxima of concurrent emails.</summary>
    public static readonly IReadOnlyDictionary<string, int> Agents = new Dictionary<string, int>
    {
        ["agent-1"] = 1,
        ["agent-2"] = 2,
        ["agent-3"] = 1,
        ["agent-4"] = 2,
    };

    /// <summary>
    /// The agents that work over the agent hub, one with a maximum of 1 and one of 2. The others use the REST agent
    /// API.
    /// </summary>
    public static readonly IReadOnlySet<string> HubAgents = new HashSet<string>(StringComparer.Ordinal)
    {
        "agent-1",
        "agent-2",
    };

    /// <summary>The offer timeout of the loop's queue: the lowest the admin API accepts.</summary>
    public const int OfferTimeoutSeconds = 5;

    /// <summary>The wrap time of the loop's queue, so completes pass through Wrap and its deadline.</summary>
    public const int WrapSeconds = 1;

    private const string FinalQueue = "Final";
    private const string FinalOwnerId = "FinalCheck";
    private const string FinalAgentId = "agent-final";
    private const string WorkCodeGroup = "Outcomes";
    private const string Password = "password-crash-loop";

    /// <summary>The tokens of the agents in <see cref="HubAgents"/>, by agent id.</summary>
    public IReadOnlyDictionary<string, string> HubAgentTokens =>
        AgentTokens.Where(agent => HubAgents.Contains(agent.Key))
            .ToDictionary(agent => agent.Key, agent => agent.Value, StringComparer.Ordinal);

    /// <summary>The tokens of the agents that use the REST agent API, by agent id.</summary>
    public IReadOnlyDictionary<string, string> RestAgentTokens =>
        AgentTokens.Where(agent => !HubAgents.Contains(agent.Key))
            .ToDictionary(agent => agent.Key, agent => agent.Value, StringComparer.Ordinal);

    /// <summary>Creates the tenant, its queues, work codes and agents, and signs every agent in.</summary>
    public static async Task<CrashLoopTenant> CreateAsync(HttpClient admin)
    {
        var tenant = await TenantClient.CreateTenantAsync(admin, ServerProcess.AdminToken, "crash-loop", "prod");
        await PutAsync(admin, tenant, $"work-code-groups/{WorkCodeGroup}", new { codes = AgentLoad.WorkCodes });
        await PutAsync(admin, tenant, $"skill-queues/{TenantClient.SkillQueue}", new
        {
            offerTimeoutSeconds = OfferTimeoutSeconds,
            wrapSeconds = WrapSeconds,
            workCodeGroups = new[] { WorkCodeGroup },
            workCodeRequired = true,
        });
        await PutAsync(admin, tenant, $"skill-queues/{FinalQueue}", new { });
        await PutAsync(admin, tenant, $"routed-email-configurations/{FinalOwnerId}", new { skillQueue = FinalQueue });

        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (agentId, max) in Agents)
        {
            tokens[agentId] = await CreateAgentAsync(admin, tenant, agentId, max, TenantClient.SkillQueue);
        }

        var finalToken = await CreateAgentAsync(admin, tenant, FinalAgentId, 1, FinalQueue);
        return new CrashLoopTenant(tenant, tokens, finalToken);
    }

    /// <summary>
    /// Sends one email to the final check's queue, waits until its agent, set Available, gets the offer, and
    /// accepts it. Returns the entity id.
    /// </summary>
    public async Task<string> RouteOneEmailAsync(ServerProcess server)
    {
        const string entityId = "final-check-1";
        using var http = server.CreateClient();
        var body = new JsonArray(new JsonObject
        {
            ["platform"] = "AWS Connect",
            ["companyCode"] = Credentials.CompanyCode,
            ["environment"] = Credentials.Environment,
            ["ownerId"] = FinalOwnerId,
            ["entityId"] = entityId,
            ["fromAddress"] = "customer@example.com",
            ["toAddress"] = "parts@example.com",
            ["subject"] = "Routing check after the last restart",
            ["attributes"] = new JsonArray(),
        });
        using var agent = server.CreateClient();
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", FinalAgentToken);
        await agent.SetStatusAsync("Available");

        using var response = await new TenantClient(http, Credentials).IngestAsync(body.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(text == TenantClient.SuccessBody,
            $"Ingest of {entityId} after the last restart returned {(int)response.StatusCode} {text}; expected 200.");

        var offer = await agent.WaitForOfferOfAsync(entityId);
        await agent.AcceptAsync(offer);
        return entityId;
    }

    private static async Task<string> CreateAgentAsync(
        HttpClient admin, TenantCredentials tenant, string agentId, int max, string queue)
    {
        await PutAsync(admin, tenant, $"agents/{agentId}", new
        {
            displayName = agentId,
            password = Password,
            maxConcurrentEmails = max,
            skillQueues = new[] { new { name = queue, rank = 1 } },
        });
        return await TenantClient.SignInAgentAsync(admin, tenant, agentId, Password);
    }

    private static Task<JsonObject> PutAsync(HttpClient admin, TenantCredentials tenant, string path, object body) =>
        TenantClient.SendTenantAdminAsync(admin, ServerProcess.AdminToken, tenant, HttpMethod.Put, path, body);
}

using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Security;

/// <summary>
/// Two tenants on one server with a caller of every kind. Tenant A has objects whose names tenant B lacks
/// (queue <c>A-Queue</c>, owner <c>A-Owner</c>, group <c>A-Group</c>, away reason <c>a-away</c>, webhook <c>a-hook</c>, agent
/// <c>a-victim</c>, user <c>a-user</c>, email <c>a-entity</c>), so a call of tenant B naming them is a call for
/// another tenant's ids.
/// </summary>
public sealed class SecurityWorld : IAsyncDisposable
{
    public const string ForeignEntityId = "a-entity";

    private static readonly string[] WorkCodes = ["Resolved"];
    private static readonly string[] WorkCodeGroups = ["A-Group"];
    private static readonly string[] AllEventTypes = ["*"];

    private readonly List<HttpClient> _clients = [];

    private SecurityWorld(TestServer server, Scenario tenantA, Scenario tenantB)
    {
        Server = server;
        TenantA = tenantA;
        TenantB = tenantB;
    }

    public TestServer Server { get; }

    public Scenario TenantA { get; }

    public Scenario TenantB { get; }

    /// <summary>A client without credentials.</summary>
    public HttpClient Anonymous { get; private set; } = null!;

    public HttpClient AdministratorA { get; private set; } = null!;

    public HttpClient SupervisorA { get; private set; } = null!;

    /// <summary>The agent <c>a-agent</c>, signed in with <c>POST /api/v1/sign-in</c> as a user.</summary>
    public HttpClient AgentUserA { get; private set; } = null!;

    /// <summary>The agent <c>a-agent</c>, signed in with <c>POST /api/v1/agent/sign-in</c>.</summary>
    public HttpClient AgentA { get; private set; } = null!;

    public HttpClient AdministratorB { get; private set; } = null!;

    public HttpClient SupervisorB { get; private set; } = null!;

    public static async Task<SecurityWorld> StartAsync()
    {
        // The webhook a-hook points at a closed loopback port, so its deliveries fail without leaving the machine.
        var server = await TestServer.StartAsync(
            settings: new Dictionary<string, string> { ["Webhooks:AllowLoopbackTargets"] = "true" });
        var tenantA = await Scenario.CreateAsync(server, "abc-gadgets");
        var tenantB = await Scenario.CreateAsync(server, "xyz-widgets");
        var world = new SecurityWorld(server, tenantA, tenantB);
        try
        {
            await world.PopulateAsync();
        }
        catch
        {
            await world.DisposeAsync();
            throw;
        }

        return world;
    }

    /// <summary>Sends a request and returns its status and body; a null body sends no content.</summary>
    public static async Task<(int Status, string Body)> SendAsync(
        HttpClient client, string method, string path, string? json = null,
        Action<HttpRequestMessage>? change = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        change?.Invoke(request);
        using var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await Server.DisposeAsync();
    }

    private async Task PopulateAsync()
    {
        var a = TenantA;
        await a.PutAsync("work-code-groups/A-Group", new { codes = WorkCodes });
        await a.PutAsync("away-reasons/a-away", new { description = "Lunch" });
        await a.PutAsync("skill-queues/A-Queue", new { workCodeGroups = WorkCodeGroups });
        await a.PutAsync("routed-email-configurations/A-Owner", new { skillQueue = "A-Queue" });
        await a.PutAsync("webhooks/a-hook", new { url = "http://127.0.0.1:9/hook", eventTypes = AllEventTypes });
        await a.PutAgentAsync("a-agent");
        await a.PutAgentAsync("a-victim");
        await a.PutUserAsync("a-user", "Supervisor");
        await a.PutUserAsync("a-admin", "Administrator");
        await a.PutUserAsync("a-supervisor", "Supervisor");
        await a.IngestAcceptedAsync(a.Item(ForeignEntityId, "A-Owner"));
        await TenantB.PutUserAsync("b-admin", "Administrator");
        await TenantB.PutUserAsync("b-supervisor", "Supervisor");

        Anonymous = Keep(Server.CreateClient());
        AdministratorA = Keep(await a.SignInUserAsync("a-admin"));
        SupervisorA = Keep(await a.SignInUserAsync("a-supervisor"));
        AgentUserA = Keep(await a.SignInUserAsync("a-agent"));
        AgentA = Keep(await a.SignInAsync("a-agent"));
        AdministratorB = Keep(await TenantB.SignInUserAsync("b-admin"));
        SupervisorB = Keep(await TenantB.SignInUserAsync("b-supervisor"));
    }

    /// <summary>Signs a new user of tenant A in, for a call that ends its own session.</summary>
    public async Task<HttpClient> SignInThrowawayUserAsync(string userId)
    {
        await TenantA.PutUserAsync(userId, "Supervisor");
        return Keep(await TenantA.SignInUserAsync(userId));
    }

    /// <summary>Creates an agent of tenant A and signs it in with the agent sign-in route.</summary>
    public async Task<HttpClient> SignInThrowawayAgentAsync(string agentId, int maxConcurrentEmails = 1)
    {
        await TenantA.PutAgentAsync(agentId, maxConcurrentEmails);
        return Keep(await TenantA.SignInAsync(agentId));
    }

    /// <summary>Returns the bearer token of a signed-in client.</summary>
    public static string TokenOf(HttpClient client) => client.DefaultRequestHeaders.Authorization!.Parameter!;

    /// <summary>Returns a client that sends a bearer token.</summary>
    public HttpClient WithBearer(string token)
    {
        var client = Keep(Server.CreateClient());
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private HttpClient Keep(HttpClient client)
    {
        _clients.Add(client);
        return client;
    }

    /// <summary>Reads the JSON body of a GET with a client, failing the test on an error.</summary>
    public static async Task<JsonNode> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} failed: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>The JSON of an object for a request body.</summary>
    public static string Json(object value) => JsonSerializer.Serialize(value, JsonSerializerOptions.Web);
}

using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RoutedEmail.Server.Tests.Infrastructure;

/// <summary>Sets up a tenant with a queue, a configuration and agents through the admin API, and talks to it.</summary>
public sealed class Scenario
{
    public const string IngestPath =
        "/symbee-crm-integration-service/svc/rs/SymbeeRoutedEmailService/sendRoutedEmail";

    public const string SeedExample = """
        [
            {
                "platform": "AWS Connect",
                "companyCode": "abc-gadgets",
                "environment": "prod",
                "ownerId": "USPartsSpanish",
                "entityId": "e94c0a8a-0b69-11ec-9a03-0242ac130003",

                "fromAddress": "jtaylor@gmail.com",
                "toAddress": "parts@gadgets.com",
                "subject": "Replacement part for Model X45T",

                "attributes" : [
                    {
                        "key": "CustomerId",
                        "value" : "7762123-01"
                    },
                    {
                        "key": "Class",
                        "value" : "Commercial"
                    }
                ]
            }
        ]
        """;

    private Scenario(TestServer server, string companyCode, string environment, string apiKey)
    {
        Server = server;
        CompanyCode = companyCode;
        Environment = environment;
        ApiKey = apiKey;
    }

    public TestServer Server { get; }

    public string CompanyCode { get; }

    public string Environment { get; }

    public string ApiKey { get; }

    public const string SecretsRegion = "us-east-1";

    public string TenantPath => $"/api/v1/tenants/{CompanyCode}/{Environment}";

    /// <summary>Creates a tenant with queue "Parts", owner "USPartsSpanish" routed to it, and no agents.</summary>
    public static async Task<Scenario> CreateAsync(
        TestServer server, string companyCode = "abc-gadgets", string environment = "prod")
    {
        using var response = await server.Admin.PostAsJsonAsync("/api/v1/tenants",
            new { companyCode, environment, secretsRegion = "us-east-1" });
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<JsonObject>();
        var scenario = new Scenario(server, companyCode, environment, created!["apiKey"]!.GetValue<string>());
        SuiteLog.RegisterSecret(scenario.ApiKey, "API key");
        await scenario.PutAsync("skill-queues/Parts", new { });
        await scenario.PutAsync("routed-email-configurations/USPartsSpanish", new { skillQueue = "Parts" });
        return scenario;
    }

    /// <summary>Returns the same tenant on another server, such as one restarted on the same data directory.</summary>
    public Scenario On(TestServer server) => new(server, CompanyCode, Environment, ApiKey);

    /// <summary>PUTs a tenant resource through the admin API and fails the test on an error.</summary>
    public async Task<JsonObject> PutAsync(string relativePath, object body)
    {
        using var response = await Server.Admin.PutAsJsonAsync($"{TenantPath}/{relativePath}", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"PUT {relativePath} failed: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Creates an agent serving "Parts" with rank 1.</summary>
    public Task<JsonObject> PutAgentAsync(string agentId, int maxConcurrentEmails = 1)
    {
        SuiteLog.RegisterSecret("password-" + agentId, "password");
        return PutAsync($"agents/{agentId}", new
        {
            displayName = agentId,
            password = "password-" + agentId,
            maxConcurrentEmails,
            skillQueues = new[] { new { name = "Parts", rank = 1 } },
        });
    }

    /// <summary>Signs an agent in and returns a client that sends its token.</summary>
    public async Task<HttpClient> SignInAsync(string agentId)
    {
        var client = Server.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/v1/agent/sign-in",
            new { companyCode = CompanyCode, environment = Environment, agentId, password = "password-" + agentId });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        var token = body!["token"]!.GetValue<string>();
        SuiteLog.RegisterSecret(token, "agent token");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Posts a raw ingest body with this tenant's headers.</summary>
    public async Task<HttpResponseMessage> IngestAsync(string body, Action<HttpRequestMessage>? change = null)
    {
        SuiteLog.RegisterEmailContent(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, IngestPath)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        AddIntegratorHeaders(request);
        change?.Invoke(request);
        using var client = Server.CreateClient();
        return await client.SendAsync(request);
    }

    public void AddIntegratorHeaders(HttpRequestMessage request)
    {
        request.Headers.Add("X-sc-platform-code", "AWS Connect");
        request.Headers.Add("X-sc-company-code", CompanyCode);
        request.Headers.Add("X-sc-company-environment", Environment);
        request.Headers.Add("X-sc-secrets-region", SecretsRegion);
        request.Headers.Add("X-sc-company-api-key", ApiKey);
    }

    /// <summary>Builds one ingest item for this tenant as a JSON object.</summary>
    public JsonObject Item(string entityId, string ownerId = "USPartsSpanish") => new()
    {
        ["platform"] = "AWS Connect",
        ["companyCode"] = CompanyCode,
        ["environment"] = Environment,
        ["ownerId"] = ownerId,
        ["entityId"] = entityId,
        ["fromAddress"] = "customer@example.com",
        ["toAddress"] = "parts@example.com",
        ["subject"] = "Subject of " + entityId,
        ["attributes"] = new JsonArray(),
    };

    /// <summary>Serializes items into an ingest body.</summary>
    public static string Body(params JsonObject[] items) => new JsonArray(items).ToJsonString();

    /// <summary>Reads the routed email of an entity id through the integrator API, or null when it is not found.</summary>
    public async Task<JsonObject?> FindEmailAsync(string entityId)
    {
        using var response = await SendIntegratorAsync(HttpMethod.Get, entityId);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonObject>();
    }

    /// <summary>Sends a GET or DELETE of an entity id to the integrator API with this tenant's headers.</summary>
    public async Task<HttpResponseMessage> SendIntegratorAsync(
        HttpMethod method, string entityId, Action<HttpRequestMessage>? change = null)
    {
        using var request = new HttpRequestMessage(method, $"/api/v1/routed-emails/{Uri.EscapeDataString(entityId)}");
        AddIntegratorHeaders(request);
        change?.Invoke(request);
        using var client = Server.CreateClient();
        return await client.SendAsync(request);
    }

    /// <summary>Cancels the email of an entity id, fails the test on an error, and returns the email.</summary>
    public async Task<JsonObject> CancelAsync(string entityId)
    {
        using var response = await SendIntegratorAsync(HttpMethod.Delete, entityId);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"DELETE {entityId} failed: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Posts items and fails the test unless the ingest API returns success.</summary>
    public async Task IngestAcceptedAsync(params JsonObject[] items)
    {
        using var response = await IngestAsync(Body(items));
        await IngestAssert.SucceededAsync(response);
    }

    /// <summary>Reads the tenant's stats through the admin API.</summary>
    public async Task<JsonObject> GetStatsAsync() =>
        (await Server.Admin.GetFromJsonAsync<JsonObject>($"{TenantPath}/stats"))!;

    /// <summary>Reads the stats of one skill queue: waiting, offered, active and wrap counts.</summary>
    public async Task<JsonObject> GetQueueStatsAsync(string queue = "Parts")
    {
        var stats = await GetStatsAsync();
        return stats["queues"]!.AsArray().Single(q => q!["name"]!.GetValue<string>() == queue)!.AsObject();
    }

    /// <summary>Checks that none of the entity ids has an email and that no queue contains any open email.</summary>
    public async Task AssertNothingQueuedAsync(params string[] entityIds)
    {
        foreach (var entityId in entityIds)
        {
            using var response = await SendIntegratorAsync(HttpMethod.Get, entityId);
            Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        }

        var stats = await GetStatsAsync();
        foreach (var queue in stats["queues"]!.AsArray())
        {
            foreach (var count in new[] { "waiting", "offered", "active", "wrap" })
            {
                Assert.Equal(0, queue![count]!.GetValue<int>());
            }
        }
    }

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);
}

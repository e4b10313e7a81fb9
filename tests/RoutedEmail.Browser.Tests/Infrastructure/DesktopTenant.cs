using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace RoutedEmail.Browser.Tests.Infrastructure;

/// <summary>
/// A tenant set up through the admin API as an administrator would: queue "Parts" that requires a work code of group
/// "Outcomes", owner "USParts" routed to it with a screen-pop template, and agent "maria".
/// </summary>
public sealed class DesktopTenant
{
    public const string CompanyCode = "abc-gadgets";
    public const string Environment = "prod";
    public const string AgentId = "maria";
    public const string Password = "maria-secret-1";

    /// <summary>A loopback address that nothing listens on, so the screen-pop link can never reach another host.</summary>
    public const string ScreenPopTemplate = "http://127.0.0.1:9/crm/case/{entityId}?customer={CustomerId}";

    private static readonly string[] WorkCodes = ["Resolved", "Escalated"];
    private static readonly string[] WorkCodeGroups = ["Outcomes"];

    private const string IngestPath =
        "/symbee-crm-integration-service/svc/rs/SymbeeRoutedEmailService/sendRoutedEmail";

    private DesktopTenant(DesktopServer server, string apiKey)
    {
        Server = server;
        ApiKey = apiKey;
    }

    public DesktopServer Server { get; }

    public string ApiKey { get; }

    public static string TenantPath => $"/api/v1/tenants/{CompanyCode}/{Environment}";

    /// <summary>Creates the tenant; <paramref name="offerTimeoutSeconds"/> sets the queue's offer timeout.</summary>
    public static async Task<DesktopTenant> CreateAsync(DesktopServer server, int offerTimeoutSeconds = 600)
    {
        using var response = await server.Admin.PostAsJsonAsync("/api/v1/tenants",
            new { companyCode = CompanyCode, environment = Environment, secretsRegion = "us-east-1" });
        var created = await ReadSuccessAsync(response, "POST /api/v1/tenants");
        var tenant = new DesktopTenant(server, created["apiKey"]!.GetValue<string>());
        await tenant.PutAsync("work-code-groups/Outcomes", new { codes = WorkCodes });
        await tenant.PutAsync("skill-queues/Parts",
            new { offerTimeoutSeconds, workCodeGroups = WorkCodeGroups, workCodeRequired = true });
        await tenant.PutAsync("skill-queues/General", new { });
        await tenant.PutAsync("routed-email-configurations/USParts",
            new { skillQueue = "Parts", screenPopUrlTemplate = ScreenPopTemplate });
        await tenant.PutAsync($"agents/{AgentId}", new
        {
            displayName = "Maria Lopez",
            password = Password,
            maxConcurrentEmails = 2,
            skillQueues = new[] { new { name = "Parts", rank = 1 } },
        });
        return tenant;
    }

    /// <summary>Returns a tenant that the test created another way, such as in the admin pages, with its API key.</summary>
    public static DesktopTenant ForExisting(DesktopServer server, string apiKey) => new(server, apiKey);

    public async Task PutAsync(string relativePath, object body)
    {
        using var response = await Server.Admin.PutAsJsonAsync($"{TenantPath}/{relativePath}", body);
        await ReadSuccessAsync(response, $"PUT {relativePath}");
    }

    /// <summary>Posts one email to the ingest API as a CRM would and fails the test unless it is accepted.</summary>
    public async Task IngestAsync(string entityId, string subject)
    {
        var item = new JsonObject
        {
            ["platform"] = "AWS Connect",
            ["companyCode"] = CompanyCode,
            ["environment"] = Environment,
            ["ownerId"] = "USParts",
            ["entityId"] = entityId,
            ["fromAddress"] = "jtaylor@example.com",
            ["toAddress"] = "parts@example.com",
            ["subject"] = subject,
            ["attributes"] = new JsonArray(
                new JsonObject { ["key"] = "CustomerId", ["value"] = "7762123-01" },
                new JsonObject { ["key"] = "Class", ["value"] = "Commercial" }),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, IngestPath)
        {
            Content = new StringContent(new JsonArray(item).ToJsonString(), Encoding.UTF8, "application/json"),
        };
        AddIntegratorHeaders(request);
        using var client = new HttpClient { BaseAddress = Server.BaseAddress };
        using var response = await client.SendAsync(request);
        await ReadSuccessAsync(response, $"ingest of {entityId}");
    }

    /// <summary>Reads an email's state through the integrator API.</summary>
    public async Task<string> GetStateAsync(string entityId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/routed-emails/{entityId}");
        AddIntegratorHeaders(request);
        using var client = new HttpClient { BaseAddress = Server.BaseAddress };
        using var response = await client.SendAsync(request);
        var email = await ReadSuccessAsync(response, $"GET routed email {entityId}");
        return email["state"]!.GetValue<string>();
    }

    /// <summary>Reads the agent's status through the admin API.</summary>
    public async Task<string> GetAgentStatusAsync()
    {
        var agent = await Server.Admin.GetFromJsonAsync<JsonObject>($"{TenantPath}/agents/{AgentId}");
        return agent!["status"]!.GetValue<string>();
    }

    private void AddIntegratorHeaders(HttpRequestMessage request)
    {
        request.Headers.Add("X-sc-platform-code", "AWS Connect");
        request.Headers.Add("X-sc-company-code", CompanyCode);
        request.Headers.Add("X-sc-company-environment", Environment);
        request.Headers.Add("X-sc-secrets-region", "us-east-1");
        request.Headers.Add("X-sc-company-api-key", ApiKey);
    }

    private static async Task<JsonObject> ReadSuccessAsync(HttpResponseMessage response, string request)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{request} failed: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text) as JsonObject ?? [];
    }
}

using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using RoutedEmail.Aws.Credentials;
using RoutedEmail.Aws.Tests.Infrastructure;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Keys;

/// <summary>
/// A tenant created with the given publishing settings, with skill queue "Parts" and owner "USPartsSpanish", that
/// sends ingest and integrator requests with any API key.
/// </summary>
internal sealed class KeyTenant
{
    private KeyTenant(TestServer server, string companyCode, string environment, JsonObject created)
    {
        Server = server;
        CompanyCode = companyCode;
        Environment = environment;
        Created = created;
    }

    public TestServer Server { get; }

    public string CompanyCode { get; }

    public string Environment { get; }

    /// <summary>The body of the create response.</summary>
    public JsonObject Created { get; }

    public string FirstKey => Created["apiKey"]!.GetValue<string>();

    public string TenantPath => $"/api/v1/tenants/{CompanyCode}/{Environment}";

    /// <summary>
    /// The settings that point the service at the emulator, with explicit credentials, for Secrets Manager and STS.
    /// </summary>
    public static Dictionary<string, string> AwsSettings(Uri endpoint, AwsCredentials credentials) => new()
    {
        ["Aws:ServiceUrl"] = endpoint.ToString(),
        ["Aws:StsServiceUrl"] = endpoint.ToString(),
        ["Aws:AccessKeyId"] = credentials.AccessKeyId,
        ["Aws:SecretAccessKey"] = credentials.SecretAccessKey,
    };

    public static async Task<KeyTenant> CreateAsync(
        TestServer server, object? secretsManager, int? keyRotationDays = null, string companyCode = "abc-gadgets",
        string environment = "prod")
    {
        using var response = await server.Admin.PostAsJsonAsync(
            "/api/v1/tenants",
            new { companyCode, environment, secretsRegion = MotoServer.Region, secretsManager, keyRotationDays });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /api/v1/tenants failed: {(int)response.StatusCode} {text}");
        var tenant = new KeyTenant(server, companyCode, environment, JsonNode.Parse(text)!.AsObject());
        await tenant.PutAsync("skill-queues/Parts", new { });
        await tenant.PutAsync("routed-email-configurations/USPartsSpanish", new { skillQueue = "Parts" });
        return tenant;
    }

    /// <summary>Returns the same tenant on another server, such as one restarted on the same data directory.</summary>
    public KeyTenant On(TestServer server) => new(server, CompanyCode, Environment, Created);

    public async Task PutAsync(string relativePath, object body)
    {
        using var response = await Server.Admin.PutAsJsonAsync($"{TenantPath}/{relativePath}", body);
        Assert.True(response.IsSuccessStatusCode, $"PUT {relativePath} failed: {(int)response.StatusCode}");
    }

    public async Task<JsonObject> GetAsync() =>
        (await Server.Admin.GetFromJsonAsync<JsonObject>(TenantPath))!;

    /// <summary>Rotates the key and returns the response body, failing the test unless it is 200.</summary>
    public async Task<JsonObject> RotateAsync()
    {
        using var response = await Server.Admin.PostAsync($"{TenantPath}/api-key/rotate", null);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Rotate failed: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Sends one ingest item with the given key, from the given client.</summary>
    public async Task<HttpResponseMessage> IngestAsync(string apiKey, string entityId, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Scenario.IngestPath)
        {
            Content = new StringContent(Body(entityId), Encoding.UTF8, "application/json"),
        };
        AddHeaders(request, apiKey);
        return await SendAsync(request, client);
    }

    /// <summary>Reads an entity id through the integrator API with the given key, from the given client.</summary>
    public async Task<HttpResponseMessage> LookUpAsync(string apiKey, string entityId, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/routed-emails/{entityId}");
        AddHeaders(request, apiKey);
        return await SendAsync(request, client);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpClient? client)
    {
        if (client is not null)
        {
            return await client.SendAsync(request);
        }

        using var own = Server.CreateClient();
        return await own.SendAsync(request);
    }

    private void AddHeaders(HttpRequestMessage request, string apiKey)
    {
        request.Headers.Add("X-sc-platform-code", "AWS Connect");
        request.Headers.Add("X-sc-company-code", CompanyCode);
        request.Headers.Add("X-sc-company-environment", Environment);
        request.Headers.Add("X-sc-secrets-region", MotoServer.Region);
        request.Headers.TryAddWithoutValidation("X-sc-company-api-key", apiKey);
    }

    private string Body(string entityId) => new JsonArray(new JsonObject
    {
        ["platform"] = "AWS Connect",
        ["companyCode"] = CompanyCode,
        ["environment"] = Environment,
        ["ownerId"] = "USPartsSpanish",
        ["entityId"] = entityId,
        ["fromAddress"] = "customer@example.com",
        ["toAddress"] = "parts@example.com",
        ["subject"] = "Subject of " + entityId,
        ["attributes"] = new JsonArray(),
    }).ToJsonString();

    /// <summary>Polls a condition every 50 ms until it holds, failing the test after the timeout.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string description, int timeoutSeconds = 20)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(waited.Elapsed.TotalSeconds < timeoutSeconds, $"Timed out waiting until {description}.");
            await Task.Delay(50);
        }
    }
}

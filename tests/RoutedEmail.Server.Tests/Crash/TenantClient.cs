using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RoutedEmail.Server.Tests.Crash;

/// <summary>The credentials of a tenant, which stay valid across restarts of the server.</summary>
/// <param name="CompanyCode">The tenant's company code.</param>
/// <param name="Environment">The tenant's environment name.</param>
/// <param name="ApiKey">The tenant's current API key.</param>
internal sealed record TenantCredentials(string CompanyCode, string Environment, string ApiKey);

/// <summary>
/// Talks to a server over HTTP only: creates a tenant through the admin API, sends ingest batches and reads routed
/// emails with the integrator headers. It works against any base address, such as a child process.
/// </summary>
/// <remarks>The benchmark project compiles this file too, so it uses nothing from xunit.</remarks>
internal sealed class TenantClient(HttpClient http, TenantCredentials tenant)
{
    /// <summary>The ingest path of the Generic Routed Email API.</summary>
    public const string IngestPath =
        "/symbee-crm-integration-service/svc/rs/SymbeeRoutedEmailService/sendRoutedEmail";

    /// <summary>The exact body of an ingest success.</summary>
    public const string SuccessBody = """{"responseEnum":"SUCCESS","errorMessage":null}""";

    /// <summary>The secrets region every tenant of this client is created with.</summary>
    public const string SecretsRegion = "us-east-1";

    /// <summary>The skill queue of the tenant's only configuration.</summary>
    public const string SkillQueue = "Parts";

    /// <summary>The owner id that every item is sent with, routed to <see cref="SkillQueue"/>.</summary>
    public const string OwnerId = "USParts";

    /// <summary>The tenant this client sends as.</summary>
    public TenantCredentials Tenant { get; } = tenant;

    /// <summary>
    /// Creates a tenant with skill queue <see cref="SkillQueue"/> and owner id <see cref="OwnerId"/> routed to it,
    /// and no agents, so every ingested email stays Queued.
    /// </summary>
    /// <param name="http">A client with the server's base address.</param>
    /// <param name="adminToken">The operator admin token the server was started with.</param>
    /// <param name="companyCode">The new tenant's company code.</param>
    /// <param name="environment">The new tenant's environment name.</param>
    /// <param name="cancellationToken">Cancels the admin requests.</param>
    /// <exception cref="HttpRequestException">
    /// An admin request failed. The message contains the response status and body.
    /// </exception>
    public static async Task<TenantCredentials> CreateTenantAsync(
        HttpClient http, string adminToken, string companyCode, string environment,
        CancellationToken cancellationToken = default)
    {
        var created = await SendAdminAsync(http, adminToken, HttpMethod.Post, "/api/v1/tenants",
            new { companyCode, environment, secretsRegion = SecretsRegion }, cancellationToken);
        var tenant = new TenantCredentials(companyCode, environment, created["apiKey"]!.GetValue<string>());

        var tenantPath = $"/api/v1/tenants/{companyCode}/{environment}";
        await SendAdminAsync(http, adminToken, HttpMethod.Put, $"{tenantPath}/skill-queues/{SkillQueue}",
            new { }, cancellationToken);
        await SendAdminAsync(http, adminToken, HttpMethod.Put,
            $"{tenantPath}/routed-email-configurations/{OwnerId}", new { skillQueue = SkillQueue }, cancellationToken);
        return tenant;
    }

    /// <summary>Reads the number of Queued emails in <see cref="SkillQueue"/> from the tenant's stats.</summary>
    /// <exception cref="HttpRequestException">The stats request failed.</exception>
    public static async Task<int> CountWaitingAsync(
        HttpClient http, string adminToken, TenantCredentials tenant, CancellationToken cancellationToken = default)
    {
        var path = $"/api/v1/tenants/{tenant.CompanyCode}/{tenant.Environment}/stats";
        var stats = await SendAdminAsync(http, adminToken, HttpMethod.Get, path, null, cancellationToken);
        var queue = stats["queues"]!.AsArray().Single(q => q!["name"]!.GetValue<string>() == SkillQueue)!;
        return queue["waiting"]!.GetValue<int>();
    }

    /// <summary>
    /// Sends an admin request for a resource of the tenant, such as <c>skill-queues/Parts</c> or <c>stats</c>, and
    /// returns the response body.
    /// </summary>
    /// <param name="http">A client with the server's base address.</param>
    /// <param name="adminToken">The operator admin token the server was started with.</param>
    /// <param name="tenant">The tenant whose resource is requested.</param>
    /// <param name="method">The HTTP method, such as GET or PUT.</param>
    /// <param name="relativePath">The path below <c>/api/v1/tenants/{company}/{environment}/</c>.</param>
    /// <param name="body">The JSON body, or null to send none.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="HttpRequestException">
    /// The request failed. The message contains the response status and body.
    /// </exception>
    public static Task<JsonObject> SendTenantAdminAsync(
        HttpClient http, string adminToken, TenantCredentials tenant, HttpMethod method, string relativePath,
        object? body = null, CancellationToken cancellationToken = default)
    {
        var path = $"/api/v1/tenants/{tenant.CompanyCode}/{tenant.Environment}/{relativePath}";
        return SendAdminAsync(http, adminToken, method, path, body, cancellationToken);
    }

    /// <summary>Signs an agent of the tenant in and returns its bearer token, which stays valid across restarts.</summary>
    /// <exception cref="HttpRequestException">
    /// The sign-in failed. The message contains the response status and body.
    /// </exception>
    public static async Task<string> SignInAgentAsync(
        HttpClient http, TenantCredentials tenant, string agentId, string password,
        CancellationToken cancellationToken = default)
    {
        const string path = "/api/v1/agent/sign-in";
        using var response = await http.PostAsJsonAsync(new Uri(path, UriKind.Relative),
            new { companyCode = tenant.CompanyCode, environment = tenant.Environment, agentId, password },
            cancellationToken);
        await EnsureSuccessAsync(response, "POST " + path, cancellationToken);
        var session = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
        return session!["token"]!.GetValue<string>();
    }

    /// <summary>Builds an ingest body with one item per entity id, all for <see cref="OwnerId"/>.</summary>
    public string BuildBody(IReadOnlyList<string> entityIds)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var entityId in entityIds)
            {
                writer.WriteStartObject();
                writer.WriteString("platform", "AWS Connect");
                writer.WriteString("companyCode", Tenant.CompanyCode);
                writer.WriteString("environment", Tenant.Environment);
                writer.WriteString("ownerId", OwnerId);
                writer.WriteString("entityId", entityId);
                writer.WriteString("fromAddress", "customer@example.com");
                writer.WriteString("toAddress", "parts@example.com");
                writer.WriteString("subject", "Replacement part for " + entityId);
                writer.WriteStartArray("attributes");
                writer.WriteStartObject();
                writer.WriteString("key", "CustomerId");
                writer.WriteString("value", entityId);
                writer.WriteEndObject();
                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Posts an ingest body with the tenant's integrator headers and returns the raw response.</summary>
    /// <exception cref="HttpRequestException">
    /// No response arrived, for instance because the server was killed.
    /// </exception>
    public async Task<HttpResponseMessage> IngestAsync(string body, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(IngestPath, UriKind.Relative))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        AddIntegratorHeaders(request);
        return await http.SendAsync(request, cancellationToken);
    }

    /// <summary>Reads the routed email of an entity id, or returns null when the server responds 404.</summary>
    /// <exception cref="HttpRequestException">The server responded with neither 200 nor 404.</exception>
    public async Task<JsonObject?> FindEmailAsync(string entityId, CancellationToken cancellationToken = default)
    {
        var path = "/api/v1/routed-emails/" + Uri.EscapeDataString(entityId);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        AddIntegratorHeaders(request);
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, "GET " + path, cancellationToken);
        return await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
    }

    private void AddIntegratorHeaders(HttpRequestMessage request)
    {
        request.Headers.Add("X-sc-platform-code", "AWS Connect");
        request.Headers.Add("X-sc-company-code", Tenant.CompanyCode);
        request.Headers.Add("X-sc-company-environment", Tenant.Environment);
        request.Headers.Add("X-sc-secrets-region", SecretsRegion);
        request.Headers.Add("X-sc-company-api-key", Tenant.ApiKey);
    }

    private static async Task<JsonObject> SendAdminAsync(
        HttpClient http, string adminToken, HttpMethod method, string path, object? body,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, $"{method} {path}", cancellationToken);
        return (await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!;
    }

    private static async Task EnsureSuccessAsync(
        HttpResponseMessage response, string request, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpRequestException(
                $"{request} failed with status {(int)response.StatusCode}: {text}", null, response.StatusCode);
        }
    }
}

using System.Net.Http.Json;
using System.Text.Json.Nodes;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Client.Tests.Infrastructure;

/// <summary>A tenant created through the admin API, with its first API key.</summary>
public sealed record TestTenant(string CompanyCode, string Environment, string ApiKey)
{
    public const string SecretsRegion = "us-east-1";
    public const string OwnerId = "USPartsSpanish";
    public const string SkillQueue = "Parts";
    public const string SeedEntityId = "e94c0a8a-0b69-11ec-9a03-0242ac130003";

    /// <summary>The example request of the Generic Routed Email API, with the comma it lacks.</summary>
    public const string SeedJson = """
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
                    { "key": "CustomerId", "value" : "7762123-01" },
                    { "key": "Class", "value" : "Commercial" }
                ]
            }
        ]
        """;

    public string TenantPath => $"/api/v1/tenants/{CompanyCode}/{Environment}";

    /// <summary>Creates tenant abc-gadgets/prod with queue Parts and owner USPartsSpanish routed to it.</summary>
    public static async Task<TestTenant> CreateAsync(
        TestServer server, string companyCode = "abc-gadgets", string environment = "prod")
    {
        using var created = await server.Admin.PostAsJsonAsync(
            "/api/v1/tenants", new { companyCode, environment, secretsRegion = SecretsRegion });
        created.EnsureSuccessStatusCode();
        var body = await created.Content.ReadFromJsonAsync<JsonObject>();
        var tenant = new TestTenant(companyCode, environment, body!["apiKey"]!.GetValue<string>());
        using var queue = await server.Admin.PutAsJsonAsync($"{tenant.TenantPath}/skill-queues/{SkillQueue}", new { });
        queue.EnsureSuccessStatusCode();
        using var configuration = await server.Admin.PutAsJsonAsync(
            $"{tenant.TenantPath}/routed-email-configurations/{OwnerId}", new { skillQueue = SkillQueue });
        configuration.EnsureSuccessStatusCode();
        return tenant;
    }

    /// <summary>Rotates the tenant's key on the server and returns the new key.</summary>
    public async Task<string> RotateAsync(TestServer server)
    {
        using var response = await server.Admin.PostAsync($"{TenantPath}/api-key/rotate", content: null);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        return body!["apiKey"]!.GetValue<string>();
    }
}

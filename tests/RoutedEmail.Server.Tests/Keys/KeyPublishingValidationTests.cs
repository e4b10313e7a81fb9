using System.Net;
using System.Net.Http.Json;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Keys;

/// <summary>
/// Invalid publishing settings get a validation problem naming the field, before any call to AWS. The server points
/// at a loopback port where nothing listens, so a test that reached AWS would fail rather than call a real endpoint.
/// </summary>
[Trait(TestStore.Trait, TestStore.Independent)]
public sealed class KeyPublishingValidationTests
{
    private static readonly Dictionary<string, string> NoAws =
        KeyTenant.AwsSettings(new Uri("http://127.0.0.1:9/"), new("AKIAIOSFODNN7EXAMPLE", "unused-secret"));

    public static TheoryData<string, object> InvalidSettings => new()
    {
        { "secretsManager.secretName", new { secretsManager = new { enabled = true, secretName = "has space" } } },
        { "secretsManager.secretName", new { secretsManager = new { enabled = true, secretName = "" } } },
        {
            "secretsManager.roleArn",
            new { secretsManager = new { enabled = true, roleArn = "arn:aws:iam::123456789012:user/writer" } }
        },
        { "secretsManager.externalId", new { secretsManager = new { enabled = true, externalId = "abc" } } },
        {
            "secretsManager.externalId",
            new { secretsManager = new { roleArn = "arn:aws:iam::123456789012:role/writer", externalId = "x" } }
        },
        { "keyRotationDays", new { keyRotationDays = 30 } },
        { "keyRotationDays", new { secretsManager = new { enabled = true }, keyRotationDays = 366 } },
        { "keyRotationDays", new { secretsManager = new { enabled = true }, keyRotationDays = -1 } },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public async Task CreateTenant_InvalidPublishing_Returns400NamingField(string field, object settings)
    {
        await using var server = await TestServer.StartAsync(settings: NoAws);
        var body = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(settings))!
            .AsObject();
        body["companyCode"] = "abc-gadgets";
        body["environment"] = "prod";

        using var create = await server.Admin.PostAsJsonAsync("/api/v1/tenants", body);
        var problem = await IngestAssert.ProblemAsync(create, HttpStatusCode.BadRequest);
        using var update = await server.Admin.PutAsJsonAsync("/api/v1/tenants/abc-gadgets/prod", settings);

        Assert.True(problem["errors"]!.AsObject().ContainsKey(field), problem.ToJsonString());
        Assert.Equal(HttpStatusCode.NotFound, update.StatusCode);
    }

    [Fact]
    public async Task UpdateTenant_RotationWithoutPublishing_Returns400()
    {
        await using var server = await TestServer.StartAsync(settings: NoAws);
        var tenant = await KeyTenant.CreateAsync(server, secretsManager: null);

        using var update = await server.Admin.PutAsJsonAsync(tenant.TenantPath, new { keyRotationDays = 10 });
        var problem = await IngestAssert.ProblemAsync(update, HttpStatusCode.BadRequest);
        var settings = await tenant.GetAsync();

        var message = problem["errors"]!["keyRotationDays"]![0]!.GetValue<string>();
        Assert.Contains("secretsManager.enabled", message, StringComparison.Ordinal);
        Assert.False(settings["secretsManager"]!["enabled"]!.GetValue<bool>());
        Assert.Null(settings["keyRotationDays"]);
    }
}

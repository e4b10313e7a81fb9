using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

/// <summary>The admin API: the operator token, tenants, skill queues, configurations, agents and stats.</summary>
public sealed class AdminApiTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("not-the-admin-token-0123456789abcdef0123")]
    public async Task Admin_MissingOrWrongToken_Returns401Problem(string? token)
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var list = await client.GetAsync("/api/v1/tenants");
        using var create = await client.PostAsJsonAsync("/api/v1/tenants", new { companyCode = "abc", environment = "prod" });

        var problem = await IngestAssert.ProblemAsync(list, HttpStatusCode.Unauthorized);
        Assert.Contains("Bearer", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Bearer", list.Headers.WwwAuthenticate.Single().Scheme);
        await IngestAssert.ProblemAsync(create, HttpStatusCode.Unauthorized);
        Assert.Empty((await server.Admin.GetFromJsonAsync<JsonArray>("/api/v1/tenants"))!);
    }

    [Fact]
    public async Task CreateTenant_Valid_Returns201WithApiKey()
    {
        await using var server = await TestServer.StartAsync();

        using var response = await server.Admin.PostAsJsonAsync("/api/v1/tenants",
            new { companyCode = "abc-gadgets", environment = "prod", secretsRegion = "us-west-2" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var tenant = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("abc-gadgets", tenant["companyCode"]!.GetValue<string>());
        Assert.Equal("prod", tenant["environment"]!.GetValue<string>());
        Assert.Equal("us-west-2", tenant["secretsRegion"]!.GetValue<string>());
        Assert.Equal("UTC", tenant["timeZone"]!.GetValue<string>());
        Assert.Matches("^[A-Za-z0-9_-]{43}$", tenant["apiKey"]!.GetValue<string>());
        Assert.Equal("/api/v1/tenants/abc-gadgets/prod", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task GetTenant_AfterCreate_OmitsApiKey()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        var tenant = await server.Admin.GetFromJsonAsync<JsonObject>(scenario.TenantPath);
        var list = await server.Admin.GetFromJsonAsync<JsonArray>("/api/v1/tenants");

        Assert.Equal("abc-gadgets", tenant!["companyCode"]!.GetValue<string>());
        Assert.False(tenant.ContainsKey("apiKey"));
        Assert.Equal("abc-gadgets", Assert.Single(list!)!["companyCode"]!.GetValue<string>());
        Assert.DoesNotContain(scenario.ApiKey, list!.ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc-gadgets", "prod")]
    [InlineData("ABC-Gadgets", "PROD")]
    public async Task CreateTenant_Duplicate_Returns409(string companyCode, string environment)
    {
        await using var server = await TestServer.StartAsync();
        await Scenario.CreateAsync(server, "abc-gadgets", "prod");

        using var response = await server.Admin.PostAsJsonAsync("/api/v1/tenants", new { companyCode, environment });

        await IngestAssert.ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Single((await server.Admin.GetFromJsonAsync<JsonArray>("/api/v1/tenants"))!);
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("PUT", "")]
    [InlineData("POST", "/api-key/rotate")]
    [InlineData("PUT", "/skill-queues/Parts")]
    [InlineData("GET", "/skill-queues")]
    [InlineData("PUT", "/routed-email-configurations/USPartsSpanish")]
    [InlineData("GET", "/routed-email-configurations")]
    [InlineData("PUT", "/agents/maria")]
    [InlineData("GET", "/agents")]
    [InlineData("GET", "/stats")]
    public async Task Tenant_Unknown_Returns404(string method, string relativePath)
    {
        await using var server = await TestServer.StartAsync();
        await Scenario.CreateAsync(server);
        using var request = new HttpRequestMessage(new HttpMethod(method), $"/api/v1/tenants/no-such/prod{relativePath}");
        if (method != "GET")
        {
            request.Content = JsonContent.Create(
                new { skillQueue = "Parts", password = "password-maria", timeZone = "UTC" });
        }

        using var response = await server.Admin.SendAsync(request);

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Contains("no-such", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string, string> InvalidRequests => new()
    {
        { "POST", "/api/v1/tenants", """{"companyCode":"abc gadgets","environment":"prod"}""", "companyCode" },
        { "POST", "/api/v1/tenants", """{"companyCode":"-abc","environment":"prod"}""", "companyCode" },
        { "POST", "/api/v1/tenants", """{"environment":"prod"}""", "companyCode" },
        { "POST", "/api/v1/tenants", """{"companyCode":"abc","environment":"pr/od"}""", "environment" },
        { "POST", "/api/v1/tenants", """{"companyCode":"abc","environment":"prod","secretsRegion":"mars"}""", "secretsRegion" },
        { "POST", "/api/v1/tenants", """{"companyCode":"abc","environment":"prod","timeZone":"Mars/Olympus"}""", "timeZone" },
        { "PUT", "TENANT/skill-queues/Billing", """{"offerTimeoutSeconds":4}""", "offerTimeoutSeconds" },
        { "PUT", "TENANT/skill-queues/Billing", """{"offerTimeoutSeconds":3601}""", "offerTimeoutSeconds" },
        { "PUT", "TENANT/skill-queues/Billing", """{"wrapSeconds":-1}""", "wrapSeconds" },
        { "PUT", "TENANT/skill-queues/Billing", """{"serviceLevelSeconds":0}""", "serviceLevelSeconds" },
        { "PUT", "TENANT/routed-email-configurations/Billing", """{"priority":5}""", "skillQueue" },
        { "PUT", "TENANT/routed-email-configurations/Billing", """{"skillQueue":"NoSuchQueue"}""", "skillQueue" },
        { "PUT", "TENANT/routed-email-configurations/Billing", """{"skillQueue":"Parts","priority":1001}""", "priority" },
        { "PUT", "TENANT/routed-email-configurations/Billing", """{"skillQueue":"Parts","screenPopUrlTemplate":"ftp://crm/{entityId}"}""", "screenPopUrlTemplate" },
        { "PUT", "TENANT/agents/ana", """{"displayName":"Ana"}""", "password" },
        { "PUT", "TENANT/agents/ana", """{"password":"short"}""", "password" },
        { "PUT", "TENANT/agents/ana", """{"password":"password-ana","maxConcurrentEmails":0}""", "maxConcurrentEmails" },
        { "PUT", "TENANT/agents/ana", """{"password":"password-ana","skillQueues":[{"name":"NoSuchQueue","rank":1}]}""", "skillQueues" },
        { "PUT", "TENANT/agents/ana", """{"password":"password-ana","skillQueues":[{"name":"Parts","rank":0}]}""", "skillQueues[0].rank" },
        { "PUT", "TENANT/agents/ana", """{"password":"password-ana","skillQueues":[{"name":"Parts","rank":101}]}""", "skillQueues[0].rank" },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task Admin_InvalidRequest_ReturnsValidationProblem(string method, string path, string body, string field)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        var tenantsBefore = (await server.Admin.GetFromJsonAsync<JsonArray>("/api/v1/tenants"))!.Count;
        var target = path.Replace("TENANT", scenario.TenantPath, StringComparison.Ordinal);
        using var request = new HttpRequestMessage(new HttpMethod(method), target)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };

        using var response = await server.Admin.SendAsync(request);

        await IngestAssert.ValidationProblemAsync(response, field);
        Assert.Equal(tenantsBefore, (await server.Admin.GetFromJsonAsync<JsonArray>("/api/v1/tenants"))!.Count);
        if (method == "PUT")
        {
            using var stored = await server.Admin.GetAsync(target);
            Assert.Equal(HttpStatusCode.NotFound, stored.StatusCode);
        }
    }

    [Theory]
    [InlineData("{", "body")]
    [InlineData("", "body")]
    [InlineData("""{"companyCode":5,"environment":"prod"}""", "companyCode")]
    [InlineData("""{"companyCode":"abc","environment":["prod"]}""", "environment")]
    public async Task CreateTenant_UnreadableBody_ProblemNamesField(string body, string field)
    {
        await using var server = await TestServer.StartAsync();

        using var response = await server.Admin.PostAsync(
            "/api/v1/tenants", new StringContent(body, Encoding.UTF8, "application/json"));

        await IngestAssert.ValidationProblemAsync(response, field);
        Assert.Empty((await server.Admin.GetFromJsonAsync<JsonArray>("/api/v1/tenants"))!);
    }

    [Fact]
    public async Task PutAgent_TextRank_ProblemNamesField()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await server.Admin.PutAsync($"{scenario.TenantPath}/agents/ana", new StringContent(
            """{"password":"password-ana","skillQueues":[{"name":"Parts","rank":"first"}]}""",
            Encoding.UTF8, "application/json"));

        var message = await IngestAssert.ValidationProblemAsync(response, "skillQueues[0].rank");
        Assert.DoesNotContain("RoutedEmail.", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateTenant_TextPlainBody_Returns415Problem()
    {
        await using var server = await TestServer.StartAsync();

        using var response = await server.Admin.PostAsync("/api/v1/tenants",
            new StringContent("""{"companyCode":"abc","environment":"prod"}""", Encoding.UTF8, "text/plain"));

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("application/json", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutSkillQueue_CreateThenReplace_Returns201Then200()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        var path = $"{scenario.TenantPath}/skill-queues/Billing";
        await scenario.PutAsync("work-code-groups/Billing", new { codes = new List<string> { "Refund" } });

        using var created = await server.Admin.PutAsJsonAsync(path, new { });
        using var replaced = await server.Admin.PutAsJsonAsync(path, new
        {
            offerTimeoutSeconds = 30, wrapSeconds = 15, serviceLevelSeconds = 600,
            workCodeGroups = new List<string> { "Billing" }, workCodeRequired = true,
        });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var defaults = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(60, defaults["offerTimeoutSeconds"]!.GetValue<int>());
        Assert.Equal(0, defaults["wrapSeconds"]!.GetValue<int>());
        Assert.Equal(3600, defaults["serviceLevelSeconds"]!.GetValue<int>());
        Assert.Empty(defaults["workCodeGroups"]!.AsArray());
        Assert.False(defaults["workCodeRequired"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var stored = (await server.Admin.GetFromJsonAsync<JsonObject>(path))!;
        Assert.Equal(30, stored["offerTimeoutSeconds"]!.GetValue<int>());
        Assert.Equal(15, stored["wrapSeconds"]!.GetValue<int>());
        Assert.Equal(600, stored["serviceLevelSeconds"]!.GetValue<int>());
        Assert.Equal("""["Billing"]""", stored["workCodeGroups"]!.ToJsonString());
        Assert.True(stored["workCodeRequired"]!.GetValue<bool>());
    }

    [Fact]
    public async Task PutConfiguration_CreateThenReplace_Returns201Then200()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        var path = $"{scenario.TenantPath}/routed-email-configurations/Billing";

        using var created = await server.Admin.PutAsJsonAsync(path, new { skillQueue = "Parts" });
        using var replaced = await server.Admin.PutAsJsonAsync(path, new
        {
            skillQueue = "Parts", priority = 7, enabled = false, description = "Billing questions",
            screenPopUrlTemplate = "https://crm.example.com/case/{entityId}",
        });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var defaults = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(0, defaults["priority"]!.GetValue<int>());
        Assert.True(defaults["enabled"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var stored = (await server.Admin.GetFromJsonAsync<JsonObject>(path))!;
        Assert.Equal("Parts", stored["skillQueue"]!.GetValue<string>());
        Assert.Equal(7, stored["priority"]!.GetValue<int>());
        Assert.False(stored["enabled"]!.GetValue<bool>());
        Assert.Equal("Billing questions", stored["description"]!.GetValue<string>());
        Assert.Equal("https://crm.example.com/case/{entityId}", stored["screenPopUrlTemplate"]!.GetValue<string>());
    }

    [Fact]
    public async Task PutAgent_CreateThenReplace_Returns201Then200()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Billing", new { });
        var path = $"{scenario.TenantPath}/agents/maria";

        using var created = await server.Admin.PutAsJsonAsync(path, new { password = "password-maria" });
        using var replaced = await server.Admin.PutAsJsonAsync(path, new
        {
            displayName = "Maria Lopez", maxConcurrentEmails = 3,
            skillQueues = new[] { new { name = "Billing", rank = 2 }, new { name = "Parts", rank = 1 } },
        });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var defaults = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("maria", defaults["displayName"]!.GetValue<string>());
        Assert.Equal(1, defaults["maxConcurrentEmails"]!.GetValue<int>());
        Assert.Equal("Offline", defaults["status"]!.GetValue<string>());
        Assert.False(defaults.ContainsKey("password"));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var stored = (await server.Admin.GetFromJsonAsync<JsonObject>(path))!;
        Assert.Equal("Maria Lopez", stored["displayName"]!.GetValue<string>());
        Assert.Equal(3, stored["maxConcurrentEmails"]!.GetValue<int>());
        Assert.Equal("""[{"name":"Parts","rank":1},{"name":"Billing","rank":2}]""", stored["skillQueues"]!.ToJsonString());
        Assert.DoesNotContain("password", stored.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        using var signIn = await scenario.SignInAsync("maria");
    }

    [Fact]
    public async Task GetEndpoints_UnknownNames_Return404()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var queue = await server.Admin.GetAsync($"{scenario.TenantPath}/skill-queues/NoSuchQueue");
        using var configuration = await server.Admin.GetAsync($"{scenario.TenantPath}/routed-email-configurations/Nobody");
        using var agent = await server.Admin.GetAsync($"{scenario.TenantPath}/agents/nobody");

        await IngestAssert.ProblemAsync(queue, HttpStatusCode.NotFound);
        await IngestAssert.ProblemAsync(configuration, HttpStatusCode.NotFound);
        await IngestAssert.ProblemAsync(agent, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ListEndpoints_AfterPuts_ListEveryItem()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await Scenario.CreateAsync(server, "xyz-widgets");
        await scenario.PutAsync("skill-queues/Billing", new { });
        await scenario.PutAsync("routed-email-configurations/Billing", new { skillQueue = "Billing", priority = 3 });
        await scenario.PutAgentAsync("maria");
        await scenario.PutAgentAsync("ana");

        var tenants = await server.Admin.GetFromJsonAsync<JsonArray>("/api/v1/tenants");
        var queues = await server.Admin.GetFromJsonAsync<JsonArray>($"{scenario.TenantPath}/skill-queues");
        var configurations =
            await server.Admin.GetFromJsonAsync<JsonArray>($"{scenario.TenantPath}/routed-email-configurations");
        var agents = await server.Admin.GetFromJsonAsync<JsonArray>($"{scenario.TenantPath}/agents");

        Assert.Equal(["abc-gadgets", "xyz-widgets"], Names(tenants!, "companyCode"));
        Assert.Equal(["Billing", "Parts"], Names(queues!, "name"));
        Assert.Equal(["Billing", "USPartsSpanish"], Names(configurations!, "ownerId"));
        Assert.Equal(["ana", "maria"], Names(agents!, "agentId"));
    }

    [Fact]
    public async Task Stats_MixedWork_CountsPerQueueAndStatus()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Billing", new { });
        await scenario.PutAgentAsync("maria", maxConcurrentEmails: 2);
        await scenario.PutAgentAsync("ana");
        await scenario.PutAgentAsync("li");
        using var maria = await scenario.SignInAsync("maria");
        using var ana = await scenario.SignInAsync("ana");
        await scenario.IngestAcceptedAsync(scenario.Item("s-1"), scenario.Item("s-2"), scenario.Item("s-3"));
        await ana.SetStatusAsync("Away");
        await maria.SetStatusAsync("Available");
        var offers = await maria.WaitForOffersAsync(2);
        await maria.AcceptAsync(offers[0]);

        var stats = await scenario.GetStatsAsync();

        var parts = stats["queues"]!.AsArray().Single(q => q!["name"]!.GetValue<string>() == "Parts")!;
        Assert.Equal(1, parts["waiting"]!.GetValue<int>());
        Assert.Equal(1, parts["offered"]!.GetValue<int>());
        Assert.Equal(1, parts["active"]!.GetValue<int>());
        Assert.Equal(0, parts["wrap"]!.GetValue<int>());
        var billing = stats["queues"]!.AsArray().Single(q => q!["name"]!.GetValue<string>() == "Billing")!;
        Assert.Equal(0, billing["waiting"]!.GetValue<int>());
        var agents = stats["agents"]!.AsObject();
        Assert.Equal(1, agents["Available"]!.GetValue<int>());
        Assert.Equal(1, agents["Away"]!.GetValue<int>());
        Assert.Equal(1, agents["Offline"]!.GetValue<int>());
        Assert.Equal(0, agents["Missed"]!.GetValue<int>());
    }

    private static string[] Names(JsonArray items, string property) =>
        [.. items.Select(item => item![property]!.GetValue<string>())];
}

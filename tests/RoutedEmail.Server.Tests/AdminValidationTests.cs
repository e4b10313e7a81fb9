using System.Net;
using System.Net.Http.Json;
using System.Text;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

/// <summary>Admin input that looked valid to a lenient reader but would mislead or deceive.</summary>
[Trait(TestStore.Trait, TestStore.Independent)]
public sealed class AdminValidationTests
{
    private static readonly string[] RepeatedGroups = ["Sales", "Sales"];
    private static readonly string[] OriginsRepeatedInOtherCase = ["https://crm.example.com", "HTTPS://CRM.example.com/"];

    [Theory]
    [InlineData("%20Parts")]
    [InlineData("Parts%20")]
    [InlineData("Pa%E2%80%AErts")]
    [InlineData("Pa%01rts")]
    public async Task PutSkillQueue_DeceptiveName_ProblemNamesQueue(string encodedName)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await server.Admin.PutAsJsonAsync($"{scenario.TenantPath}/skill-queues/{encodedName}", new { });

        await IngestAssert.ValidationProblemAsync(response, "queue");
    }

    [Fact]
    public async Task PutConfiguration_EmojiDescription_CountsCharacters()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        var emoji = char.ConvertFromUtf32(0x1F600);

        using var atLimit = await PutConfigurationAsync(scenario, new { skillQueue = "Parts", description = Repeat(emoji, 1000) });
        using var overLimit = await PutConfigurationAsync(scenario, new { skillQueue = "Parts", description = Repeat(emoji, 1001) });

        Assert.Equal(HttpStatusCode.OK, atLimit.StatusCode);
        var message = await IngestAssert.ValidationProblemAsync(overLimit, "description");
        Assert.Contains("1001 characters", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutSkillQueue_RepeatedProperty_ProblemNamesIt()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await PutRawAsync(scenario, "skill-queues/Parts",
            """{"offerTimeoutSeconds":10,"offerTimeoutSeconds":20}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var stored = await server.Admin.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>(
            $"{scenario.TenantPath}/skill-queues/Parts");
        Assert.Equal(60, stored!["offerTimeoutSeconds"]!.GetValue<int>());
    }

    [Fact]
    public async Task PutSkillQueue_NumberAsString_Rejected()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await PutRawAsync(scenario, "skill-queues/Parts", """{"offerTimeoutSeconds":"30"}""");

        await IngestAssert.ValidationProblemAsync(response, "offerTimeoutSeconds");
    }

    [Fact]
    public async Task PutSkillQueue_RepeatedWorkCodeGroup_Rejected()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await server.Admin.PutAsJsonAsync($"{scenario.TenantPath}/skill-queues/Parts",
            new { workCodeGroups = RepeatedGroups });

        var message = await IngestAssert.ValidationProblemAsync(response, "workCodeGroups");
        Assert.Contains("more than once", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutSkillQueue_TooManyWorkCodeGroups_Rejected()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        var groups = Enumerable.Range(1, 51).Select(i => $"group-{i}").ToArray();

        using var response = await server.Admin.PutAsJsonAsync($"{scenario.TenantPath}/skill-queues/Parts",
            new { workCodeGroups = groups });

        var message = await IngestAssert.ValidationProblemAsync(response, "workCodeGroups");
        Assert.Contains("50", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutSkillQueue_Created_LocationIsAbsolutePath()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await server.Admin.PutAsJsonAsync($"{scenario.TenantPath}/skill-queues/Sales%20EU", new { });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"{scenario.TenantPath}/skill-queues/Sales%20EU", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task CreateTenant_WindowsTimeZone_Rejected()
    {
        await using var server = await TestServer.StartAsync();

        using var response = await server.Admin.PostAsJsonAsync("/api/v1/tenants",
            new { companyCode = "acme", environment = "prod", timeZone = "W. Europe Standard Time" });

        var message = await IngestAssert.ValidationProblemAsync(response, "timeZone");
        Assert.Contains("IANA", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://crm.example.com/app")]
    [InlineData("https://crm.example.com/.")]
    [InlineData("https://*.example.com")]
    [InlineData("*")]
    [InlineData("https://user@crm.example.com")]
    [InlineData("https://crm.example.com?tenant=1")]
    [InlineData("https://crm.example.com#top")]
    [InlineData("crm.example.com")]
    [InlineData("ftp://crm.example.com")]
    [InlineData(" https://crm.example.com")]
    [InlineData("null")]
    [InlineData("")]
    public async Task CreateTenant_InvalidOrigin_ProblemNamesValue(string origin)
    {
        await using var server = await TestServer.StartAsync();

        using var response = await server.Admin.PostAsJsonAsync("/api/v1/tenants",
            new { companyCode = "acme", environment = "prod", allowedOrigins = new[] { origin } });

        var message = await IngestAssert.ValidationProblemAsync(response, "allowedOrigins");
        Assert.Contains($"allowedOrigins[0] \"{origin}\" is not an origin", message, StringComparison.Ordinal);
        Assert.Contains("https://crm.example.com", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateTenant_NullOrigin_Rejected()
    {
        await using var server = await TestServer.StartAsync();

        using var response = await PostRawTenantAsync(server,
            """{"companyCode":"acme","environment":"prod","allowedOrigins":["https://crm.example.com",null]}""");

        var message = await IngestAssert.ValidationProblemAsync(response, "allowedOrigins");
        Assert.Contains("allowedOrigins[1]", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateTenant_OriginRepeatedInOtherCase_Rejected()
    {
        await using var server = await TestServer.StartAsync();

        using var response = await server.Admin.PostAsJsonAsync("/api/v1/tenants", new
        {
            companyCode = "acme",
            environment = "prod",
            allowedOrigins = OriginsRepeatedInOtherCase,
        });

        var message = await IngestAssert.ValidationProblemAsync(response, "allowedOrigins");
        Assert.Contains("\"HTTPS://CRM.example.com/\"", message, StringComparison.Ordinal);
        Assert.Contains("more than once", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateTenant_TooManyOrigins_Rejected()
    {
        await using var server = await TestServer.StartAsync();
        var atLimit = Enumerable.Range(1, 50).Select(i => $"https://crm-{i}.example.com").ToArray();
        var overLimit = Enumerable.Range(1, 51).Select(i => $"https://crm-{i}.example.com").ToArray();

        using var accepted = await server.Admin.PostAsJsonAsync("/api/v1/tenants",
            new { companyCode = "acme", environment = "prod", allowedOrigins = atLimit });
        using var rejected = await server.Admin.PostAsJsonAsync("/api/v1/tenants",
            new { companyCode = "acme", environment = "test", allowedOrigins = overLimit });

        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        var message = await IngestAssert.ValidationProblemAsync(rejected, "allowedOrigins");
        Assert.Contains("51 origins", message, StringComparison.Ordinal);
        Assert.Contains("at most 50", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://crm.example.com/case/{entityId")]
    [InlineData("https://crm.example.com/case/ {entityId}")]
    [InlineData("https://user:secret@crm.example.com/case/{entityId}")]
    [InlineData("https://{Url}/case")]
    [InlineData("https://crm.{Region}.example.com/case/{entityId}")]
    [InlineData("https://crm.example.com:{Port}/case")]
    public async Task PutConfiguration_BadScreenPopTemplate_Rejected(string template)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await PutConfigurationAsync(scenario, new { skillQueue = "Parts", screenPopUrlTemplate = template });

        await IngestAssert.ValidationProblemAsync(response, "screenPopUrlTemplate");
    }

    [Fact]
    public async Task Ingest_TraceMethod_RejectedInIngestShape()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Trace, Scenario.IngestPath);

        using var response = await client.SendAsync(request);

        await IngestAssert.RejectedAsync(response, HttpStatusCode.MethodNotAllowed);
        Assert.Equal("POST", response.Content.Headers.Allow.Single());
    }

    // Skill queues, configurations, agents and the other tenant resources have a DELETE, but the tenant has none.
    [Theory]
    [InlineData("")]
    public async Task Delete_AdminResource_Returns405(string relativePath)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");

        using var response = await server.Admin.DeleteAsync(scenario.TenantPath + relativePath);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.DoesNotContain("DELETE", response.Content.Headers.Allow);
    }

    [Theory]
    [InlineData("agents/ana", """{"displayName":"a\u0000b","skillQueues":[{"name":"Parts","rank":1}]}""",
        "displayName")]
    [InlineData("routed-email-configurations/USPartsSpanish",
        """{"skillQueue":"Parts","description":"a\u0000"}""", "description")]
    [InlineData("away-reasons/lunch", """{"description":"Lunch\u0000"}""", "description")]
    [InlineData("work-code-groups/Sales", """{"codes":["a\u0000"]}""", "codes[0]")]
    public async Task PutResource_NulCharacter_ProblemNamesField(string relativePath, string json, string field)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await PutRawAsync(scenario, relativePath, json);

        var message = await IngestAssert.ValidationProblemAsync(response, field);
        Assert.Contains("NUL character (U+0000)", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteEmail_NulInNotes_Rejected()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await agent.SetStatusAsync("Available");
        await scenario.IngestAcceptedAsync(scenario.Item("e1"));
        var offer = await agent.WaitForOfferOfAsync("e1");
        await agent.AcceptAsync(offer);
        var emailId = AgentApi.EmailIdOf(offer);

        using var response = await agent.PostAsync($"/api/v1/agent/emails/{emailId}/complete",
            new StringContent("""{"notes":"n\u0000"}""", Encoding.UTF8, "application/json"));

        var message = await IngestAssert.ValidationProblemAsync(response, "notes");
        Assert.Contains("NUL character (U+0000)", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutSkillQueue_RepeatedProperty_MessageSaysRepeated()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await PutRawAsync(scenario, "skill-queues/Parts",
            """{"offerTimeoutSeconds":10,"offerTimeoutSeconds":20}""");

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("appears more than once", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutSkillQueue_DeepNesting_MessageNamesDepth()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        // An unknown property is skipped, and skipping reads the whole nested value, so only the depth limit stops it.
        var deep = "{\"notes\":" + new string('[', 200) + new string(']', 200) + "}";

        using var response = await PutRawAsync(scenario, "skill-queues/Parts", deep);

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("deeper than the maximum of 64 levels", problem["detail"]!.GetValue<string>(),
            StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> PutConfigurationAsync(Scenario scenario, object body) =>
        scenario.Server.Admin.PutAsJsonAsync($"{scenario.TenantPath}/routed-email-configurations/USPartsSpanish", body);

    private static Task<HttpResponseMessage> PutRawAsync(Scenario scenario, string relativePath, string json) =>
        scenario.Server.Admin.PutAsync($"{scenario.TenantPath}/{relativePath}",
            new StringContent(json, Encoding.UTF8, "application/json"));

    private static Task<HttpResponseMessage> PostRawTenantAsync(TestServer server, string json) =>
        server.Admin.PostAsync("/api/v1/tenants", new StringContent(json, Encoding.UTF8, "application/json"));

    private static string Repeat(string text, int count) => string.Concat(Enumerable.Repeat(text, count));
}

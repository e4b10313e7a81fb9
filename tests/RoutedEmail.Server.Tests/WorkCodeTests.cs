using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

public sealed class WorkCodeTests
{
    [Fact]
    public async Task WorkCodeGroup_PutThenReplace_Returns201Then200()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        var path = $"{scenario.TenantPath}/work-code-groups/Outcomes";

        using var created = await server.Admin.PutAsJsonAsync(path, new { codes = new List<string> { "Sold", "Lost" } });
        using var replaced = await server.Admin.PutAsJsonAsync(path, new { codes = new List<string> { "Won" } });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var stored = (await server.Admin.GetFromJsonAsync<JsonObject>(path))!;
        Assert.Equal("""["Won"]""", stored["codes"]!.ToJsonString());
        var list = (await server.Admin.GetFromJsonAsync<JsonArray>($"{scenario.TenantPath}/work-code-groups"))!;
        Assert.Equal("Outcomes", Assert.Single(list)!["name"]!.GetValue<string>());
        using var missing = await server.Admin.GetAsync($"{scenario.TenantPath}/work-code-groups/Other");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Theory]
    [InlineData("repeated", "codes[1]")]
    [InlineData("too-long", "codes[0]")]
    [InlineData("empty-code", "codes[0]")]
    [InlineData("too-many", "codes")]
    [InlineData("none", "codes")]
    public async Task WorkCodeGroup_InvalidCodes_RejectedNamingField(string rule, string field)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        List<string> codes = rule switch
        {
            "repeated" => ["Sold", "Sold"],
            "too-long" => [new string('x', 65)],
            "empty-code" => [string.Empty],
            "too-many" => [.. Enumerable.Range(0, 201).Select(i => $"code-{i}")],
            _ => [],
        };

        using var response = await server.Admin.PutAsJsonAsync(
            $"{scenario.TenantPath}/work-code-groups/Outcomes", new { codes });

        await IngestAssert.ValidationProblemAsync(response, field);
    }

    [Fact]
    public async Task SkillQueue_UnknownWorkCodeGroup_Rejected()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await server.Admin.PutAsJsonAsync(
            $"{scenario.TenantPath}/skill-queues/Billing", new { workCodeGroups = new List<string> { "Outcomes" } });

        var message = await IngestAssert.ValidationProblemAsync(response, "workCodeGroups");
        Assert.Contains("\"Outcomes\" does not exist", message, StringComparison.Ordinal);
        using var queue = await server.Admin.GetAsync($"{scenario.TenantPath}/skill-queues/Billing");
        Assert.Equal(HttpStatusCode.NotFound, queue.StatusCode);
    }

    [Fact]
    public async Task Complete_RequiredCodeMissing_RejectedListingCodes()
    {
        await using var server = await TestServer.StartAsync();
        var (scenario, agent, offer) = await ActiveEmailAsync(server, required: true);

        using var response = await CompleteAsync(agent, offer, workCode: null);

        var message = await IngestAssert.ValidationProblemAsync(response, "workCode");
        Assert.Contains("\"Sold\"", message, StringComparison.Ordinal);
        Assert.Contains("\"Price\"", message, StringComparison.Ordinal);
        Assert.Equal("Active", (await scenario.FindEmailAsync("e-1"))!["state"]!.GetValue<string>());
        agent.Dispose();
    }

    [Fact]
    public async Task Complete_CodeNotInGroups_Rejected()
    {
        await using var server = await TestServer.StartAsync();
        var (scenario, agent, offer) = await ActiveEmailAsync(server, required: false);

        using var wrong = await CompleteAsync(agent, offer, workCode: "Resolved");
        using var right = await CompleteAsync(agent, offer, workCode: "Price");

        var message = await IngestAssert.ValidationProblemAsync(wrong, "workCode");
        Assert.Contains("\"Resolved\"", message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal("Completed", (await scenario.FindEmailAsync("e-1"))!["state"]!.GetValue<string>());
        agent.Dispose();
    }

    [Fact]
    public async Task Complete_OptionalCodeLeftOut_Completes()
    {
        await using var server = await TestServer.StartAsync();
        var (scenario, agent, offer) = await ActiveEmailAsync(server, required: false);

        using var response = await CompleteAsync(agent, offer, workCode: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Completed", (await scenario.FindEmailAsync("e-1"))!["state"]!.GetValue<string>());
        agent.Dispose();
    }

    /// <summary>Sets up queue "Parts" with groups Outcomes (Sold, Lost) and Reasons (Price), and an accepted email.</summary>
    private static async Task<(Scenario Scenario, HttpClient Agent, JsonObject Offer)> ActiveEmailAsync(
        TestServer server, bool required)
    {
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("work-code-groups/Outcomes", new { codes = new List<string> { "Sold", "Lost" } });
        await scenario.PutAsync("work-code-groups/Reasons", new { codes = new List<string> { "Price" } });
        await scenario.PutAsync("skill-queues/Parts", new
        {
            workCodeGroups = new List<string> { "Outcomes", "Reasons" }, workCodeRequired = required,
        });
        await scenario.PutAgentAsync("maria");
        var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await agent.SetStatusAsync("Available");
        var offer = await agent.WaitForOfferOfAsync("e-1");
        await agent.AcceptAsync(offer);
        return (scenario, agent, offer);
    }

    private static Task<HttpResponseMessage> CompleteAsync(HttpClient agent, JsonObject offer, string? workCode) =>
        agent.PostAsJsonAsync($"/api/v1/agent/emails/{AgentApi.EmailIdOf(offer)}/complete", new { workCode });
}

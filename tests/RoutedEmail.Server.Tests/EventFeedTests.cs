using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

/// <summary>GET .../events: the tenant's event log as NDJSON, in sequence order.</summary>
public sealed class EventFeedTests
{
    private const string NextAfterHeader = "Events-Next-After";

    [Fact]
    public async Task Feed_FullFlow_ListsEveryEventInOrder()
    {
        await using var server = await TestServer.StartAsync();
        var (scenario, offer) = await CompleteOneEmailAsync(server);
        using var disabled = await server.Admin.PostAsync(
            $"{scenario.TenantPath}/work-code-groups/Outcomes/disable", null);
        Assert.True(disabled.IsSuccessStatusCode);

        var (events, _) = await ReadFeedAsync(server.Admin, scenario, "");

        var types = events.Select(document => document["type"]!.GetValue<string>()).ToList();
        var flow = types.Where(type => type is "Received" or "Offered" or "Accepted" or "Completed").ToList();
        Assert.Equal(["Received", "Offered", "Accepted", "Completed"], flow);
        Assert.Equal("ResourceDisabled", types[^1]);
        Assert.Equal(
            Enumerable.Range(1, events.Count).Select(number => (long)number),
            events.Select(document => document["sequence"]!.GetValue<long>()));

        var completed = events.Single(document => document["type"]!.GetValue<string>() == "Completed");
        var data = completed["data"]!.AsObject();
        Assert.Equal(AgentApi.EmailIdOf(offer), data["emailId"]!.GetValue<long>());
        Assert.Equal("e-1", data["entityId"]!.GetValue<string>());
        Assert.Equal("Parts", data["queue"]!.GetValue<string>());
        Assert.Equal("maria", data["agentId"]!.GetValue<string>());
        Assert.Equal("Sold", data["workCode"]!.GetValue<string>());
        Assert.Equal("Completed", data["state"]!.GetValue<string>());
        Assert.Matches("^evt_[0-9a-f]{32}$", completed["id"]!.GetValue<string>());
        Assert.True(DateTimeOffset.TryParseExact(completed["time"]!.GetValue<string>(),
            "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _));

        var offered = events.Single(document => document["type"]!.GetValue<string>() == "Offered");
        Assert.Equal(AgentApi.OfferIdOf(offer), offered["data"]!["offerId"]!.GetValue<long>());
        var tenantCreated = events[0];
        Assert.Equal("ResourceCreated", tenantCreated["type"]!.GetValue<string>());
        Assert.Equal("Tenant", tenantCreated["data"]!["kind"]!.GetValue<string>());
        Assert.Equal("abc-gadgets/prod", tenantCreated["data"]!["name"]!.GetValue<string>());
        Assert.Equal("operator", tenantCreated["data"]!["by"]!.GetValue<string>());
        var created = events.First(document => document["type"]!.GetValue<string>() == "ResourceCreated"
            && document["data"]!["kind"]!.GetValue<string>() == "SkillQueue");
        Assert.Equal("SkillQueue", created["data"]!["kind"]!.GetValue<string>());
        Assert.Equal("Parts", created["data"]!["name"]!.GetValue<string>());
        Assert.Contains(events, document => document["type"]!.GetValue<string>() == "ResourceChanged"
            && document["data"]!["name"]!.GetValue<string>() == "Parts");
        var admin = events[^1]["data"]!.AsObject();
        Assert.Equal("WorkCodeGroup", admin["kind"]!.GetValue<string>());
        Assert.Equal("Outcomes", admin["name"]!.GetValue<string>());
        Assert.Equal("operator", admin["by"]!.GetValue<string>());
    }

    [Fact]
    public async Task Feed_FullFlow_ContainsNoEmailContent()
    {
        await using var server = await TestServer.StartAsync();
        var (scenario, _) = await CompleteOneEmailAsync(server);

        using var response = await server.Admin.GetAsync($"{scenario.TenantPath}/events");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("Subject of", text, StringComparison.Ordinal);
        Assert.DoesNotContain("@example.com", text, StringComparison.Ordinal);
        Assert.DoesNotContain("password", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(scenario.ApiKey, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feed_AfterAndLimit_ReturnPagesAndNextAfter()
    {
        await using var server = await TestServer.StartAsync();
        var (scenario, _) = await CompleteOneEmailAsync(server);
        var (all, lastAll) = await ReadFeedAsync(server.Admin, scenario, "");

        var (first, firstNext) = await ReadFeedAsync(server.Admin, scenario, "?limit=2");
        var (second, secondNext) = await ReadFeedAsync(server.Admin, scenario, $"?after={firstNext}&limit=2");
        var (none, noneNext) = await ReadFeedAsync(server.Admin, scenario, $"?after={lastAll}");

        Assert.Equal([1L, 2L], first.Select(document => document["sequence"]!.GetValue<long>()));
        Assert.Equal(2, firstNext);
        Assert.Equal([3L, 4L], second.Select(document => document["sequence"]!.GetValue<long>()));
        Assert.Equal(4, secondNext);
        Assert.Equal(all.Count, lastAll);
        Assert.Empty(none);
        Assert.Equal(lastAll, noneNext);
        Assert.Equal(all[2]["id"]!.GetValue<string>(), second[0]["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Feed_OtherTenant_NeverListed()
    {
        await using var server = await TestServer.StartAsync();
        var (scenario, _) = await CompleteOneEmailAsync(server);
        var other = await Scenario.CreateAsync(server, companyCode: "other-co");
        await other.PutAgentAsync("olga");
        var olga = await other.SignInAsync("olga");
        await other.IngestAcceptedAsync(other.Item("o-1"));
        await olga.SetStatusAsync("Available");

        var (events, _) = await ReadFeedAsync(server.Admin, scenario, "");
        var (otherEvents, _) = await ReadFeedAsync(server.Admin, other, "");

        Assert.DoesNotContain(events, document => document["data"]!["entityId"]?.GetValue<string>() == "o-1");
        Assert.DoesNotContain(events, document => document["data"]!["agentId"]?.GetValue<string>() == "olga");
        Assert.DoesNotContain(otherEvents, document => document["data"]!["entityId"]?.GetValue<string>() == "e-1");
        Assert.Equal(1, otherEvents[0]["sequence"]!.GetValue<long>());
        Assert.Empty(events.Select(document => document["id"]!.GetValue<string>())
            .Intersect(otherEvents.Select(document => document["id"]!.GetValue<string>())));
    }

    [Theory]
    [InlineData("?after=-1", "after")]
    [InlineData("?after=abc", "after")]
    [InlineData("?after=1.5", "after")]
    [InlineData("?after=1&after=2", "after")]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=10001", "limit")]
    [InlineData("?limit=ten", "limit")]
    public async Task Feed_BadParameter_Rejected400NamingIt(string query, string field)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await server.Admin.GetAsync($"{scenario.TenantPath}/events{query}");

        await IngestAssert.ValidationProblemAsync(response, field);
    }

    [Fact]
    public async Task Feed_Supervisor_Forbidden()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutUserAsync("sam", "Supervisor");
        using var supervisor = await scenario.SignInUserAsync("sam");

        using var response = await supervisor.GetAsync($"{scenario.TenantPath}/events");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    /// <summary>Ingests e-1 for agent maria, who accepts it and completes it with work code "Sold".</summary>
    private static async Task<(Scenario Scenario, JsonObject Offer)> CompleteOneEmailAsync(TestServer server)
    {
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("work-code-groups/Outcomes", new { codes = new List<string> { "Sold", "Lost" } });
        await scenario.PutAsync("skill-queues/Parts", new { workCodeGroups = new List<string> { "Outcomes" } });
        await scenario.PutAgentAsync("maria");
        var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await agent.SetStatusAsync("Available");
        var offer = await agent.WaitForOfferOfAsync("e-1");
        await agent.AcceptAsync(offer);
        using var complete = await agent.PostAsJsonAsync(
            $"/api/v1/agent/emails/{AgentApi.EmailIdOf(offer)}/complete", new { workCode = "Sold" });
        Assert.True(complete.IsSuccessStatusCode);
        return (scenario, offer);
    }

    /// <summary>Reads one feed response: its documents, one per line, and its next-after header.</summary>
    private static async Task<(List<JsonObject> Events, long NextAfter)> ReadFeedAsync(
        HttpClient client, Scenario scenario, string query)
    {
        using var response = await client.GetAsync($"{scenario.TenantPath}/events{query}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET events{query}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var events = lines.Select(line => JsonNode.Parse(line)!.AsObject()).ToList();
        var nextAfter = long.Parse(
            response.Headers.GetValues(NextAfterHeader).Single(), CultureInfo.InvariantCulture);
        return (events, nextAfter);
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Retention;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

/// <summary>
/// The retention settings API, expiry through the service with the interval reports unchanged, and erasure of an
/// entity id's personal data end to end.
/// </summary>
public sealed class RetentionTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task RetentionSettings_NewTenant_ReturnsDefaults()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        var settings = await server.Admin.GetFromJsonAsync<JsonObject>($"{scenario.TenantPath}/retention");

        Assert.Equal(90, settings!["emailRetentionDays"]!.GetValue<int>());
        Assert.Equal(400, settings["eventRetentionDays"]!.GetValue<int>());
        Assert.Equal(30, settings["deliveryRecordRetentionDays"]!.GetValue<int>());
        Assert.Null(settings["reportTotalsUntil"]);
    }

    [Fact]
    public async Task RetentionSettings_PartialPut_KeepsOtherFields()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        var changed = await scenario.PutAsync("retention", new { eventRetentionDays = 45 });
        var read = await server.Admin.GetFromJsonAsync<JsonObject>($"{scenario.TenantPath}/retention");

        Assert.Equal(45, changed["eventRetentionDays"]!.GetValue<int>());
        Assert.Equal(90, changed["emailRetentionDays"]!.GetValue<int>());
        Assert.Equal(changed.ToJsonString(), read!.ToJsonString());
    }

    [Fact]
    public async Task RetentionSettings_EmailsShorterThanWindow_Returns400()
    {
        await using var server = await TestServer.StartAsync(
            settings: new Dictionary<string, string> { ["Ingest:IdempotencyWindow"] = "3.00:00:00" });
        var scenario = await Scenario.CreateAsync(server);

        using var response = await server.Admin.PutAsJsonAsync(
            $"{scenario.TenantPath}/retention", new { emailRetentionDays = 2, eventRetentionDays = 0 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!;
        var emails = errors["emailRetentionDays"]![0]!.GetValue<string>();
        Assert.Contains("emailRetentionDays is 2", emails, StringComparison.Ordinal);
        Assert.Contains("Ingest:IdempotencyWindow (3.00:00:00)", emails, StringComparison.Ordinal);
        Assert.Contains("at least 3", emails, StringComparison.Ordinal);
        Assert.Contains("from 1 to 36500", errors["eventRetentionDays"]![0]!.GetValue<string>(),
            StringComparison.Ordinal);
        var settings = await server.Admin.GetFromJsonAsync<JsonObject>($"{scenario.TenantPath}/retention");
        Assert.Equal(90, settings!["emailRetentionDays"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("""{"bogus": 1}""", "bogus", "\"bogus\" is not a retention setting")]
    [InlineData("""{"emailRetentionDays": 120, "emailRetentionDay": 5}""", "emailRetentionDay", "is not a retention")]
    [InlineData("[]", "body", "The body is a JSON array, but a JSON object is expected")]
    [InlineData("null", "body", "The body is a JSON null, but a JSON object is expected")]
    [InlineData("""{"emailRetentionDays": "120"}""", "emailRetentionDays", "wrong type")]
    [InlineData("""{"emailRetentionDays": 1.5}""", "emailRetentionDays", "wrong type")]
    [InlineData("""{"emailRetentionDays": 120, "EmailRetentionDays": 5}""", "EmailRetentionDays", "more than once")]
    public async Task RetentionSettings_InvalidBody_Returns400AndKeepsSettings(
        string body, string field, string expected)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await server.Admin.PutAsync($"{scenario.TenantPath}/retention", content);

        var message = await IngestAssert.ValidationProblemAsync(response, field);
        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.DoesNotContain("malformed", message, StringComparison.Ordinal);
        var settings = await server.Admin.GetFromJsonAsync<JsonObject>($"{scenario.TenantPath}/retention");
        Assert.Equal(90, settings!["emailRetentionDays"]!.GetValue<int>());
    }

    [Fact]
    public async Task RetentionSettings_RepeatedProperty_Returns400()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var content = new StringContent("""{"emailRetentionDays": 120, "emailRetentionDays": 5}""",
            System.Text.Encoding.UTF8, "application/json");
        using var response = await server.Admin.PutAsync($"{scenario.TenantPath}/retention", content);

        var message = await IngestAssert.ValidationProblemAsync(response, "emailRetentionDays");
        Assert.Contains("\"emailRetentionDays\" is given more than once", message, StringComparison.Ordinal);
        var settings = await server.Admin.GetFromJsonAsync<JsonObject>($"{scenario.TenantPath}/retention");
        Assert.Equal(90, settings!["emailRetentionDays"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("{", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("""{"emailRetentionDays": 120}""", "text/plain", HttpStatusCode.UnsupportedMediaType)]
    public async Task RetentionSettings_UnreadableBody_ReturnsProblem(
        string body, string contentType, HttpStatusCode status)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var content = new StringContent(body, System.Text.Encoding.UTF8, contentType);
        using var response = await server.Admin.PutAsync($"{scenario.TenantPath}/retention", content);

        var problem = await IngestAssert.ProblemAsync(response, status);
        Assert.Contains(status == HttpStatusCode.BadRequest ? "malformed at line 1" : "Content-Type: application/json",
            problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetentionSettings_PropertyNameInOtherCase_Accepted()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        var changed = await scenario.PutAsync("retention", new Dictionary<string, int> { ["EmailRetentionDays"] = 120 });

        Assert.Equal(120, changed["emailRetentionDays"]!.GetValue<int>());
    }

    [Fact]
    public async Task RetentionSettings_Supervisor_Returns403()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutUserAsync("sam", "Supervisor");
        using var supervisor = await scenario.SignInUserAsync("sam");

        using var read = await supervisor.GetAsync($"{scenario.TenantPath}/retention");
        using var erase = await supervisor.PostAsync($"{scenario.TenantPath}/routed-emails/e-1/erase", null);

        Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, erase.StatusCode);
    }

    [Fact]
    public async Task Expiry_PastEventRetention_ReportsUnchanged()
    {
        // Advancing the fake clock by days fires every periodic timer once per period. Long periods keep the
        // dashboard samples and node heartbeats from taking minutes, and leave expiry to the explicit run below.
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time, settings: new Dictionary<string, string>
        {
            ["Retention:ExpiryInterval"] = "30.00:00:00",
            ["Dashboard:SampleInterval"] = "1.00:00:00",
            ["Nodes:HeartbeatInterval"] = "1.00:00:00",
            ["Nodes:NodeTimeout"] = "2.00:00:00",
        });
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("retention", new { emailRetentionDays = 1, eventRetentionDays = 1 });
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await agent.SetStatusAsync("Available");
        foreach (var entityId in new[] { "e-1", "e-2" })
        {
            await scenario.IngestAcceptedAsync(scenario.Item(entityId));
            time.Advance(TimeSpan.FromSeconds(20));
            var offer = await agent.WaitForOfferOfAsync(entityId);
            time.Advance(TimeSpan.FromSeconds(15));
            await agent.AcceptAndCompleteAsync(offer);
        }

        await agent.SetStatusAsync("Offline");
        time.Advance(TimeSpan.FromDays(3));
        var before = await GetReportsAsync(server, scenario);

        await server.Services.GetRequiredService<RetentionService>().ExpireOnceAsync(CancellationToken.None);

        var after = await GetReportsAsync(server, scenario);
        Assert.Equal(before, after);
        Assert.Contains("\"completed\":2", before[0], StringComparison.Ordinal);
        Assert.Null(await scenario.FindEmailAsync("e-1"));
        var settings = await server.Admin.GetFromJsonAsync<JsonObject>($"{scenario.TenantPath}/retention");
        Assert.Equal(Start.AddDays(2), settings!["reportTotalsUntil"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task Erase_OpenAndClosedGenerations_ShowsErasedEverywhere()
    {
        // A short idempotency window, so that a second generation of e-1 starts while the agent is still signed in.
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(
            time: time, settings: new Dictionary<string, string> { ["Ingest:IdempotencyWindow"] = "00:10:00" });
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await agent.SetStatusAsync("Available");
        await scenario.IngestAcceptedAsync(WithAttribute(scenario.Item("e-1")));
        await agent.AcceptAndCompleteAsync(await agent.WaitForOfferOfAsync("e-1"));
        time.Advance(TimeSpan.FromMinutes(15));
        await scenario.IngestAcceptedAsync(WithAttribute(scenario.Item("e-1")));
        var offer = await agent.WaitForOfferOfAsync("e-1");

        using var response = await server.Admin.PostAsync($"{scenario.TenantPath}/routed-emails/e-1/erase", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("e-1", result!["entityId"]!.GetValue<string>());
        Assert.Equal(2, result["emails"]!.GetValue<int>());
        Assert.Equal(2, result["erasedEmails"]!.GetValue<int>());
        Assert.Equal(8, result["erasedFields"]!.GetValue<int>());
        var email = (await scenario.FindEmailAsync("e-1"))!;
        AssertErased(email);
        Assert.Contains(email["history"]!.AsArray(), entry => entry!["event"]!.GetValue<string>() == "Erased");
        var work = await agent.GetWorkAsync();
        var offered = AgentApi.Offers(work).Single(o => AgentApi.OfferIdOf(o) == AgentApi.OfferIdOf(offer));
        AssertErased(offered["email"]!.AsObject());

        // A re-send within the window is still a retry of the erased email, and a second erasure changes nothing.
        await scenario.IngestAcceptedAsync(WithAttribute(scenario.Item("e-1")));
        var resent = (await scenario.FindEmailAsync("e-1"))!;
        Assert.Equal(email["emailId"]!.GetValue<long>(), resent["emailId"]!.GetValue<long>());
        AssertErased(resent);
        using var again = await server.Admin.PostAsync($"{scenario.TenantPath}/routed-emails/e-1/erase", null);
        var repeated = await again.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(2, repeated!["emails"]!.GetValue<int>());
        Assert.Equal(0, repeated["erasedEmails"]!.GetValue<int>());
        Assert.Equal(0, repeated["erasedFields"]!.GetValue<int>());
    }

    [Fact]
    public async Task Erase_OtherTenantsEntityId_Returns404()
    {
        await using var server = await TestServer.StartAsync();
        var first = await Scenario.CreateAsync(server);
        var second = await Scenario.CreateAsync(server, companyCode: "other-co");
        await second.IngestAcceptedAsync(second.Item("theirs-1"));

        using var foreign = await server.Admin.PostAsync($"{first.TenantPath}/routed-emails/theirs-1/erase", null);
        using var unknown = await server.Admin.PostAsync($"{first.TenantPath}/routed-emails/none-1/erase", null);

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var theirs = (await second.FindEmailAsync("theirs-1"))!;
        Assert.Equal("Subject of theirs-1", theirs["subject"]!.GetValue<string>());
    }

    private static JsonObject WithAttribute(JsonObject item)
    {
        item["attributes"] = new JsonArray(new JsonObject { ["key"] = "CustomerName", ["value"] = "Ann Lee" });
        return item;
    }

    private static void AssertErased(JsonObject email)
    {
        Assert.Equal("[erased]", email["fromAddress"]!.GetValue<string>());
        Assert.Equal("[erased]", email["toAddress"]!.GetValue<string>());
        Assert.Equal("[erased]", email["subject"]!.GetValue<string>());
        var attribute = Assert.Single(email["attributes"]!.AsArray())!;
        Assert.Equal("CustomerName", attribute["key"]!.GetValue<string>());
        Assert.Equal("[erased]", attribute["value"]!.GetValue<string>());
    }

    private static async Task<List<string>> GetReportsAsync(TestServer server, Scenario scenario)
    {
        var reports = new List<string>();
        foreach (var kind in new[] { "queues", "agents", "work-codes" })
        {
            foreach (var interval in new[] { "15", "day" })
            {
                reports.Add(await server.Admin.GetStringAsync(
                    $"{scenario.TenantPath}/reports/{kind}?from=2026-03-01&to=2026-03-04&interval={interval}"));
            }
        }

        return reports;
    }
}

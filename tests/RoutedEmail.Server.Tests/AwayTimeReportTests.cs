using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

public sealed class AwayTimeReportTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AwayTimeReport_ReasonChange_ReportsSecondsPerReason()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await CreateScenarioAsync(server);
        using var maria = await scenario.SignInAsync("maria");

        await SetAwayAsync(maria, "lunch");
        time.Advance(TimeSpan.FromMinutes(10));
        await SetAwayAsync(maria, "training");
        time.Advance(TimeSpan.FromMinutes(5));
        await maria.SetStatusAsync("Available");
        time.Advance(TimeSpan.FromMinutes(1));
        var report = await GetReportAsync(scenario, "");

        Assert.Equal(time.GetUtcNow(), report["to"]!.GetValue<DateTimeOffset>());
        Assert.Equal(time.GetUtcNow().AddHours(-24), report["from"]!.GetValue<DateTimeOffset>());
        var agent = Assert.Single(report["agents"]!.AsArray())!;
        Assert.Equal("maria", agent["agentId"]!.GetValue<string>());
        Assert.Equal(900, agent["awaySeconds"]!.GetValue<double>());
        Assert.Equal([("lunch", 600.0), ("training", 300.0)], Reasons(agent));
    }

    [Fact]
    public async Task AwayTimeReport_RangeInsidePeriods_ClipsToRange()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await CreateScenarioAsync(server);
        using var maria = await scenario.SignInAsync("maria");
        await SetAwayAsync(maria, "lunch");
        time.Advance(TimeSpan.FromMinutes(10));
        await SetAwayAsync(maria, "training");
        time.Advance(TimeSpan.FromMinutes(5));
        await maria.SetStatusAsync("Available");

        var range = $"?from={Query(Start.AddMinutes(4))}&to={Query(Start.AddMinutes(12))}";
        var report = await GetReportAsync(scenario, range);

        var agent = Assert.Single(report["agents"]!.AsArray())!;
        Assert.Equal(480, agent["awaySeconds"]!.GetValue<double>());
        Assert.Equal([("lunch", 360.0), ("training", 120.0)], Reasons(agent));
    }

    [Fact]
    public async Task AwayTimeReport_OpenPeriod_CountsUntilNow()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await CreateScenarioAsync(server);
        using var maria = await scenario.SignInAsync("maria");
        await maria.SetStatusAsync("Available");
        time.Advance(TimeSpan.FromMinutes(3));
        await SetAwayAsync(maria, "lunch");
        time.Advance(TimeSpan.FromMinutes(7));

        var report = await GetReportAsync(scenario, $"?from={Query(Start)}&to={Query(Start.AddHours(2))}");

        var agent = Assert.Single(report["agents"]!.AsArray())!;
        Assert.Equal([("lunch", 420.0)], Reasons(agent));
        Assert.Equal(Start.AddHours(2), report["to"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task AwayTimeReport_AgentIdGiven_ReportsOnlyThatAgent()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await CreateScenarioAsync(server);
        await scenario.PutAgentAsync("ana");
        using var maria = await scenario.SignInAsync("maria");
        using var ana = await scenario.SignInAsync("ana");
        await SetAwayAsync(maria, "lunch");
        await SetAwayAsync(ana, "training");
        time.Advance(TimeSpan.FromMinutes(2));

        var all = await GetReportAsync(scenario, "");
        var mariaOnly = await GetReportAsync(scenario, "?agentId=maria");

        Assert.Equal(["ana", "maria"], all["agents"]!.AsArray().Select(a => a!["agentId"]!.GetValue<string>()));
        var agent = Assert.Single(mariaOnly["agents"]!.AsArray())!;
        Assert.Equal("maria", agent["agentId"]!.GetValue<string>());
        Assert.Equal([("lunch", 120.0)], Reasons(agent));
    }

    [Fact]
    public async Task AwayTimeReport_AwayWithoutReason_ReportsNullReason()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var maria = await scenario.SignInAsync("maria");
        await maria.SetStatusAsync("Away");
        time.Advance(TimeSpan.FromSeconds(90));
        await maria.SetStatusAsync("Offline");

        var report = await GetReportAsync(scenario, "");

        var agent = Assert.Single(report["agents"]!.AsArray())!;
        var reason = Assert.Single(agent["reasons"]!.AsArray())!.AsObject();
        Assert.True(reason.ContainsKey("reason"));
        Assert.Null(reason["reason"]);
        Assert.Equal(90, reason["seconds"]!.GetValue<double>());
    }

    [Fact]
    public async Task AwayTimeReport_NoAwayTime_ReturnsEmptyList()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await CreateScenarioAsync(server);
        using var maria = await scenario.SignInAsync("maria");
        await maria.SetStatusAsync("Available");

        var report = await GetReportAsync(scenario, "");

        Assert.Empty(report["agents"]!.AsArray());
    }

    [Theory]
    [InlineData("?from=2026-03-02T09:00:00", "from")]
    [InlineData("?to=yesterday", "to")]
    [InlineData("?from=2026-03-02T09:00:00+01:00", "from")]
    [InlineData("?from=2026-03-02T10:00:00Z&to=2026-03-02T10:00:00Z", "to")]
    [InlineData("?from=2026-03-02T10:00:00Z&to=2026-03-02T09:00:00Z", "to")]
    [InlineData("?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:01Z", "from")]
    [InlineData("?from=1969-12-31T23:00:00Z", "from")]
    [InlineData("?agentId=", "agentId")]
    public async Task AwayTimeReport_InvalidQuery_RejectedNamingField(string query, string field)
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await CreateScenarioAsync(server);

        using var response = await server.Admin.GetAsync($"{scenario.TenantPath}/reports/away-time{query}");

        var message = await IngestAssert.ValidationProblemAsync(response, field);
        Assert.Contains(field, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?to=1970-01-01T10:00:00Z")]
    [InlineData("?to=1970-01-01T23:59:59.999Z")]
    public async Task AwayTimeReport_DefaultFromBefore1970_RejectedNamingFrom(string query)
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await CreateScenarioAsync(server);

        using var response = await server.Admin.GetAsync($"{scenario.TenantPath}/reports/away-time{query}");

        var message = await IngestAssert.ValidationProblemAsync(response, "from");
        Assert.Contains("to minus 24 hours", message, StringComparison.Ordinal);
        Assert.Contains("1970-01-02T00:00:00.0000000+00:00 or later", message, StringComparison.Ordinal);
        Assert.Contains("explicit from", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AwayTimeReport_DefaultFromAt1970_Accepted()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await CreateScenarioAsync(server);

        var report = await GetReportAsync(scenario, "?to=1970-01-02T00:00:00Z");

        Assert.Equal(DateTimeOffset.UnixEpoch, report["from"]!.GetValue<DateTimeOffset>());
    }

    [Theory]
    [InlineData("2026-02-01T00:00:00.001Z", "31 days 00:00:00.001 long")]
    [InlineData("2026-02-01T00:00:00.0000001Z", "31 days 00:00:00.0000001 long")]
    [InlineData("2026-02-03T04:05:06Z", "33 days 04:05:06 long")]
    public async Task AwayTimeReport_RangeTooLong_MessageShowsLength(string to, string length)
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await CreateScenarioAsync(server);

        using var response = await server.Admin.GetAsync(
            $"{scenario.TenantPath}/reports/away-time?from=2026-01-01T00:00:00Z&to={to}");

        var message = await IngestAssert.ValidationProblemAsync(response, "from");
        Assert.Contains(length, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?from=2026-03-02T08:00:00Z&from=2026-03-02T08:30:00Z", "from")]
    [InlineData("?to=2026-03-02T08:00:00Z&to=2026-03-02T08:30:00Z", "to")]
    [InlineData("?agentId=maria&agentId=ana", "agentId")]
    public async Task AwayTimeReport_RepeatedParameter_RejectedAsRepeated(string query, string field)
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await CreateScenarioAsync(server);

        using var response = await server.Admin.GetAsync($"{scenario.TenantPath}/reports/away-time{query}");

        var message = await IngestAssert.ValidationProblemAsync(response, field);
        Assert.Contains($"{field} is given 2 times", message, StringComparison.Ordinal);
        Assert.DoesNotContain("ISO 8601", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AwayTimeReport_UnknownParameter_Returns400ListingAccepted()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await CreateScenarioAsync(server);

        using var response = await server.Admin.GetAsync($"{scenario.TenantPath}/reports/away-time?queue=Parts");

        var message = await IngestAssert.ValidationProblemAsync(response, "queue");
        Assert.Contains("\"queue\" is not accepted", message, StringComparison.Ordinal);
        Assert.Contains("from, to and agentId", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AwayTimeReport_UnencodedPlus_MessageNamesEncoding()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await CreateScenarioAsync(server);

        using var response = await server.Admin.GetAsync(
            $"{scenario.TenantPath}/reports/away-time?from=2026-03-02T09:00:00+01:00");

        var message = await IngestAssert.ValidationProblemAsync(response, "from");
        Assert.Contains("%2B", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AwayTimeReport_EncodedOffset_Accepted()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await CreateScenarioAsync(server);

        var report = await GetReportAsync(scenario, "?from=2026-03-02T09:00:00%2B01:00&to=2026-03-02T10:00:00%2B01:00");

        Assert.Equal(Start.AddHours(-1), report["from"]!.GetValue<DateTimeOffset>());
        Assert.Equal(Start, report["to"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task AwayTimeReport_ThirtyOneDays_Accepted()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await CreateScenarioAsync(server);

        var report = await GetReportAsync(scenario, "?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z");

        Assert.Empty(report["agents"]!.AsArray());
    }

    [Fact]
    public async Task AwayTimeReport_UnknownAgent_Returns404()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await CreateScenarioAsync(server);

        using var response = await server.Admin.GetAsync($"{scenario.TenantPath}/reports/away-time?agentId=nobody");

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Contains("\"nobody\"", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AwayTimeReport_WithoutAdminToken_Returns401()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await CreateScenarioAsync(server);
        using var client = server.CreateClient();

        using var response = await client.GetAsync($"{scenario.TenantPath}/reports/away-time");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task AwayTimeReport_OtherTenantsAgent_NotReported()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await CreateScenarioAsync(server);
        var other = await CreateScenarioAsync(server, "other-company");
        using var maria = await other.SignInAsync("maria");
        await SetAwayAsync(maria, "lunch");
        time.Advance(TimeSpan.FromMinutes(2));

        var report = await GetReportAsync(scenario, "?agentId=maria");
        var otherReport = await GetReportAsync(other, "?agentId=maria");

        Assert.Empty(report["agents"]!.AsArray());
        Assert.Single(otherReport["agents"]!.AsArray());
    }

    private static async Task<Scenario> CreateScenarioAsync(TestServer server, string companyCode = "abc-gadgets")
    {
        var scenario = await Scenario.CreateAsync(server, companyCode);
        await scenario.PutAsync("away-reasons/lunch", new { description = "Lunch break" });
        await scenario.PutAsync("away-reasons/training", new { description = "Training" });
        await scenario.PutAgentAsync("maria");
        return scenario;
    }

    private static async Task SetAwayAsync(HttpClient agent, string reason)
    {
        using var response = await agent.PutAsJsonAsync("/api/v1/agent/status", new { status = "Away", reason });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<JsonObject> GetReportAsync(Scenario scenario, string query)
    {
        using var response = await scenario.Server.Admin.GetAsync($"{scenario.TenantPath}/reports/away-time{query}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"report failed: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private static List<(string?, double)> Reasons(JsonNode agent) =>
        [.. agent["reasons"]!.AsArray().Select(reason =>
            (reason!["reason"]?.GetValue<string>(), reason["seconds"]!.GetValue<double>()))];

    private static string Query(DateTimeOffset time) => Uri.EscapeDataString(time.ToString("O"));
}

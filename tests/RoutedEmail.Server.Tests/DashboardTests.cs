using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

public sealed class DashboardTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Dashboard_IngestOfferAcceptWrap_CountsFollow()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Parts", new { wrapSeconds = 60, serviceLevelSeconds = 20 });
        await scenario.PutAgentAsync("maria");
        await scenario.PutUserAsync("sam", "Supervisor");
        using var supervisor = await scenario.SignInUserAsync("sam");
        using var agent = await scenario.SignInAsync("maria");

        await scenario.IngestAcceptedAsync(scenario.Item("e-1"), scenario.Item("e-2"));
        time.Advance(TimeSpan.FromSeconds(10));
        var queued = await ReadAsync(supervisor, scenario);
        await agent.SetStatusAsync("Available");
        var offer = await agent.WaitForOfferOfAsync("e-1");
        var offered = await ReadAsync(supervisor, scenario);
        await agent.AcceptAsync(offer);
        var accepted = await ReadAsync(supervisor, scenario);
        await agent.CompleteAsync(offer);
        var wrapping = await ReadAsync(supervisor, scenario);

        var queue = Queue(queued);
        Assert.Equal(2, queue["waiting"]!.GetValue<int>());
        Assert.Equal(10, queue["oldestWaitSeconds"]!.GetValue<long>());
        Assert.Equal(Start, queue["oldestEnqueuedAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(0, queue["offered"]!.GetValue<int>());
        Assert.Null(queue["serviceLevelPercent"]);
        Assert.Equal("Offline", Agent(queued)["status"]!.GetValue<string>());

        Assert.Equal(1, Queue(offered)["waiting"]!.GetValue<int>());
        Assert.Equal(1, Queue(offered)["offered"]!.GetValue<int>());
        Assert.Equal(1, Agent(offered)["offers"]!.GetValue<int>());
        Assert.Equal("Available", Agent(offered)["status"]!.GetValue<string>());

        Assert.Equal(0, Queue(accepted)["offered"]!.GetValue<int>());
        Assert.Equal(1, Queue(accepted)["active"]!.GetValue<int>());
        Assert.Equal(1, Agent(accepted)["active"]!.GetValue<int>());

        var wrapQueue = Queue(wrapping);
        var wrapAgent = Agent(wrapping);
        Assert.Equal(0, wrapQueue["active"]!.GetValue<int>());
        Assert.Equal(1, wrapQueue["wrap"]!.GetValue<int>());
        Assert.Equal(1, wrapQueue["offeredToday"]!.GetValue<int>());
        Assert.Equal(1, wrapQueue["offeredInServiceLevelToday"]!.GetValue<int>());
        Assert.Equal(100.0, wrapQueue["serviceLevelPercent"]!.GetValue<double>());
        Assert.Equal(1, wrapAgent["wrap"]!.GetValue<int>());
        Assert.Equal(1, wrapAgent["maxConcurrentEmails"]!.GetValue<int>());
        Assert.Equal(0, wrapAgent["secondsInStatus"]!.GetValue<long>());
    }

    [Fact]
    public async Task Dashboard_LateOffer_HalvesServiceLevel()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Parts", new { serviceLevelSeconds = 5 });
        await scenario.PutAgentAsync("maria");
        await scenario.PutUserAsync("sam", "Supervisor");
        using var supervisor = await scenario.SignInUserAsync("sam");
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"), scenario.Item("e-2"));

        time.Advance(TimeSpan.FromSeconds(5));
        await agent.SetStatusAsync("Available");
        var first = await agent.WaitForOfferOfAsync("e-1");
        await agent.AcceptAsync(first);
        time.Advance(TimeSpan.FromSeconds(1));
        await agent.CompleteAsync(first);
        await agent.WaitForOfferOfAsync("e-2");
        var dashboard = await ReadAsync(supervisor, scenario);

        var queue = Queue(dashboard);
        Assert.Equal(2, queue["offeredToday"]!.GetValue<int>());
        Assert.Equal(1, queue["offeredInServiceLevelToday"]!.GetValue<int>());
        Assert.Equal(50.0, queue["serviceLevelPercent"]!.GetValue<double>());
        Assert.Equal(5, queue["serviceLevelSeconds"]!.GetValue<int>());
    }

    [Fact]
    public async Task Dashboard_NextTenantDay_ServiceLevelRestarts()
    {
        // 05:59:50 UTC is 23:59:50 in Chicago (UTC-6 in March before the change to daylight time).
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 3, 5, 59, 50, TimeSpan.Zero));
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        using var zone = await server.Admin.PutAsJsonAsync(scenario.TenantPath, new { timeZone = "America/Chicago" });
        Assert.Equal(HttpStatusCode.OK, zone.StatusCode);
        await scenario.PutAgentAsync("maria");
        await scenario.PutUserAsync("sam", "Supervisor");
        using var supervisor = await scenario.SignInUserAsync("sam");
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await agent.SetStatusAsync("Available");
        await agent.WaitForOfferOfAsync("e-1");

        var before = await ReadAsync(supervisor, scenario);
        time.Advance(TimeSpan.FromSeconds(10));
        var after = await ReadAsync(supervisor, scenario);

        Assert.Equal(new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero),
            before["dayStart"]!.GetValue<DateTimeOffset>());
        Assert.Equal("America/Chicago", before["timeZone"]!.GetValue<string>());
        Assert.Equal(1, Queue(before)["offeredToday"]!.GetValue<int>());
        Assert.Equal(new DateTimeOffset(2026, 3, 3, 6, 0, 0, TimeSpan.Zero),
            after["dayStart"]!.GetValue<DateTimeOffset>());
        Assert.Equal(0, Queue(after)["offeredToday"]!.GetValue<int>());
        Assert.Null(Queue(after)["serviceLevelPercent"]);
        Assert.Equal(1, Queue(after)["offered"]!.GetValue<int>());
    }

    [Fact]
    public async Task Dashboard_Roles_OnlySupervisorAndAdministratorOfTenant()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        var other = await Scenario.CreateAsync(server, companyCode: "other-co");
        await scenario.PutAgentAsync("maria");
        await scenario.PutUserAsync("sam", "Supervisor");
        await scenario.PutUserAsync("ada", "Administrator");
        await other.PutUserAsync("olga", "Supervisor");
        using var agent = await scenario.SignInUserAsync("maria");
        using var supervisor = await scenario.SignInUserAsync("sam");
        using var administrator = await scenario.SignInUserAsync("ada");
        using var otherSupervisor = await other.SignInUserAsync("olga");
        using var anonymous = server.CreateClient();
        var path = $"{scenario.TenantPath}/dashboard";

        using var byAgent = await agent.GetAsync(path);
        using var bySupervisor = await supervisor.GetAsync(path);
        using var byAdministrator = await administrator.GetAsync(path);
        using var byOperator = await server.Admin.GetAsync(path);
        using var byOtherTenant = await otherSupervisor.GetAsync(path);
        using var byAnonymous = await anonymous.GetAsync(path);

        Assert.Equal(HttpStatusCode.Forbidden, byAgent.StatusCode);
        Assert.Equal(HttpStatusCode.OK, bySupervisor.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byAdministrator.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byOperator.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byOtherTenant.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, byAnonymous.StatusCode);
    }

    private static async Task<JsonObject> ReadAsync(HttpClient supervisor, Scenario scenario)
    {
        using var response = await supervisor.GetAsync($"{scenario.TenantPath}/dashboard");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET dashboard failed: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private static JsonObject Queue(JsonObject dashboard, string name = "Parts") =>
        dashboard["queues"]!.AsArray().Single(q => q!["name"]!.GetValue<string>() == name)!.AsObject();

    private static JsonObject Agent(JsonObject dashboard, string agentId = "maria") =>
        dashboard["agents"]!.AsArray().Single(a => a!["agentId"]!.GetValue<string>() == agentId)!.AsObject();
}

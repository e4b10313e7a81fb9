using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

public sealed class ConcurrentTasksTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AgentPut_NoTaskMaximum_UsesEmailMaximum()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);

        var agent = await scenario.PutAgentAsync("maria", maxConcurrentEmails: 3);

        Assert.Equal(3, agent["maxConcurrentTasks"]!.GetValue<int>());
        Assert.Equal(0, agent["otherWorkCount"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(201)]
    public async Task AgentPut_MaxConcurrentTasksOutOfRange_BadRequest(int maxConcurrentTasks)
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);

        using var response = await server.Admin.PutAsJsonAsync($"{scenario.TenantPath}/agents/maria", new
        {
            password = "password-maria",
            maxConcurrentTasks,
            skillQueues = new[] { new { name = "Parts", rank = 1 } },
        });

        await IngestAssert.ValidationProblemAsync(response, "maxConcurrentTasks");
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"count":-1}""")]
    [InlineData("""{"count":101}""")]
    public async Task OtherWork_InvalidCount_BadRequest(string body)
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var maria = await scenario.SignInAsync("maria");

        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await maria.PutAsync("/api/v1/agent/other-work", content);

        await IngestAssert.ValidationProblemAsync(response, "count");
    }

    [Fact]
    public async Task OtherWork_AtTaskMaximum_NoOffer()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        await PutAgentAsync(scenario, "maria", maxConcurrentEmails: 2, maxConcurrentTasks: 2);
        using var maria = await scenario.SignInAsync("maria");
        await SetOtherWorkAsync(maria, 2);
        await maria.SetStatusAsync("Available");

        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));

        await DeclineTests.AssertNoOfferAsync(maria);
        var work = await SetOtherWorkAsync(maria, 1);
        Assert.Equal(1, work["otherWorkCount"]!.GetValue<int>());
        await maria.WaitForOfferOfAsync("e-1");
    }

    [Fact]
    public async Task OtherWork_PendingOffersCountAgainstTaskMaximum()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        await PutAgentAsync(scenario, "maria", maxConcurrentEmails: 3, maxConcurrentTasks: 3);
        using var maria = await scenario.SignInAsync("maria");
        await SetOtherWorkAsync(maria, 1);
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"), scenario.Item("e-2"), scenario.Item("e-3"));

        await maria.SetStatusAsync("Available");

        // One task on another channel leaves room for two emails of the three, offered or not.
        await maria.WaitForOffersAsync(2);
        await AssertOfferCountStaysAsync(maria, 2);
    }

    [Fact]
    public async Task MaxConcurrentEmails_BelowTaskMaximum_StillLimits()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        await PutAgentAsync(scenario, "maria", maxConcurrentEmails: 1, maxConcurrentTasks: 5);
        using var maria = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"), scenario.Item("e-2"));

        await maria.SetStatusAsync("Available");

        await maria.WaitForOffersAsync(1);
        await AssertOfferCountStaysAsync(maria, 1);
    }

    /// <summary>Waits 300 ms of real time, so a wrong extra offer would have appeared, and checks the count.</summary>
    private static async Task AssertOfferCountStaysAsync(HttpClient agent, int count)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var work = await agent.GetWorkAsync();
        Assert.True(AgentApi.Offers(work).Length == count, $"Expected {count} offers. Work: {work.ToJsonString()}");
    }

    private static Task<JsonObject> PutAgentAsync(
        Scenario scenario, string agentId, int maxConcurrentEmails, int maxConcurrentTasks) =>
        scenario.PutAsync($"agents/{agentId}", new
        {
            password = "password-" + agentId,
            maxConcurrentEmails,
            maxConcurrentTasks,
            skillQueues = new[] { new { name = "Parts", rank = 1 } },
        });

    private static async Task<JsonObject> SetOtherWorkAsync(HttpClient agent, int count)
    {
        using var response = await agent.PutAsJsonAsync("/api/v1/agent/other-work", new { count });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"PUT other-work failed: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }
}

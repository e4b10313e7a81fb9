using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

public sealed class OfferExpiryTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Offer_PastTimeout_ExpiresToQueueAndAgentMissed()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Parts", new { offerTimeoutSeconds = 30 });
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        (await scenario.IngestAsync(Scenario.Body(scenario.Item("e-1")))).EnsureSuccessStatusCode();
        await SetStatusAsync(agent, "Available");
        var offer = await WalkthroughTests.WaitForOfferAsync(agent);
        Assert.Equal(Start.AddSeconds(30), offer["expiresAt"]!.GetValue<DateTimeOffset>());

        time.Advance(TimeSpan.FromSeconds(29));
        var before = await agent.GetFromJsonAsync<JsonObject>("/api/v1/agent/work");
        Assert.Single(before!["offers"]!.AsArray());

        time.Advance(TimeSpan.FromSeconds(1));
        var work = await WaitForStatusAsync(agent, "Missed");
        Assert.Empty(work["offers"]!.AsArray());
        var email = await scenario.FindEmailAsync("e-1");
        Assert.Equal("Queued", email!["state"]!.GetValue<string>());
        Assert.Equal(Start, email["enqueuedAt"]!.GetValue<DateTimeOffset>());
        Assert.Contains(email["history"]!.AsArray(), entry => entry!["event"]!.GetValue<string>() == "OfferExpired");
    }

    /// <summary>The only agent gets the email it let expire again, but only after the skip period.</summary>
    [Fact]
    public async Task MissedAgent_ChoosesAvailable_GetsOfferAfterSkip()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        (await scenario.IngestAsync(Scenario.Body(scenario.Item("e-1")))).EnsureSuccessStatusCode();
        await SetStatusAsync(agent, "Available");
        var first = await WalkthroughTests.WaitForOfferAsync(agent);

        time.Advance(TimeSpan.FromSeconds(60));
        await WaitForStatusAsync(agent, "Missed");
        var stats = await scenario.GetStatsAsync();
        Assert.Equal(1, stats["queues"]![0]!["waiting"]!.GetValue<int>());

        await SetStatusAsync(agent, "Available");
        time.Advance(TimeSpan.FromSeconds(299));
        await DeclineTests.AssertNoOfferAsync(agent);

        time.Advance(TimeSpan.FromSeconds(1));
        var second = await WalkthroughTests.WaitForOfferAsync(agent);
        Assert.NotEqual(first["offerId"]!.GetValue<long>(), second["offerId"]!.GetValue<long>());
        Assert.Equal("e-1", second["email"]!["entityId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Accept_AfterDeadline_ConflictNamesExpired()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        (await scenario.IngestAsync(Scenario.Body(scenario.Item("e-1")))).EnsureSuccessStatusCode();
        await SetStatusAsync(agent, "Available");
        var offer = await WalkthroughTests.WaitForOfferAsync(agent);

        time.Advance(TimeSpan.FromSeconds(60));
        using var accept = await agent.PostAsync($"/api/v1/agent/offers/{offer["offerId"]}/accept", null);

        Assert.Equal(HttpStatusCode.Conflict, accept.StatusCode);
        Assert.Contains("Expired", await accept.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var email = await scenario.FindEmailAsync("e-1");
        Assert.Equal("Queued", email!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task PendingOffer_OverdueAtRestart_ExpiresAtStart()
    {
        var time = new FakeTimeProvider(Start);
        var dataDirectory = Directory.CreateTempSubdirectory("routed-email-test-").FullName;
        try
        {
            Scenario scenario;
            await using (var first = await TestServer.StartAsync(dataDirectory, time))
            {
                scenario = await Scenario.CreateAsync(first);
                await scenario.PutAgentAsync("maria");
                using var agent = await scenario.SignInAsync("maria");
                (await scenario.IngestAsync(Scenario.Body(scenario.Item("e-1")))).EnsureSuccessStatusCode();
                await SetStatusAsync(agent, "Available");
                await WalkthroughTests.WaitForOfferAsync(agent);
            }

            time.Advance(TimeSpan.FromMinutes(5));
            await using var second = await TestServer.StartAsync(dataDirectory, time);
            using var again = await scenario.On(second).SignInAsync("maria");
            var work = await WaitForStatusAsync(again, "Missed");
            Assert.Empty(work["offers"]!.AsArray());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static async Task SetStatusAsync(HttpClient agent, string status)
    {
        using var response = await agent.PutAsJsonAsync("/api/v1/agent/status", new { status });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Polls the agent's work until the background expiry has set the status; bounded to 10 seconds.</summary>
    private static async Task<JsonObject> WaitForStatusAsync(HttpClient agent, string status)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var work = await agent.GetFromJsonAsync<JsonObject>("/api/v1/agent/work", timeout.Token);
            if (work!["status"]!.GetValue<string>() == status)
            {
                return work;
            }

            await Task.Delay(20, timeout.Token);
        }
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Admin;
using RoutedEmail.Server.Tests.Infrastructure;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Tests;

/// <summary>The per-minute dashboard samples and <c>GET .../dashboard/history</c>.</summary>
public sealed class DashboardHistoryTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 30, TimeSpan.Zero);

    [Fact]
    public async Task Sampler_MinuteTimer_RecordsFigures()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Parts", 
            new { serviceLevelSeconds = 20, offerTimeoutSeconds = 3600 });
        await scenario.PutAgentAsync("maria");
        await scenario.PutUserAsync("sam", "Supervisor");
        using var supervisor = await scenario.SignInUserAsync("sam");
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"), scenario.Item("e-2"), scenario.Item("e-3"));
        await agent.SetStatusAsync("Available");
        await agent.WaitForOfferOfAsync("e-1");

        var samples = await AdvanceUntilSampledAsync(time, supervisor, scenario);

        var sample = samples[^1]!.AsObject();
        Assert.Equal(2, sample["waiting"]!.GetValue<int>());
        Assert.Equal(1, sample["offeredToday"]!.GetValue<int>());
        Assert.Equal(1, sample["offeredInServiceLevelToday"]!.GetValue<int>());
        Assert.Equal(100.0, sample["serviceLevelPercent"]!.GetValue<double>());
        Assert.Equal("Parts", sample["queue"]!.GetValue<string>());
        Assert.Equal(0, sample["at"]!.GetValue<DateTimeOffset>().Second);
    }

    [Fact]
    public async Task Sampler_SameMinuteTwice_KeepsFirstRow()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutUserAsync("sam", "Supervisor");
        using var supervisor = await scenario.SignInUserAsync("sam");
        var sampler = server.Services.GetRequiredService<DashboardSampler>();

        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await sampler.SampleOnceAsync(CancellationToken.None);
        await scenario.IngestAcceptedAsync(scenario.Item("e-2"));
        time.Advance(TimeSpan.FromSeconds(20));
        await sampler.SampleOnceAsync(CancellationToken.None);
        var history = await ReadHistoryAsync(supervisor, scenario, "?hours=1");

        var samples = PartsSamples(history);
        Assert.Single(samples);
        Assert.Equal(1, samples[0]!["waiting"]!.GetValue<int>());
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero),
            samples[0]!["at"]!.GetValue<DateTimeOffset>());
        Assert.Equal(60, history["sampleIntervalSeconds"]!.GetValue<int>());
    }

    [Fact]
    public async Task History_Hours_LimitsRange()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutUserAsync("sam", "Supervisor");
        using var supervisor = await scenario.SignInUserAsync("sam");
        var sampler = server.Services.GetRequiredService<DashboardSampler>();

        await sampler.SampleOnceAsync(CancellationToken.None);
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        time.Advance(TimeSpan.FromHours(3));
        await sampler.SampleOnceAsync(CancellationToken.None);
        var lastHour = PartsSamples(await ReadHistoryAsync(supervisor, scenario, "?hours=1"));
        var lastFour = PartsSamples(await ReadHistoryAsync(supervisor, scenario, ""));

        Assert.Single(lastHour);
        Assert.Equal(1, lastHour[0]!["waiting"]!.GetValue<int>());
        Assert.Equal(2, lastFour.Count);
        Assert.Equal(0, lastFour[0]!["waiting"]!.GetValue<int>());
    }

    [Fact]
    public async Task Sampler_AfterRetention_DeletesOldSamples()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time, settings: new Dictionary<string, string>
        {
            ["Dashboard:SampleRetention"] = "02:00:00",
        });
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutUserAsync("sam", "Supervisor");
        using var supervisor = await scenario.SignInUserAsync("sam");
        var sampler = server.Services.GetRequiredService<DashboardSampler>();

        var store = server.Services.GetRequiredService<IDashboardSampleStore>();
        var tenant = await server.Services.GetRequiredService<ITenantStore>()
            .FindTenantAsync(scenario.CompanyCode, scenario.Environment, CancellationToken.None);

        await sampler.SampleOnceAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(90));
        await sampler.SampleOnceAsync(CancellationToken.None);
        var before = await store.ListSamplesAsync(tenant!.Id, DateTimeOffset.UnixEpoch, CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(60));
        await sampler.SampleOnceAsync(CancellationToken.None);
        var after = await store.ListSamplesAsync(tenant.Id, DateTimeOffset.UnixEpoch, CancellationToken.None);

        Assert.Equal(2, before.Count);
        Assert.Equal(2, after.Count);
        Assert.Equal(Start.AddMinutes(90).AddSeconds(-30), after[0].At);
        Assert.Equal(Start.AddMinutes(150).AddSeconds(-30), after[1].At);
    }

    [Theory]
    [InlineData("?hours=0")]
    [InlineData("?hours=49")]
    public async Task History_HoursOutOfRange_Returns400(string query)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await server.Admin.GetAsync($"{scenario.TenantPath}/dashboard/history{query}");
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("it must be from 1 to 48", problem!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_AgentOnlyUser_Returns403()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutUserAsync("ann", "Agent");
        using var agent = await scenario.SignInUserAsync("ann");

        using var response = await agent.GetAsync($"{scenario.TenantPath}/dashboard/history");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    /// <summary>
    /// Advances the fake clock a minute at a time until the sampler's timer has recorded a sample after the
    /// changes, at most 20 minutes, and returns the Parts samples.
    /// </summary>
    private static async Task<JsonArray> AdvanceUntilSampledAsync(
        FakeTimeProvider time, HttpClient supervisor, Scenario scenario)
    {
        var changedAt = time.GetUtcNow();
        for (var minute = 0; minute < 20; minute++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            for (var read = 0; read < 20; read++)
            {
                var samples = PartsSamples(await ReadHistoryAsync(supervisor, scenario, ""));
                if (samples.Count > 0 && samples[^1]!["at"]!.GetValue<DateTimeOffset>() > changedAt)
                {
                    return samples;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50));
            }
        }

        Assert.Fail("The sampler recorded no sample within 20 minutes of the fake clock.");
        return [];
    }

    private static JsonArray PartsSamples(JsonObject history) =>
        history["queues"]!.AsArray().SingleOrDefault(queue => queue!["name"]!.GetValue<string>() == "Parts")?
            ["samples"]!.AsArray() ?? [];

    private static async Task<JsonObject> ReadHistoryAsync(HttpClient client, Scenario scenario, string query)
    {
        using var response = await client.GetAsync($"{scenario.TenantPath}/dashboard/history{query}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET dashboard/history failed: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }
}

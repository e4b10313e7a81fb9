using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Limits;

/// <summary>
/// The ingest, connection and body size limits are settings: a lowered limit rejects what the default accepts, with a message
/// that names the setting, and queues nothing.
/// </summary>
[Trait(TestStore.Trait, TestStore.Independent)]
public sealed class IngestLimitSettingTests
{
    [Fact]
    public async Task Ingest_PastMaxItems_RejectsNamingSetting()
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Ingest:MaxItems"] = "2",
        });
        var scenario = await Scenario.CreateAsync(server);

        using var response = await scenario.IngestAsync(
            Scenario.Body(scenario.Item("a"), scenario.Item("b"), scenario.Item("c")));

        var message = await IngestAssert.RejectedAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("more than 2 items (Ingest:MaxItems)", message, StringComparison.Ordinal);
        await scenario.AssertNothingQueuedAsync("a", "b", "c");
    }

    [Fact]
    public async Task Ingest_PastMaxAttributes_RejectsNamingSetting()
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Ingest:MaxAttributes"] = "1",
        });
        var scenario = await Scenario.CreateAsync(server);
        var item = scenario.Item("a");
        item["attributes"] = new JsonArray(
            new JsonObject { ["key"] = "one", ["value"] = "1" }, new JsonObject { ["key"] = "two", ["value"] = "2" });

        using var response = await scenario.IngestAsync(Scenario.Body(item));

        var message = await IngestAssert.RejectedAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("Item 0, field \"attributes\"", message, StringComparison.Ordinal);
        Assert.Contains("(Ingest:MaxAttributes)", message, StringComparison.Ordinal);
        await scenario.AssertNothingQueuedAsync("a");
    }

    [Fact]
    public async Task Ingest_PastMaxBodyBytes_Returns413NamingSetting()
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Ingest:MaxBodyBytes"] = "2048",
        });
        var scenario = await Scenario.CreateAsync(server);
        var item = scenario.Item("a");
        item["subject"] = new string('x', 900);

        using var response = await scenario.IngestAsync(Scenario.Body(item, scenario.Item("b")) + new string(' ', 2000));

        var message = await IngestAssert.RejectedAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("2048 bytes (Ingest:MaxBodyBytes)", message, StringComparison.Ordinal);
        await scenario.AssertNothingQueuedAsync("a", "b");
    }

    [Fact]
    public async Task Kestrel_LimitSettings_AreApplied()
    {
        await using var defaults = await TestServer.StartAsync();
        await using var lowered = await TestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Limits:MaxConcurrentConnections"] = "50",
            ["Limits:MaxConcurrentUpgradedConnections"] = "0",
            ["Limits:MaxRequestBodyBytes"] = "4096",
        });

        var defaultLimits = defaults.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;
        var loweredLimits = lowered.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;

        Assert.Equal(10_000, defaultLimits.MaxConcurrentConnections);
        Assert.Equal(5_000, defaultLimits.MaxConcurrentUpgradedConnections);
        Assert.Equal(1024 * 1024, defaultLimits.MaxRequestBodySize);
        Assert.Equal(50, loweredLimits.MaxConcurrentConnections);
        Assert.Null(loweredLimits.MaxConcurrentUpgradedConnections);
        Assert.Equal(4096, loweredLimits.MaxRequestBodySize);
    }

    [Fact]
    public async Task Api_BodyOverLimit_Returns413Problem()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        var body = new JsonObject { ["description"] = new string('x', 2 * 1024 * 1024) };

        using var response = await server.Admin.PutAsync(
            $"{scenario.TenantPath}/routed-email-configurations/Large",
            new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.True(problem["detail"] is not null, problem.ToJsonString());
        Assert.Contains("1048576 bytes (Limits:MaxRequestBodyBytes)", problem["detail"]!.GetValue<string>(),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_BodyOverServerLimit_UsesIngestLimit()
    {
        // Ingest has its own body limit of 8 MiB, above the 1 MiB of every other path.
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await scenario.IngestAsync(
            "[" + scenario.Item("large").ToJsonString() + new string(' ', 2 * 1024 * 1024) + "]");

        await IngestAssert.SucceededAsync(response);
        Assert.NotNull(await scenario.FindEmailAsync("large"));
    }
}

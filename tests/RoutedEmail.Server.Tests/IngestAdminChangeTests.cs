using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using RoutedEmail.Server.Security;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

/// <summary>
/// An administrator's change takes effect on the ingest request that follows its response, on the node that made it
/// and, on PostgreSQL, on another node. Each test sends an accepted request first, so the reads that ingest keeps
/// prepared between requests are warm when the change comes.
/// </summary>
public sealed class IngestAdminChangeTests
{
    [Fact]
    public async Task Configuration_DisabledThenEnabled_NextRequestFollows()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        await AssertConfigurationChangesFollowedAsync(scenario, scenario);
    }

    [Fact]
    public async Task ApiKey_SecondRotation_FirstKeyRejectedAtOnce()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        await AssertRotationsFollowedAsync(scenario, scenario);
    }

    [PostgresFact]
    public async Task TwoNodes_ConfigurationDisabledOnA_NextRequestOnBFollows()
    {
        await using var cluster = await TestCluster.StartAsync(2);
        var scenario = await Scenario.CreateAsync(cluster[0]);

        await AssertConfigurationChangesFollowedAsync(scenario, scenario.On(cluster[1]));
    }

    [PostgresFact]
    public async Task TwoNodes_SecondRotationOnA_FirstKeyRejectedOnB()
    {
        await using var cluster = await TestCluster.StartAsync(2);
        var scenario = await Scenario.CreateAsync(cluster[0]);

        await AssertRotationsFollowedAsync(scenario, scenario.On(cluster[1]));
    }

    /// <summary>Disables and enables the configuration through <paramref name="admin"/>'s node.</summary>
    private static async Task AssertConfigurationChangesFollowedAsync(Scenario admin, Scenario ingest)
    {
        var configuration = $"{admin.TenantPath}/routed-email-configurations/USPartsSpanish";
        using var warm = await ingest.IngestAsync(Scenario.Body(ingest.Item("before-disable")));
        await IngestAssert.SucceededAsync(warm);

        using var disable = await admin.Server.Admin.PostAsync($"{configuration}/disable", null);
        using var whileDisabled = await ingest.IngestAsync(Scenario.Body(ingest.Item("while-disabled")));
        var message = await IngestAssert.RejectedAsync(whileDisabled, HttpStatusCode.BadRequest);
        using var enable = await admin.Server.Admin.PostAsync($"{configuration}/enable", null);
        using var afterEnable = await ingest.IngestAsync(Scenario.Body(ingest.Item("after-enable")));

        Assert.Equal(HttpStatusCode.NoContent, disable.StatusCode);
        Assert.Contains("\"USPartsSpanish\" is disabled", message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, enable.StatusCode);
        await IngestAssert.SucceededAsync(afterEnable);
        Assert.Equal(2, (await ingest.GetQueueStatsAsync())["waiting"]!.GetValue<int>());
    }

    /// <summary>
    /// Rotates the key twice through <paramref name="admin"/>'s node. The second rotation ends the original key at
    /// once, and the key of the first rotation becomes the previous key, valid for its grace period.
    /// </summary>
    private static async Task AssertRotationsFollowedAsync(Scenario admin, Scenario ingest)
    {
        using var warm = await ingest.IngestAsync(Scenario.Body(ingest.Item("original-key")));
        await IngestAssert.SucceededAsync(warm);

        var firstKey = await RotateAsync(admin);
        using var originalAfterFirst = await ingest.IngestAsync(Scenario.Body(ingest.Item("original-after-first")));
        var secondKey = await RotateAsync(admin);
        using var originalAfterSecond = await ingest.IngestAsync(
            Scenario.Body(ingest.Item("original-after-second")));
        using var withFirst = await ingest.IngestAsync(
            Scenario.Body(ingest.Item("first-key")), WithApiKey(firstKey));
        using var withSecond = await ingest.IngestAsync(
            Scenario.Body(ingest.Item("second-key")), WithApiKey(secondKey));

        await IngestAssert.SucceededAsync(originalAfterFirst);
        await IngestAssert.RejectedAsync(originalAfterSecond, HttpStatusCode.Unauthorized);
        await IngestAssert.SucceededAsync(withFirst);
        await IngestAssert.SucceededAsync(withSecond);
        Assert.Equal(4, (await ingest.GetQueueStatsAsync())["waiting"]!.GetValue<int>());
    }

    private static async Task<string> RotateAsync(Scenario scenario)
    {
        using var response = await scenario.Server.Admin.PostAsync($"{scenario.TenantPath}/api-key/rotate", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        return body!["apiKey"]!.GetValue<string>();
    }

    private static Action<HttpRequestMessage> WithApiKey(string apiKey) => request =>
    {
        request.Headers.Remove(IntegratorAuthenticator.ApiKeyHeader);
        request.Headers.Add(IntegratorAuthenticator.ApiKeyHeader, apiKey);
    };
}

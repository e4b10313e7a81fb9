using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

/// <summary>The X-sc headers of the ingest API: names, presence, the API key and its rotation.</summary>
public sealed class IngestHeaderTests
{
    private const string PlatformHeader = "X-sc-platform-code";
    private const string CompanyHeader = "X-sc-company-code";
    private const string EnvironmentHeader = "X-sc-company-environment";
    private const string RegionHeader = "X-sc-secrets-region";
    private const string ApiKeyHeader = "X-sc-company-api-key";

    [Fact]
    [Trait(TestStore.Trait, TestStore.Independent)]
    public async Task Headers_LowercaseNames_Accepted()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        using var request = new HttpRequestMessage(HttpMethod.Post, Scenario.IngestPath)
        {
            Content = new StringContent(Scenario.Body(scenario.Item("lower-1")), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-sc-platform-code", "AWS Connect");
        request.Headers.Add("x-sc-company-code", scenario.CompanyCode);
        request.Headers.Add("x-sc-company-environment", scenario.Environment);
        request.Headers.Add("x-sc-secrets-region", Scenario.SecretsRegion);
        request.Headers.Add("x-sc-company-api-key", scenario.ApiKey);
        using var client = server.CreateClient();

        using var response = await client.SendAsync(request);

        await IngestAssert.SucceededAsync(response);
        Assert.NotNull(await scenario.FindEmailAsync("lower-1"));
    }

    [Theory]
    [InlineData(PlatformHeader)]
    [InlineData(CompanyHeader)]
    [InlineData(EnvironmentHeader)]
    [InlineData(RegionHeader)]
    [Trait(TestStore.Trait, TestStore.Independent)]
    public async Task Headers_Missing_Returns400(string header)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await scenario.IngestAsync(
            Scenario.Body(scenario.Item("missing-1")), WithHeader(header, null));

        var message = await IngestAssert.RejectedAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(header, message, StringComparison.Ordinal);
        Assert.Contains("missing", message, StringComparison.Ordinal);
        await scenario.AssertNothingQueuedAsync("missing-1");
    }

    [Theory]
    [InlineData(CompanyHeader)]
    [InlineData(ApiKeyHeader)]
    [Trait(TestStore.Trait, TestStore.Independent)]
    public async Task Headers_Overlong_Returns400WithoutValue(string header)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        var overlong = new string('q', 10_000);

        using var response = await scenario.IngestAsync(
            Scenario.Body(scenario.Item("long-1")), WithHeader(header, overlong));

        var message = await IngestAssert.RejectedAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(header, message, StringComparison.Ordinal);
        Assert.Contains("10000 characters long; the maximum is 128", message, StringComparison.Ordinal);
        Assert.DoesNotContain(overlong[..200], message, StringComparison.Ordinal);
        await scenario.AssertNothingQueuedAsync("long-1");
    }

    [Fact]
    [Trait(TestStore.Trait, TestStore.Independent)]
    public async Task Headers_MissingApiKey_Returns401()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await scenario.IngestAsync(
            Scenario.Body(scenario.Item("nokey-1")), WithHeader(ApiKeyHeader, null));

        var message = await IngestAssert.RejectedAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains(ApiKeyHeader, message, StringComparison.Ordinal);
        await scenario.AssertNothingQueuedAsync("nokey-1");
    }

    [Fact]
    [Trait(TestStore.Trait, TestStore.Independent)]
    public async Task Headers_NearMissKey_Returns401WithoutEitherKey()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        var nearMiss = NearMiss(scenario.ApiKey);

        using var response = await scenario.IngestAsync(
            Scenario.Body(scenario.Item("wrongkey-1")), WithHeader(ApiKeyHeader, nearMiss));

        var message = await IngestAssert.RejectedAsync(response, HttpStatusCode.Unauthorized);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(scenario.ApiKey, body, StringComparison.Ordinal);
        Assert.DoesNotContain(nearMiss, body, StringComparison.Ordinal);
        Assert.DoesNotContain(scenario.ApiKey[..12], body, StringComparison.Ordinal);
        Assert.Contains(ApiKeyHeader, message, StringComparison.Ordinal);
        await scenario.AssertNothingQueuedAsync("wrongkey-1");
    }

    [Fact]
    [Trait(TestStore.Trait, TestStore.Independent)]
    public async Task Headers_UnknownTenant_SameMessageAsWrongKey()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        var unknown = scenario.Item("unknown-1");
        unknown["companyCode"] = "no-such-company";

        using var wrongKey = await scenario.IngestAsync(
            Scenario.Body(scenario.Item("unknown-1")), WithHeader(ApiKeyHeader, NearMiss(scenario.ApiKey)));
        using var unknownTenant = await scenario.IngestAsync(
            Scenario.Body(unknown), WithHeader(CompanyHeader, "no-such-company"));

        var wrongKeyMessage = await IngestAssert.RejectedAsync(wrongKey, HttpStatusCode.Unauthorized);
        var unknownMessage = await IngestAssert.RejectedAsync(unknownTenant, HttpStatusCode.Unauthorized);
        Assert.Equal(wrongKeyMessage,
            unknownMessage.Replace("no-such-company", scenario.CompanyCode, StringComparison.Ordinal));
        Assert.DoesNotContain(scenario.ApiKey, unknownMessage, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(TestStore.Trait, TestStore.Independent)]
    public async Task Headers_RegionMismatch_Returns400()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await scenario.IngestAsync(
            Scenario.Body(scenario.Item("region-1")), WithHeader(RegionHeader, "eu-west-1"));

        var message = await IngestAssert.RejectedAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(RegionHeader, message, StringComparison.Ordinal);
        Assert.Contains("eu-west-1", message, StringComparison.Ordinal);
        Assert.DoesNotContain(scenario.ApiKey, message, StringComparison.Ordinal);
        await scenario.AssertNothingQueuedAsync("region-1");
    }

    [Fact]
    [Trait(TestStore.Trait, TestStore.Independent)]
    public async Task Headers_WrongPlatformCode_Returns400()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await scenario.IngestAsync(
            Scenario.Body(scenario.Item("platform-1")), WithHeader(PlatformHeader, "Genesys Cloud"));

        var message = await IngestAssert.RejectedAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(PlatformHeader, message, StringComparison.Ordinal);
        Assert.Contains("AWS Connect", message, StringComparison.Ordinal);
        await scenario.AssertNothingQueuedAsync("platform-1");
    }

    [Theory]
    [InlineData(PlatformHeader)]
    [InlineData(CompanyHeader)]
    [InlineData(EnvironmentHeader)]
    [InlineData(RegionHeader)]
    [InlineData(ApiKeyHeader)]
    [Trait(TestStore.Trait, TestStore.Independent)]
    public async Task Headers_SentTwice_Returns400(string header)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        var lines = IntegratorHeaderLines(scenario).ToList();
        lines.Add(lines.Single(line => line.StartsWith(header + ":", StringComparison.Ordinal)));

        var (status, body) = await RawHttp.SendAsync(
            server, "POST", Scenario.IngestPath, lines, Scenario.Body(scenario.Item("twice-1")));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var json = JsonNode.Parse(body)!;
        Assert.Equal("ERROROCCURRED", json["responseEnum"]!.GetValue<string>());
        var message = json["errorMessage"]!.GetValue<string>();
        Assert.Contains(header, message, StringComparison.Ordinal);
        Assert.DoesNotContain(scenario.ApiKey, message, StringComparison.Ordinal);
        await scenario.AssertNothingQueuedAsync("twice-1");
    }

    [Fact]
    public async Task ApiKey_Rotated_BothKeysWork()
    {
        var time = new FakeTimeProvider();
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);

        var rotated = await RotateAsync(scenario);
        time.Advance(TimeSpan.FromHours(2) - TimeSpan.FromMinutes(1));

        var newKey = rotated["apiKey"]!.GetValue<string>();
        Assert.Matches("^[A-Za-z0-9_-]{43}$", newKey);
        Assert.NotEqual(scenario.ApiKey, newKey);
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromMinutes(1),
            rotated["previousKeyExpiresAt"]!.GetValue<DateTimeOffset>());
        using var withNew = await scenario.IngestAsync(
            Scenario.Body(scenario.Item("new-key")), WithHeader(ApiKeyHeader, newKey));
        await IngestAssert.SucceededAsync(withNew);
        using var withOld = await scenario.IngestAsync(Scenario.Body(scenario.Item("old-key")));
        await IngestAssert.SucceededAsync(withOld);
    }

    [Fact]
    public async Task ApiKey_GracePeriodOver_OldKeyRejected()
    {
        var time = new FakeTimeProvider();
        await using var server = await TestServer.StartAsync(
            time: time, settings: new Dictionary<string, string> { ["ApiKeys:PreviousKeyGracePeriod"] = "00:10:00" });
        var scenario = await Scenario.CreateAsync(server);

        var newKey = (await RotateAsync(scenario))["apiKey"]!.GetValue<string>();
        time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));

        using var withOld = await scenario.IngestAsync(Scenario.Body(scenario.Item("old-key")));
        var message = await IngestAssert.RejectedAsync(withOld, HttpStatusCode.Unauthorized);
        Assert.DoesNotContain(scenario.ApiKey, message, StringComparison.Ordinal);
        using var lookup = await scenario.SendIntegratorAsync(HttpMethod.Get, "old-key");
        Assert.Equal(HttpStatusCode.Unauthorized, lookup.StatusCode);
        using var withNew = await scenario.IngestAsync(
            Scenario.Body(scenario.Item("new-key")), WithHeader(ApiKeyHeader, newKey));
        await IngestAssert.SucceededAsync(withNew);
    }

    /// <summary>Replaces a header of the request, or removes it when the value is null.</summary>
    private static Action<HttpRequestMessage> WithHeader(string name, string? value) => request =>
    {
        request.Headers.Remove(name);
        if (value is not null)
        {
            request.Headers.Add(name, value);
        }
    };

    /// <summary>The key with its last character changed, so only one of 43 characters differs.</summary>
    private static string NearMiss(string apiKey) =>
        apiKey[..^1] + (apiKey[^1] == 'A' ? 'B' : 'A');

    private static IEnumerable<string> IntegratorHeaderLines(Scenario scenario) =>
    [
        $"{PlatformHeader}: AWS Connect",
        $"{CompanyHeader}: {scenario.CompanyCode}",
        $"{EnvironmentHeader}: {scenario.Environment}",
        $"{RegionHeader}: {Scenario.SecretsRegion}",
        $"{ApiKeyHeader}: {scenario.ApiKey}",
    ];

    private static async Task<JsonObject> RotateAsync(Scenario scenario)
    {
        using var response = await scenario.Server.Admin.PostAsync($"{scenario.TenantPath}/api-key/rotate", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }
}

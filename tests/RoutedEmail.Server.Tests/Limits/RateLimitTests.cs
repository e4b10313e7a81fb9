using System.Net;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Limits;

/// <summary>
/// Per-tenant rate limits on real Kestrel: requests past the limit get 429 with Retry-After in the ingest error
/// shape or as a problem, queue nothing, and leave other tenants unaffected. Each window is an hour long, so no
/// window ends during a test and the counts are exact.
/// </summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task Ingest_PastLimit_Returns429InIngestShape()
    {
        await using var server = await TestServer.StartAsync(settings: IngestLimit(5));
        var scenario = await Scenario.CreateAsync(server);

        for (var index = 0; index < 5; index++)
        {
            await scenario.IngestAcceptedAsync(scenario.Item($"allowed-{index}"));
        }

        using var response = await scenario.IngestAsync(Scenario.Body(scenario.Item("throttled")));

        var message = await IngestAssert.RejectedAsync(response, HttpStatusCode.TooManyRequests);
        Assert.Contains("RateLimits:Ingest:PermitLimit", message, StringComparison.Ordinal);
        Assert.Contains("Nothing of this batch was queued", message, StringComparison.Ordinal);
        var retryAfter = int.Parse(Assert.Single(response.Headers.GetValues("Retry-After")),
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 3600);
        Assert.Empty(response.Headers.WwwAuthenticate);
        Assert.Null(await scenario.FindEmailAsync("throttled"));
    }

    [Fact]
    public async Task Ingest_OneTenantBursts_OtherTenantUnaffected()
    {
        const int Limit = 20;
        const int Burst = 300;
        await using var server = await TestServer.StartAsync(settings: IngestLimit(Limit));
        var noisy = await Scenario.CreateAsync(server, "noisy-corp", "prod");
        var quiet = await Scenario.CreateAsync(server, "quiet-corp", "prod");

        // Eight workers burst the noisy tenant while the quiet tenant sends its requests one after another.
        var next = -1;
        var burst = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var statuses = new List<HttpStatusCode>();
            while (Interlocked.Increment(ref next) is var index && index < Burst)
            {
                using var response = await noisy.IngestAsync(Scenario.Body(noisy.Item($"noisy-{index}")));
                statuses.Add(response.StatusCode);
            }

            return statuses;
        })).ToList();
        var quietStatuses = new List<HttpStatusCode>();
        for (var index = 0; index < Limit; index++)
        {
            using var response = await quiet.IngestAsync(Scenario.Body(quiet.Item($"quiet-{index}")));
            quietStatuses.Add(response.StatusCode);
        }

        var noisyStatuses = (await Task.WhenAll(burst)).SelectMany(statuses => statuses).ToList();

        Assert.All(quietStatuses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(Burst, noisyStatuses.Count);
        Assert.Equal(Limit, noisyStatuses.Count(status => status == HttpStatusCode.OK));
        Assert.Equal(Burst - Limit, noisyStatuses.Count(status => status == HttpStatusCode.TooManyRequests));
        Assert.Equal(Limit, (await noisy.GetQueueStatsAsync())["waiting"]!.GetValue<int>());
        Assert.Equal(Limit, (await quiet.GetQueueStatsAsync())["waiting"]!.GetValue<int>());
    }

    [Fact]
    public async Task Ingest_OtherKeySameTenant_CountsSeparately()
    {
        // A client that knows the company code but not the key cannot use up the tenant's permits.
        await using var server = await TestServer.StartAsync(settings: IngestLimit(3));
        var scenario = await Scenario.CreateAsync(server);
        var statuses = new List<HttpStatusCode>();
        for (var index = 0; index < 5; index++)
        {
            using var rejected = await scenario.IngestAsync(Scenario.Body(scenario.Item($"bad-key-{index}")),
                request =>
                {
                    request.Headers.Remove("X-sc-company-api-key");
                    request.Headers.Add("X-sc-company-api-key", "guessed-key");
                });
            statuses.Add(rejected.StatusCode);
        }

        Assert.Equal(
            [HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized,
                HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests],
            statuses);
        await scenario.IngestAcceptedAsync(scenario.Item("valid-key"));
    }

    [Fact]
    public async Task Api_PastLimit_ReturnsProblemWithType()
    {
        var settings = new Dictionary<string, string>
        {
            ["RateLimits:Api:PermitLimit"] = "3",
            ["RateLimits:Api:Window"] = "01:00:00",
        };
        await using var server = await TestServer.StartAsync(settings: settings);
        var scenario = await Scenario.CreateAsync(server);
        for (var index = 0; index < 3; index++)
        {
            using var allowed = await scenario.SendIntegratorAsync(HttpMethod.Get, "unknown");
            Assert.Equal(HttpStatusCode.NotFound, allowed.StatusCode);
        }

        using var response = await scenario.SendIntegratorAsync(HttpMethod.Get, "unknown");

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.TooManyRequests);
        Assert.Equal("https://www.rfc-editor.org/rfc/rfc6585#section-4", problem["type"]!.GetValue<string>());
        Assert.Contains("RateLimits:Api:PermitLimit", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Empty(response.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task Api_PastLimit_HealthCheckStillAnswers()
    {
        var settings = new Dictionary<string, string>
        {
            ["RateLimits:Api:PermitLimit"] = "3",
            ["RateLimits:Api:Window"] = "01:00:00",
        };
        await using var server = await TestServer.StartAsync(settings: settings);

        // Creating the tenant takes the admin token's 3 permits: one POST and two PUTs.
        var scenario = await Scenario.CreateAsync(server);
        using var admin = await server.Admin.GetAsync($"{scenario.TenantPath}/stats");
        using var client = server.CreateClient();
        var health = new List<HttpStatusCode>();
        for (var index = 0; index < 5; index++)
        {
            using var response = await client.GetAsync("/healthz");
            health.Add(response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, admin.StatusCode);
        Assert.All(health, status => Assert.Equal(HttpStatusCode.OK, status));
    }

    [Theory]
    [InlineData("RateLimits:Ingest:Window", "00:00:00")]
    [InlineData("RateLimits:Api:PermitLimit", "-1")]
    [InlineData("RateLimits:Ingest:QueueLimit", "-1")]
    [InlineData("Ingest:MaxItems", "0")]
    [InlineData("Ingest:MaxDepth", "3")]
    public async Task Start_InvalidLimit_FailsNamingSetting(string setting, string value)
    {
        var settings = new Dictionary<string, string> { [setting] = value };

        var exception = await Assert.ThrowsAnyAsync<Exception>(() => TestServer.StartAsync(settings: settings));

        Assert.Contains(setting, exception.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> IngestLimit(int permits) => new()
    {
        ["RateLimits:Ingest:PermitLimit"] = permits.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RateLimits:Ingest:Window"] = "01:00:00",
    };
}

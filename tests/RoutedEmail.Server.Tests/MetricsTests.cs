using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Telemetry;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

/// <summary>
/// Runs the metrics tests while no other test's server runs. With other servers running in parallel, the scrapes of
/// these tests sometimes lacked their own HTTP and routed_email metrics. The likely cause, not confirmed, is that
/// OpenTelemetry 1.21 selects meters by name only, so each server also collects the others' meters and loses the
/// shared streams when one of them stops.
/// </summary>
[CollectionDefinition(nameof(MetricsCollection), DisableParallelization = true)]
public sealed class MetricsCollection;

/// <summary>
/// The Prometheus endpoint <c>/metrics</c>: HTTP metrics, and the business metrics as emails are ingested, offered
/// and expire. Each test uses a company code of its own, so that it finds its own samples.
/// </summary>
[Collection(nameof(MetricsCollection))]
public sealed class MetricsTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Metrics_AfterRequests_ListHttpServerDuration()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        using var health = await client.GetAsync(new Uri("/healthz", UriKind.Relative));

        var scrape = await MetricsScrape.ReadAsync(client);

        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", scrape.Text);
        Assert.NotNull(scrape.Find("http_server_request_duration_seconds_count", "http_route=\"/healthz\""));
    }

    [SqliteFact("Tests the SQLite store's write gate; PostgreSQL has no such gate and records no gate metrics.")]
    public async Task WriteGateMetrics_AfterIngest_Listed()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server, companyCode: "metrics-gate");
        using var client = server.CreateClient();

        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        var scrape = await MetricsScrape.ReadAsync(client);

        // The gate's meter is shared by every SQLite database of the process, so other tests may add to the counts.
        Assert.True(scrape.Find("routed_email_sqlite_write_gate_wait_duration_seconds_count") >= 1);
        Assert.True(scrape.Find("routed_email_sqlite_write_gate_hold_duration_seconds_count") >= 1);
        Assert.True(scrape.Find("routed_email_sqlite_write_gate_hold_duration_seconds_sum") > 0);
        Assert.NotNull(scrape.Find("routed_email_sqlite_write_gate_hold_duration_seconds_bucket", "le=\"0.0005\""));
        Assert.NotNull(scrape.Find("routed_email_sqlite_write_gate_wait_duration_seconds_bucket", "le=\"0.0001\""));
    }

    [Fact]
    public async Task BusinessMetrics_IngestOfferExpire_Move()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time, settings: new Dictionary<string, string>
        {
            ["Telemetry:QueueCacheSeconds"] = "0",
        });
        var scenario = await Scenario.CreateAsync(server, companyCode: "metrics-flow");
        await scenario.PutAsync("skill-queues/Parts", new { offerTimeoutSeconds = 30 });
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        using var client = server.CreateClient();
        const string Tenant = "routed_email_tenant=\"metrics-flow/prod\"";
        const string Queue = "routed_email_skill_queue=\"Parts\"";

        await scenario.IngestAcceptedAsync(scenario.Item("e-1"), scenario.Item("e-2"));
        time.Advance(TimeSpan.FromSeconds(10));
        var queued = await MetricsScrape.ReadAsync(client);

        Assert.Equal(2, queued.Find("routed_email_emails_queued_total", Tenant));
        Assert.Equal(2, queued.Find("routed_email_queue_waiting", Tenant, Queue));
        Assert.Equal(10, queued.Find("routed_email_queue_oldest_wait_seconds", Tenant, Queue));
        Assert.Null(queued.Find("routed_email_offers_made_total", Tenant));

        await SetStatusAsync(agent, "Available");
        await WalkthroughTests.WaitForOfferAsync(agent);
        var offered = await MetricsScrape.WaitForAsync(
            client, "routed_email_routing_offer_to_push_duration_seconds_count", 1, Tenant);

        Assert.Equal(1, offered.Find("routed_email_offers_made_total", Tenant, Queue));
        Assert.Equal(1, offered.Find("routed_email_routing_enqueue_to_offer_duration_seconds_count", Tenant));
        Assert.Equal(10, offered.Find("routed_email_routing_enqueue_to_offer_duration_seconds_sum", Tenant));
        Assert.True(offered.Find("routed_email_routing_step_duration_seconds_count", Tenant) >= 1);
        Assert.Equal(1, offered.Find("routed_email_queue_waiting", Tenant, Queue));

        time.Advance(TimeSpan.FromSeconds(30));
        var expired = await MetricsScrape.WaitForAsync(client, "routed_email_offers_expired_total", 1, Tenant);

        Assert.Equal(2, expired.Find("routed_email_queue_waiting", Tenant, Queue));
        Assert.Equal(40, expired.Find("routed_email_queue_oldest_wait_seconds", Tenant, Queue));
    }

    [Fact]
    public async Task QueueGauges_WithinCacheDuration_ReuseOneRead()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server, companyCode: "metrics-cache");
        var gauges = server.Services.GetRequiredService<QueueGauges>();
        Assert.Equal(0, WaitingOf(gauges.Read()));

        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        time.Advance(TimeSpan.FromSeconds(4));
        var cached = gauges.Read();
        time.Advance(TimeSpan.FromSeconds(1));
        var fresh = gauges.Read();

        Assert.Equal(0, WaitingOf(cached));
        Assert.Equal(1, WaitingOf(fresh));
    }

    [Fact]
    public async Task Metrics_WithoutToken_LoopbackOnly()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        using var forwarded = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        forwarded.Headers.Add("X-Forwarded-For", "203.0.113.7");

        using var direct = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        using var viaProxy = await client.SendAsync(forwarded);

        Assert.Equal(System.Net.HttpStatusCode.OK, direct.StatusCode);
        Assert.Equal("text/plain", direct.Content.Headers.ContentType?.MediaType);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, viaProxy.StatusCode);
        Assert.Contains("Telemetry:MetricsToken", await viaProxy.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Metrics_WithToken_RequiresBearer()
    {
        const string Token = "metrics-token-0123456789abcdef0123456789";
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Telemetry:MetricsToken"] = Token,
        });
        using var client = server.CreateClient();

        using var missing = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        using var wrong = await SendWithTokenAsync(client, Token + "x");
        using var right = await SendWithTokenAsync(client, Token);

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, right.StatusCode);
    }

    [Theory]
    [InlineData("Telemetry:MetricsToken", "short", "Telemetry:MetricsToken")]
    [InlineData("Telemetry:QueueCacheSeconds", "301", "Telemetry:QueueCacheSeconds")]
    [InlineData("Telemetry:Otlp:Endpoint", "ftp://127.0.0.1:4318", "Telemetry:Otlp:Endpoint")]
    [InlineData("Telemetry:Otlp:Protocol", "json", "Telemetry:Otlp:Protocol")]
    public void Build_InvalidTelemetrySetting_FailsNamingIt(string key, string value, string named)
    {
        // The settings are checked while the services are added, before anything touches a data directory.
        var exception = Assert.Throws<InvalidOperationException>(() => RoutedEmailApp.Build([$"--{key}", value]));

        Assert.Contains(named, exception.Message);
    }

    private static long WaitingOf(IReadOnlyList<QueueGauges.QueueRow> rows) =>
        rows.Single(row => row.Tags.Contains(new(RoutedEmailMetrics.TenantAttribute, "metrics-cache/prod"))).Waiting;

    private static async Task<HttpResponseMessage> SendWithTokenAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }

    private static async Task SetStatusAsync(HttpClient agent, string status)
    {
        using var response = await agent.PutAsJsonAsync("/api/v1/agent/status", new { status });
        response.EnsureSuccessStatusCode();
    }
}

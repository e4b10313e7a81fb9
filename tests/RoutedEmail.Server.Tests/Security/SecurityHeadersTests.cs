using System.Net;
using System.Net.Http.Json;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Security;

/// <summary>Browser security headers on every kind of response, and the host and HTTPS settings.</summary>
[Trait(TestStore.Trait, TestStore.Independent)]
public sealed class SecurityHeadersTests
{
    private static readonly Dictionary<string, string> BehindLoopbackProxy = new()
    {
        ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
    };

    [Fact]
    public async Task EveryResponseKind_SecurityHeaders_Present()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        using var anonymous = server.CreateClient();
        var requests = new (string Name, Func<Task<HttpResponseMessage>> Send)[]
        {
            ("admin API 200", () => server.Admin.GetAsync(scenario.TenantPath + "/skill-queues")),
            ("admin API 401", () => anonymous.GetAsync(scenario.TenantPath + "/skill-queues")),
            ("admin API 400", () => server.Admin.PutAsJsonAsync(
                scenario.TenantPath + "/skill-queues/Q", new { wrapSeconds = -1 })),
            ("unknown API route 404", () => anonymous.GetAsync("/api/v1/no-such-route")),
            ("ingest error", () => scenario.IngestAsync("not json")),
            ("ingest 405", () => anonymous.GetAsync(Scenario.IngestPath)),
            ("sign-in 401", () => anonymous.PostAsJsonAsync("/api/v1/sign-in", new { companyCode = "x" })),
            ("health", () => anonymous.GetAsync("/healthz")),
            ("OpenAPI document", () => anonymous.GetAsync("/openapi/v1.json")),
            ("API reference page", () => anonymous.GetAsync("/docs/index.html")),
            ("web UI page", () => anonymous.GetAsync("/agent")),
            ("web UI file", () => anonymous.GetAsync("/css/desktop.css")),
            ("hub negotiate 401", () => anonymous.PostAsync("/hubs/agent/negotiate?negotiateVersion=1", null)),
        };

        foreach (var (name, send) in requests)
        {
            using var response = await send();
            var headers = response.Headers;
            Assert.True(headers.TryGetValues("X-Content-Type-Options", out var sniff), $"{name}: no nosniff");
            Assert.Equal("nosniff", sniff.Single());
            Assert.True(headers.TryGetValues("Referrer-Policy", out var referrer), $"{name}: no Referrer-Policy");
            Assert.Equal("no-referrer", referrer.Single());
            Assert.True(headers.TryGetValues("X-Frame-Options", out var frame), $"{name}: no X-Frame-Options");
            Assert.Equal("DENY", frame.Single());
            Assert.True(headers.TryGetValues("Content-Security-Policy", out var policy), $"{name}: no CSP");
            Assert.Contains("frame-ancestors 'none'", policy.Single(), StringComparison.Ordinal);
            Assert.False(headers.Contains("Strict-Transport-Security"), $"{name}: HSTS over plain HTTP");
        }
    }

    [Fact]
    public async Task ApiResponses_PersonalDataOrTokens_NotStored()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var anonymous = server.CreateClient();

        using var signIn = await anonymous.PostAsJsonAsync("/api/v1/agent/sign-in", new
        {
            companyCode = scenario.CompanyCode, environment = scenario.Environment, agentId = "maria",
            password = "password-maria",
        });
        using var tenant = await server.Admin.PostAsJsonAsync(
            "/api/v1/tenants", new { companyCode = "other", environment = "prod" });
        using var email = await scenario.SendIntegratorAsync(HttpMethod.Get, "missing");
        using var ingest = await scenario.IngestAsync("[]");
        using var file = await anonymous.GetAsync("/css/desktop.css");

        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.True(signIn.Headers.CacheControl!.NoStore);
        Assert.Equal(HttpStatusCode.Created, tenant.StatusCode);
        Assert.True(tenant.Headers.CacheControl!.NoStore);
        Assert.True(email.Headers.CacheControl!.NoStore);
        Assert.True(ingest.Headers.CacheControl!.NoStore);
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.False(file.Headers.CacheControl?.NoStore ?? false);
    }

    [Fact]
    public async Task HttpsThroughKnownProxy_Response_HasHsts()
    {
        await using var server = await TestServer.StartAsync(settings: BehindLoopbackProxy);
        using var client = server.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Headers.Add("X-Forwarded-Proto", "https");
        using var overHttps = await client.SendAsync(request);
        using var overHttp = await client.GetAsync("/healthz");

        Assert.Equal("max-age=31536000", overHttps.Headers.GetValues("Strict-Transport-Security").Single());
        Assert.False(overHttp.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task AllowedHosts_OtherHost_Returns400()
    {
        var settings = new Dictionary<string, string> { ["AllowedHosts"] = "routed-email.test" };
        await using var server = await TestServer.StartAsync(settings: settings);
        using var client = server.CreateClient();

        using var listed = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        listed.Headers.Host = "routed-email.test";
        using var allowed = await client.SendAsync(listed);
        using var other = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
    }
}

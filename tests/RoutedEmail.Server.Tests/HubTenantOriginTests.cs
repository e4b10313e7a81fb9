using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

/// <summary>
/// The agent hub's per-tenant browser origins: a preflight is allowed for an origin that any tenant lists, and the
/// hub's own requests only for an origin of the agent's tenant or of <c>AgentHub:AllowedOrigins</c>.
/// </summary>
public sealed class HubTenantOriginTests
{
    private const string OriginA = "https://crm-a.example.com";
    private const string OriginB = "https://crm-b.example.com";
    private const string GlobalOrigin = "https://desktop.example.com";
    private const int OriginRejectedEventId = 6110;

    private static readonly string[] OriginsToNormalise =
        ["HTTPS://CRM-A.Example.com:443/", "http://localhost:8080", "http://[::1]:5173"];

    [Theory]
    [InlineData(OriginA, true)]
    [InlineData("https://CRM-A.example.com", true)]
    [InlineData(OriginB, true)]
    [InlineData("https://crm-c.example.com", false)]
    [InlineData("http://crm-a.example.com", false)]
    [InlineData("https://crm-a.example.com:8443", false)]
    public async Task Preflight_OriginOfAnyTenant_Allowed(string origin, bool allowed)
    {
        await using var server = await TestServer.StartAsync();
        await CreateTenantAsync(server, "tenant-a", OriginA);
        await CreateTenantAsync(server, "tenant-b", OriginB);

        using var response = await SendPreflightAsync(server, origin);

        Assert.Equal(allowed, response.Headers.Contains("Access-Control-Allow-Origin"));
        if (allowed)
        {
            Assert.Equal(origin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
            Assert.Equal("true", response.Headers.GetValues("Access-Control-Allow-Credentials").Single());
        }
    }

    [Fact]
    public async Task Negotiate_OtherTenantsOrigin_RejectedAndLogged()
    {
        var logs = new CapturingLoggerProvider();
        await using var server = await TestServer.StartAsync(services: services => services.AddLogging(logging =>
            logging.AddProvider(logs)));
        var tenantA = await CreateTenantAsync(server, "tenant-a", OriginA);
        await CreateTenantAsync(server, "tenant-b", OriginB);
        await tenantA.PutAgentAsync("maria");
        using var agent = await tenantA.SignInAsync("maria");

        using var response = await NegotiateAsync(server, HubTestClient.TokenOf(agent), OriginB);

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
        var detail = problem["detail"]!.GetValue<string>();
        Assert.Contains($"\"{OriginB}\"", detail, StringComparison.Ordinal);
        Assert.Contains("PUT /api/v1/tenants/tenant-a/prod", detail, StringComparison.Ordinal);
        Assert.Contains("AgentHub:AllowedOrigins", detail, StringComparison.Ordinal);
        var logged = Assert.Single(logs.Entries, entry => entry.EventId == OriginRejectedEventId);
        Assert.Equal(LogLevel.Warning, logged.Level);
        Assert.Contains("agent maria", logged.Message, StringComparison.Ordinal);
        Assert.Contains("of tenant ", logged.Message, StringComparison.Ordinal);
        Assert.Contains(OriginB, logged.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(HubTestClient.TokenOf(agent), logged.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(OriginA)]
    [InlineData("HTTPS://Crm-A.Example.com")]
    [InlineData(GlobalOrigin)]
    public async Task Negotiate_OwnTenantOrGlobalOrigin_Allowed(string origin)
    {
        await using var server = await StartWithGlobalOriginAsync();
        var tenantA = await CreateTenantAsync(server, "tenant-a", OriginA);
        await CreateTenantAsync(server, "tenant-b", OriginB);
        await tenantA.PutAgentAsync("maria");
        using var agent = await tenantA.SignInAsync("maria");

        using var response = await NegotiateAsync(server, HubTestClient.TokenOf(agent), origin);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(origin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task Negotiate_NoOriginOrSameHost_Allowed()
    {
        await using var server = await TestServer.StartAsync();
        var tenantA = await CreateTenantAsync(server, "tenant-a", OriginA);
        await tenantA.PutAgentAsync("maria");
        using var agent = await tenantA.SignInAsync("maria");
        var ownOrigin = server.BaseAddress.GetLeftPart(UriPartial.Authority);

        using var withoutOrigin = await NegotiateAsync(server, HubTestClient.TokenOf(agent), origin: null);
        using var sameHost = await NegotiateAsync(server, HubTestClient.TokenOf(agent), ownOrigin);

        Assert.Equal(HttpStatusCode.OK, withoutOrigin.StatusCode);
        Assert.Equal(HttpStatusCode.OK, sameHost.StatusCode);
    }

    [Fact]
    public async Task Negotiate_UnknownOriginWithoutToken_Unauthorized()
    {
        await using var server = await TestServer.StartAsync();

        using var response = await NegotiateAsync(server, token: null, OriginB);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task WebSocketConnect_OtherTenantsOrigin_Rejected()
    {
        await using var server = await TestServer.StartAsync();
        var tenantA = await CreateTenantAsync(server, "tenant-a", OriginA);
        await CreateTenantAsync(server, "tenant-b", OriginB);
        await tenantA.PutAgentAsync("maria");
        using var agent = await tenantA.SignInAsync("maria");
        await using var rejected = BuildConnection(server, HubTestClient.TokenOf(agent), OriginB);

        // Without negotiation the WebSocket request itself is checked, not only the negotiate request.
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => rejected.StartAsync());

        Assert.Contains("403", failure.ToString(), StringComparison.Ordinal);
        Assert.Equal(HubConnectionState.Disconnected, rejected.State);
    }

    [Fact]
    public async Task WebSocketConnect_OwnTenantsOrigin_ReceivesConnected()
    {
        await using var server = await TestServer.StartAsync();
        var tenantA = await CreateTenantAsync(server, "tenant-a", OriginA);
        await tenantA.PutAgentAsync("maria");
        using var agent = await tenantA.SignInAsync("maria");
        await using var connection = BuildConnection(server, HubTestClient.TokenOf(agent), OriginA);
        var connected = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.On<JsonObject>("work", message => connected.TrySetResult(message));

        await connection.StartAsync();
        var message = await connected.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(HubConnectionState.Connected, connection.State);
        Assert.Equal("Connected", message["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task PutAllowedOrigins_Changed_AppliesWithoutRestart()
    {
        await using var server = await TestServer.StartAsync();
        var tenantA = await CreateTenantAsync(server, "tenant-a", OriginA);
        await tenantA.PutAgentAsync("maria");
        using var agent = await tenantA.SignInAsync("maria");
        const string newOrigin = "https://crm-new.example.com";

        // Both reads happen first, so a cached list would hide the change below.
        using var preflightBefore = await SendPreflightAsync(server, newOrigin);
        using var negotiateBefore = await NegotiateAsync(server, HubTestClient.TokenOf(agent), newOrigin);
        await PutTenantAsync(server, tenantA, new { allowedOrigins = new[] { newOrigin } });
        using var preflightAdded = await SendPreflightAsync(server, newOrigin);
        using var negotiateAdded = await NegotiateAsync(server, HubTestClient.TokenOf(agent), newOrigin);
        using var negotiateRemoved = await NegotiateAsync(server, HubTestClient.TokenOf(agent), OriginA);
        await PutTenantAsync(server, tenantA, new { allowedOrigins = Array.Empty<string>() });
        using var preflightCleared = await SendPreflightAsync(server, newOrigin);
        using var negotiateCleared = await NegotiateAsync(server, HubTestClient.TokenOf(agent), newOrigin);

        Assert.False(preflightBefore.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.Forbidden, negotiateBefore.StatusCode);
        Assert.True(preflightAdded.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.OK, negotiateAdded.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, negotiateRemoved.StatusCode);
        Assert.False(preflightCleared.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.Forbidden, negotiateCleared.StatusCode);
    }

    [Fact]
    public async Task CreateTenant_AllowedOrigins_NormalisedInResponses()
    {
        await using var server = await TestServer.StartAsync();

        using var created = await server.Admin.PostAsJsonAsync("/api/v1/tenants", new
        {
            companyCode = "tenant-a",
            environment = "prod",
            allowedOrigins = OriginsToNormalise,
        });
        var createdBody = await created.Content.ReadFromJsonAsync<JsonObject>();
        var read = await server.Admin.GetFromJsonAsync<JsonObject>("/api/v1/tenants/tenant-a/prod");
        var listed = await server.Admin.GetFromJsonAsync<JsonArray>("/api/v1/tenants");

        string[] expected = [OriginA, "http://localhost:8080", "http://[::1]:5173"];
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(expected, OriginsOf(createdBody!));
        Assert.Equal(expected, OriginsOf(read!));
        Assert.Equal(expected, OriginsOf(listed!.Single()!.AsObject()));
    }

    [Fact]
    public async Task CreateTenant_NoAllowedOrigins_EmptyList()
    {
        await using var server = await TestServer.StartAsync();

        var scenario = await Scenario.CreateAsync(server);
        var read = await server.Admin.GetFromJsonAsync<JsonObject>(scenario.TenantPath);

        Assert.Empty(OriginsOf(read!));
    }

    [Fact]
    public async Task PutTenant_AllowedOriginsMissing_KeepsList()
    {
        await using var server = await TestServer.StartAsync();
        var tenantA = await CreateTenantAsync(server, "tenant-a", OriginA);

        var updated = await PutTenantAsync(server, tenantA, new { timeZone = "Europe/Berlin" });

        Assert.Equal("Europe/Berlin", updated["timeZone"]!.GetValue<string>());
        Assert.Equal([OriginA], OriginsOf(updated));
    }

    [Fact]
    public async Task PutTenant_InvalidOrigin_KeepsStoredList()
    {
        await using var server = await TestServer.StartAsync();
        var tenantA = await CreateTenantAsync(server, "tenant-a", OriginA);

        using var response = await server.Admin.PutAsJsonAsync(tenantA.TenantPath,
            new { allowedOrigins = new[] { OriginB, "https://crm-b.example.com/app" } });
        var read = await server.Admin.GetFromJsonAsync<JsonObject>(tenantA.TenantPath);

        var message = await IngestAssert.ValidationProblemAsync(response, "allowedOrigins");
        Assert.Contains("\"https://crm-b.example.com/app\"", message, StringComparison.Ordinal);
        Assert.Equal([OriginA], OriginsOf(read!));
    }

    private static Task<TestServer> StartWithGlobalOriginAsync() =>
        TestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["AgentHub:AllowedOrigins:0"] = GlobalOrigin,
        });

    /// <summary>Creates a tenant with one allowed origin, queue "Parts" and no agents.</summary>
    private static async Task<Scenario> CreateTenantAsync(TestServer server, string companyCode, string origin)
    {
        var scenario = await Scenario.CreateAsync(server, companyCode);
        await PutTenantAsync(server, scenario, new { allowedOrigins = new[] { origin } });
        return scenario;
    }

    private static async Task<JsonObject> PutTenantAsync(TestServer server, Scenario scenario, object body)
    {
        using var response = await server.Admin.PutAsJsonAsync(scenario.TenantPath, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"PUT {scenario.TenantPath} failed: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private static string[] OriginsOf(JsonObject tenant) =>
        [.. tenant["allowedOrigins"]!.AsArray().Select(origin => origin!.GetValue<string>())];

    private static async Task<HttpResponseMessage> SendPreflightAsync(TestServer server, string origin)
    {
        using var client = server.CreateClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/hubs/agent/negotiate?negotiateVersion=1");
        preflight.Headers.Add("Origin", origin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization");
        return await client.SendAsync(preflight);
    }

    private static async Task<HttpResponseMessage> NegotiateAsync(TestServer server, string? token, string? origin)
    {
        using var client = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hubs/agent/negotiate?negotiateVersion=1");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Builds an unstarted WebSocket connection that skips negotiation and sends the Origin header.</summary>
    private static HubConnection BuildConnection(TestServer server, string token, string origin) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "/hubs/agent"), options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
                options.AccessTokenProvider = () => Task.FromResult<string?>(token);
                options.Headers["Origin"] = origin;
            })
            .Build();

    private sealed record LogEntry(int EventId, LogLevel Level, string Message);

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<LogEntry> _entries = new();

        public IReadOnlyCollection<LogEntry> Entries => _entries;

        public ILogger CreateLogger(string categoryName) => new CapturingLogger(_entries);

        public void Dispose()
        {
        }

        private sealed class CapturingLogger(ConcurrentQueue<LogEntry> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(
                LogLevel logLevel, EventId eventId, TState state, Exception? exception,
                Func<TState, Exception?, string> formatter) =>
                entries.Enqueue(new LogEntry(eventId.Id, logLevel, formatter(state, exception)));
        }
    }
}

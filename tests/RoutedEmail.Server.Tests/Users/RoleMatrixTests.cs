using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Users;

/// <summary>Which caller may use which route family: allowed, 403 with a reason, or 401.</summary>
public sealed class RoleMatrixTests
{
    private const string Operator = "operator";
    private const string Admin = "admin";
    private const string Supervisor = "supervisor";
    private const string Agent = "agent";
    private const string OtherAdmin = "other-admin";
    private const string Anonymous = "anonymous";

    private static readonly string[] Callers = [Operator, Admin, Supervisor, Agent, OtherAdmin, Anonymous];

    private static readonly string[] AgentAndSupervisor = ["Agent", "Supervisor"];

    // Each route and the callers it allows. Every other caller with a token gets 403, or 401 on the agent API,
    // whose scheme accepts only agent sessions. A caller without a token gets 401.
    private static readonly (string Method, string Path, object? Body, string[] Allowed)[] Routes =
    [
        ("POST", "/api/v1/tenants", new { companyCode = "created", environment = "prod" }, [Operator]),
        ("GET", "/api/v1/tenants", null, [Operator]),
        ("GET", "{tenant}", null, [Operator, Admin]),
        ("POST", "{tenant}/api-key/rotate", null, [Operator, Admin]),
        ("PUT", "{tenant}/skill-queues/Other", new { }, [Operator, Admin]),
        ("GET", "{tenant}/skill-queues", null, [Operator, Admin, Supervisor]),
        ("GET", "{tenant}/skill-queues/Parts", null, [Operator, Admin, Supervisor]),
        ("GET", "{tenant}/routed-email-configurations", null, [Operator, Admin]),
        ("GET", "{tenant}/agents", null, [Operator, Admin, Supervisor]),
        ("GET", "{tenant}/stats", null, [Operator, Admin, Supervisor]),
        ("GET", "{tenant}/dashboard", null, [Operator, Admin, Supervisor]),
        ("GET", "{tenant}/reports/away-time", null, [Operator, Admin, Supervisor]),
        ("GET", "{tenant}/routed-emails/unknown", null, [Operator, Admin, Supervisor]),
        ("GET", "{tenant}/routed-emails/unknown/explanation", null, [Operator, Admin, Supervisor]),
        ("POST", "{tenant}/routed-emails/unknown/cancel", null, [Operator, Admin, Supervisor]),
        ("POST", "{tenant}/routed-emails/unknown/transfer", new { skillQueue = "Parts" },
            [Operator, Admin, Supervisor]),
        ("PUT", "{tenant}/agents/agent/status", new { status = "Offline" }, [Operator, Admin, Supervisor]),
        ("PUT", "{tenant}/agents/agent", new { skillQueues = new[] { new { name = "Parts", rank = 1 } } },
            [Operator, Admin]),
        ("GET", "{tenant}/users", null, [Operator, Admin]),
        ("PUT", "{tenant}/users/new-user", new { password = "password-new-user", roles = new[] { "Supervisor" } },
            [Operator, Admin]),
        ("POST", "{tenant}/work-code-groups/none/disable", null, [Operator, Admin]),
        ("GET", "/api/v1/agent/work", null, [Agent]),
    ];

    [Fact]
    public async Task Routes_EachCaller_AllowedOrRefused()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        var other = await Scenario.CreateAsync(server, "other-company");
        await scenario.PutAgentAsync("agent");
        await scenario.PutUserAsync("admin", "Administrator");
        await scenario.PutUserAsync("supervisor", "Supervisor");
        await other.PutUserAsync("other-admin", "Administrator");
        var clients = new Dictionary<string, HttpClient>
        {
            [Operator] = server.Admin,
            [Admin] = await scenario.SignInUserAsync("admin"),
            [Supervisor] = await scenario.SignInUserAsync("supervisor"),
            [Agent] = await scenario.SignInUserAsync("agent"),
            [OtherAdmin] = await other.SignInUserAsync("other-admin"),
            [Anonymous] = server.CreateClient(),
        };

        var mismatches = new List<string>();
        foreach (var (method, template, body, allowed) in Routes)
        {
            foreach (var caller in Callers)
            {
                var path = template.Replace("{tenant}", scenario.TenantPath, StringComparison.Ordinal);
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (body is not null)
                {
                    request.Content = JsonContent.Create(body);
                }

                using var response = await clients[caller].SendAsync(request);
                var status = response.StatusCode;
                var expected = Expect(caller, allowed, path);
                var matches = expected is null
                    ? status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                    : status == expected;
                if (!matches)
                {
                    var text = await response.Content.ReadAsStringAsync();
                    mismatches.Add($"{caller} {method} {path}: {(int)status}, expected " +
                        $"{(expected is null ? "allowed" : ((int)expected).ToString(CultureInfo.InvariantCulture))}. {text}");
                }
            }
        }

        Assert.Empty(mismatches);
    }

    [Fact]
    public async Task Forbidden_Response_NamesTheRule()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutUserAsync("supervisor", "Supervisor");
        using var supervisor = await scenario.SignInUserAsync("supervisor");

        using var response = await supervisor.GetAsync($"{scenario.TenantPath}/users");
        var problem = await response.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Administrator role", problem!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/dashboard", "needs the Supervisor or Administrator role",
        "agent tokens cannot call supervisor and administrator routes")]
    [InlineData("/users", "needs the Administrator role", "agent tokens cannot call administrator routes")]
    public async Task Forbidden_AgentToken_SaysAgentTokensCannotCall(string route, string rule, string reason)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var desktop = await scenario.SignInAsync("maria");
        using var user = await scenario.SignInUserAsync("maria");

        foreach (var agent in new[] { desktop, user })
        {
            using var response = await agent.GetAsync(scenario.TenantPath + route);
            var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
            var detail = problem["detail"]!.GetValue<string>();
            Assert.Contains(rule, detail, StringComparison.Ordinal);
            Assert.Contains(reason, detail, StringComparison.Ordinal);
            Assert.DoesNotContain("neither", detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TenantAdmin_PublishingSettings_Forbidden()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutUserAsync("admin", "Administrator");
        using var admin = await scenario.SignInUserAsync("admin");

        using var secret = await admin.PutAsJsonAsync(
            scenario.TenantPath, new { secretsManager = new { enabled = true, secretName = "other-tenant-key" } });
        using var region = await admin.PutAsJsonAsync(scenario.TenantPath, new { secretsRegion = "eu-west-2" });
        using var timeZone = await admin.PutAsJsonAsync(scenario.TenantPath, new { timeZone = "America/Chicago" });
        using var operatorSecret = await server.Admin.PutAsJsonAsync(
            scenario.TenantPath, new { secretsManager = new { secretName = "team/key" } });
        var problem = await secret.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>();

        Assert.Equal(HttpStatusCode.Forbidden, secret.StatusCode);
        Assert.Contains("operator", problem!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, region.StatusCode);
        Assert.Equal(HttpStatusCode.OK, timeZone.StatusCode);
        Assert.Equal(HttpStatusCode.OK, operatorSecret.StatusCode);
    }

    [Fact]
    public async Task SeveralRoles_Union_AllowsBoth()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("users/lead", new
        {
            password = TenantUsers.PasswordOf("lead"),
            roles = AgentAndSupervisor,
        });
        await scenario.PutAsync("agents/lead", new { skillQueues = new[] { new { name = "Parts", rank = 1 } } });
        using var lead = await scenario.SignInUserAsync("lead");

        using var work = await lead.GetAsync("/api/v1/agent/work");
        using var stats = await lead.GetAsync($"{scenario.TenantPath}/stats");
        using var users = await lead.GetAsync($"{scenario.TenantPath}/users");

        Assert.Equal(HttpStatusCode.OK, work.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, users.StatusCode);
    }

    /// <summary>Returns null when the caller is allowed, otherwise the status it must get.</summary>
    private static HttpStatusCode? Expect(string caller, string[] allowed, string path)
    {
        if (allowed.Contains(caller))
        {
            return null;
        }

        if (caller == Anonymous || path.StartsWith("/api/v1/agent/", StringComparison.Ordinal))
        {
            return HttpStatusCode.Unauthorized;
        }

        return HttpStatusCode.Forbidden;
    }
}

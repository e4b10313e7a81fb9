using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Security;

/// <summary>Session lifetimes, sign-out, password rules and the throttling of failed sign-ins.</summary>
public sealed class AuthenticationTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static readonly Dictionary<string, string> OneHourSessions = new()
    {
        ["Agents:SessionLifetime"] = "01:00:00",
        ["Agents:RestInactivityTimeout"] = "04:00:00",
        ["Users:SessionLifetime"] = "01:00:00",
    };

    [Fact]
    public async Task AgentToken_AfterLifetime_Returns401()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time, settings: OneHourSessions);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");

        time.Advance(TimeSpan.FromMinutes(59));
        using var before = await agent.GetAsync("/api/v1/agent/work");
        time.Advance(TimeSpan.FromMinutes(1));
        using var after = await agent.GetAsync("/api/v1/agent/work");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task UserToken_AfterLifetime_Returns401()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time, settings: OneHourSessions);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutUserAsync("sam", "Supervisor");
        using var supervisor = await scenario.SignInUserAsync("sam");

        time.Advance(TimeSpan.FromMinutes(59));
        using var before = await supervisor.GetAsync(scenario.TenantPath + "/dashboard");
        time.Advance(TimeSpan.FromMinutes(1));
        using var after = await supervisor.GetAsync(scenario.TenantPath + "/dashboard");
        using var hub = await supervisor.PostAsync(
            $"/hubs/supervisor/{scenario.CompanyCode}/{scenario.Environment}/negotiate?negotiateVersion=1", null);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, hub.StatusCode);
    }

    [Fact]
    public async Task UserToken_EndedSession_SaysSignInAgain()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time, settings: OneHourSessions);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutUserAsync("sam", "Supervisor");
        using var expired = await scenario.SignInUserAsync("sam");
        time.Advance(TimeSpan.FromHours(1));
        using var signedOut = await scenario.SignInUserAsync("sam");
        using var signOut = await signedOut.PostAsync("/api/v1/sign-out", null);
        Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);

        foreach (var user in new[] { expired, signedOut })
        {
            using var response = await user.GetAsync(scenario.TenantPath + "/dashboard");
            var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
            var detail = problem["detail"]!.GetValue<string>();
            Assert.StartsWith("The session token is not valid: it has expired or was signed out", detail,
                StringComparison.Ordinal);
            Assert.Contains("Sign in again with POST /api/v1/sign-in", detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AdminRoute_NoToken_DetailNamesBothCredentials()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        using var anonymous = server.CreateClient();

        using var response = await anonymous.GetAsync(scenario.TenantPath + "/dashboard");

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
        var detail = problem["detail"]!.GetValue<string>();
        Assert.StartsWith("Send the operator's admin token, or sign in with POST /api/v1/sign-in", detail,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task AgentToken_Expired_DetailSaysSignInAgain()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time, settings: OneHourSessions);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        time.Advance(TimeSpan.FromHours(1));

        using var response = await agent.GetAsync("/api/v1/agent/work");

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
        var detail = problem["detail"]!.GetValue<string>();
        Assert.StartsWith("The agent token is not valid: it has expired or was signed out", detail,
            StringComparison.Ordinal);
        Assert.Contains("Sign in again with POST /api/v1/agent/sign-in", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminToken_AdminRequests_LogNoAuthenticationFailure()
    {
        var capture = new LogCapture();
        await using var server = await TestServer.StartAsync(services: capture.AddTo);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Parts", new { serviceLevelSeconds = 60 });
        using var read = await server.Admin.GetAsync(scenario.TenantPath + "/skill-queues/Parts");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var adminLines = AuthenticationLines(capture);

        using var unknown = server.CreateClient();
        unknown.DefaultRequestHeaders.Authorization = new("Bearer", "unknown-token-0123456789abcdef0123456789");
        using var rejected = await unknown.GetAsync(scenario.TenantPath + "/skill-queues/Parts");

        Assert.Empty(adminLines);
        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
        Assert.Contains(AuthenticationLines(capture),
            line => line.Message.StartsWith("UserToken was not authenticated", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AgentSignOut_OldToken_Returns401OnApiAndHub()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        using var otherSession = await scenario.SignInAsync("maria");

        using var signOut = await agent.PostAsync("/api/v1/agent/sign-out", null);
        using var work = await agent.GetAsync("/api/v1/agent/work");
        using var hub = await agent.PostAsync("/hubs/agent/negotiate?negotiateVersion=1", null);
        using var other = await otherSession.GetAsync("/api/v1/agent/work");

        Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, work.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, hub.StatusCode);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task UserSignOut_OldToken_Returns401OnApiAndHub()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutUserAsync("sam", "Supervisor", "Agent");
        using var user = await scenario.SignInUserAsync("sam");

        using var signOut = await user.PostAsync("/api/v1/sign-out", null);
        using var dashboard = await user.GetAsync(scenario.TenantPath + "/dashboard");
        using var work = await user.GetAsync("/api/v1/agent/work");
        using var agentHub = await user.PostAsync("/hubs/agent/negotiate?negotiateVersion=1", null);
        using var supervisorHub = await user.PostAsync(
            $"/hubs/supervisor/{scenario.CompanyCode}/{scenario.Environment}/negotiate?negotiateVersion=1", null);

        Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, dashboard.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, work.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, agentHub.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, supervisorHub.StatusCode);
    }

    [Theory]
    [InlineData("users/sam", 7)]
    [InlineData("users/sam", 257)]
    [InlineData("agents/maria", 7)]
    [InlineData("agents/maria", 257)]
    public async Task Password_OutsideLengthRule_Returns400(string resource, int length)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        var password = new string('p', length);
        object body = resource.StartsWith("users/", StringComparison.Ordinal)
            ? new { password, roles = new[] { "Supervisor" } }
            : new { displayName = "Maria", password, maxConcurrentEmails = 1, skillQueues = Array.Empty<object>() };

        using var response = await server.Admin.PutAsJsonAsync($"{scenario.TenantPath}/{resource}", body);

        var message = await IngestAssert.ValidationProblemAsync(response, "password");
        Assert.Contains("8", message, StringComparison.Ordinal);
        Assert.Contains("256", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("users/sam", 8)]
    [InlineData("users/sam", 256)]
    [InlineData("agents/maria", 8)]
    public async Task Password_AtLengthLimits_Accepted(string resource, int length)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        var password = new string('p', length);
        object body = resource.StartsWith("users/", StringComparison.Ordinal)
            ? new { password, roles = new[] { "Supervisor" } }
            : new { displayName = "Maria", password, maxConcurrentEmails = 1, skillQueues = Array.Empty<object>() };

        using var response = await server.Admin.PutAsJsonAsync($"{scenario.TenantPath}/{resource}", body);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task SignIn_FailuresPastUserLimit_Returns429UntilWindowEnds()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutUserAsync("sam", "Supervisor");
        await scenario.PutUserAsync("kim", "Supervisor");
        using var client = server.CreateClient();

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            using var wrong = await scenario.PostSignInAsync(client, "sam", password: "wrong-password-1");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var blocked = await scenario.PostSignInAsync(client, "sam");
        using var otherUser = await scenario.PostSignInAsync(client, "kim");
        time.Advance(TimeSpan.FromMinutes(5));
        using var afterWindow = await scenario.PostSignInAsync(client, "sam");

        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.NotNull(blocked.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, otherUser.StatusCode);
        Assert.Equal(HttpStatusCode.OK, afterWindow.StatusCode);
    }

    [Fact]
    public async Task AgentSignIn_FailuresPastUserLimit_Returns429()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var client = server.CreateClient();
        var wrong = new
        {
            companyCode = scenario.CompanyCode, environment = scenario.Environment, agentId = "maria",
            password = "wrong-password-1",
        };

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            using var failed = await client.PostAsJsonAsync("/api/v1/agent/sign-in", wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var blocked = await client.PostAsJsonAsync("/api/v1/agent/sign-in", new
        {
            companyCode = scenario.CompanyCode, environment = scenario.Environment, agentId = "maria",
            password = "password-maria",
        });

        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.NotNull(blocked.Headers.RetryAfter);
    }

    /// <summary>The lines of the authentication handlers at Information or above.</summary>
    private static List<CapturedLog> AuthenticationLines(LogCapture capture) =>
        [.. capture.Lines.Where(line => line.Level >= Microsoft.Extensions.Logging.LogLevel.Information
            && line.Category.EndsWith("AuthenticationHandler", StringComparison.Ordinal))];
}

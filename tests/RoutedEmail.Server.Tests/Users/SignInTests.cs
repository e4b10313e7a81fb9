using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Users;

public sealed class SignInTests
{
    private static readonly string[] Administrator = ["Administrator"];
    private static readonly string[] Supervisor = ["Supervisor"];

    [Fact]
    public async Task SignIn_ValidPassword_ReturnsTokenAndRoles()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutUserAsync("ana", "Supervisor", "Administrator");
        using var client = server.CreateClient();

        using var response = await scenario.PostSignInAsync(client, "ana");
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(43, body!["token"]!.GetValue<string>().Length);
        Assert.Equal("ana", body["userId"]!.GetValue<string>());
        Assert.Equal(["Supervisor", "Administrator"], body["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.NotNull(body["expiresAt"]);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task SignIn_WrongPassword_Unauthorized()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutUserAsync("ana", "Administrator");
        using var client = server.CreateClient();

        using var response = await scenario.PostSignInAsync(client, "ana", "not-the-password");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Cookie_SignIn_SetsHttpOnlyStrictCookie()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutUserAsync("ana", "Administrator");
        using var client = server.CreateClient();

        using var response = await scenario.PostSignInAsync(client, "ana", query: "?cookie=true");
        var cookie = response.Headers.GetValues("Set-Cookie").Single();

        Assert.StartsWith("routed_email_session=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("expires", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Cookie_AdminAndAgentRoutes_Accepted()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        await scenario.PutUserAsync("ana", "Administrator");
        using var admin = await scenario.SignInWithCookieAsync("ana");
        using var agent = await scenario.SignInWithCookieAsync("maria");

        using var users = await admin.GetAsync($"{scenario.TenantPath}/users");
        using var work = await agent.GetAsync("/api/v1/agent/work");

        Assert.Equal(HttpStatusCode.OK, users.StatusCode);
        Assert.Equal(HttpStatusCode.OK, work.StatusCode);
    }

    [Fact]
    public async Task Cookie_UnsafeWithoutHeader_Forbidden()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        await scenario.PutUserAsync("ana", "Administrator");
        using var admin = await scenario.SignInWithCookieAsync("ana");
        using var agent = await scenario.SignInWithCookieAsync("maria");

        // A cross-site form can send the cookie and a form body, but no custom header.
        using var formPost = await admin.PostAsync($"{scenario.TenantPath}/skill-queues/Parts/disable",
            new FormUrlEncodedContent([]));
        using var agentPut = await agent.PutAsJsonAsync("/api/v1/agent/status", new { status = "Available" });
        var problem = await formPost.Content.ReadFromJsonAsync<JsonObject>();
        var queue = await server.Admin.GetFromJsonAsync<JsonObject>($"{scenario.TenantPath}/skill-queues/Parts");

        Assert.Equal(HttpStatusCode.Forbidden, formPost.StatusCode);
        Assert.Contains("X-Requested-With", problem!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, agentPut.StatusCode);
        Assert.True(queue!["enabled"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Cookie_UnsafeWithHeader_Accepted()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutUserAsync("ana", "Administrator");
        using var admin = await scenario.SignInWithCookieAsync("ana");
        admin.DefaultRequestHeaders.Add("X-Requested-With", "XMLHttpRequest");

        using var response = await admin.PostAsync($"{scenario.TenantPath}/skill-queues/Parts/disable", null);
        var queue = await server.Admin.GetFromJsonAsync<JsonObject>($"{scenario.TenantPath}/skill-queues/Parts");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.False(queue!["enabled"]!.GetValue<bool>());
    }

    [Fact]
    public async Task SignOut_Cookie_EndsSession()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutUserAsync("ana", "Administrator");
        using var admin = await scenario.SignInWithCookieAsync("ana");
        admin.DefaultRequestHeaders.Add("X-Requested-With", "XMLHttpRequest");

        using var signOut = await admin.PostAsync("/api/v1/sign-out", null);
        using var afterwards = await admin.GetAsync($"{scenario.TenantPath}/users");

        Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterwards.StatusCode);
    }

    [Fact]
    public async Task Session_PastLifetime_Unauthorized()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        await using var server = await TestServer.StartAsync(time: time,
            settings: new Dictionary<string, string> { ["Users:SessionLifetime"] = "01:00:00" });
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutUserAsync("ana", "Administrator");
        using var admin = await scenario.SignInUserAsync("ana");

        time.Advance(TimeSpan.FromMinutes(59));
        using var before = await admin.GetAsync($"{scenario.TenantPath}/users");
        time.Advance(TimeSpan.FromMinutes(1));
        using var after = await admin.GetAsync($"{scenario.TenantPath}/users");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task Failures_PastUserLimit_TooManyRequests()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutUserAsync("ana", "Administrator");
        await scenario.PutUserAsync("ben", "Supervisor");
        using var client = server.CreateClient();

        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var failed = await scenario.PostSignInAsync(client, "ana", "wrong-password");
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var blocked = await scenario.PostSignInAsync(client, "ana");
        using var otherUser = await scenario.PostSignInAsync(client, "ben");
        time.Advance(TimeSpan.FromMinutes(5));
        using var afterWindow = await scenario.PostSignInAsync(client, "ana");

        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.Equal("300", blocked.Headers.GetValues("Retry-After").Single());
        Assert.Equal(HttpStatusCode.OK, otherUser.StatusCode);
        Assert.Equal(HttpStatusCode.OK, afterWindow.StatusCode);
    }

    [Fact]
    public async Task UserToken_AgentRole_UsesAgentApi()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInUserAsync("maria");

        using var status = await agent.PutAsJsonAsync("/api/v1/agent/status", new { status = "Available" });
        var stored = await server.Admin.GetFromJsonAsync<JsonObject>($"{scenario.TenantPath}/agents/maria");

        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.Equal("Available", stored!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task PutUser_ShortPassword_NamesTheRule()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await server.Admin.PutAsJsonAsync($"{scenario.TenantPath}/users/ana",
            new { password = "short", roles = Administrator });
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("password is 5 characters long; it must have 8 to 256.",
            problem!["errors"]!["password"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task PutUser_AgentRole_CreatesEmptyAgent()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        await scenario.PutUserAsync("maria", "Agent");
        var agent = await server.Admin.GetFromJsonAsync<JsonObject>($"{scenario.TenantPath}/agents/maria");
        using var legacy = await scenario.SignInAsync("maria");
        using var work = await legacy.GetAsync("/api/v1/agent/work");

        Assert.Empty(agent!["skillQueues"]!.AsArray());
        Assert.Equal("Offline", agent["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, work.StatusCode);
    }

    [Fact]
    public async Task PutUser_AgentRoleRemoved_DeletesAgent()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");

        var user = await scenario.PutAsync("users/maria", new { roles = Supervisor });
        using var agent = await server.Admin.GetAsync($"{scenario.TenantPath}/agents/maria");
        using var supervisor = await scenario.SignInUserAsync("maria");
        using var stats = await supervisor.GetAsync($"{scenario.TenantPath}/stats");

        Assert.Equal("Supervisor", Assert.Single(user["roles"]!.AsArray())!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, agent.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
    }

    [Fact]
    public async Task PutUser_NoDisplayName_KeepsStoredName()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("users/ana", new { displayName = "Ana Silva", password = "password-ana", roles = Supervisor });

        var replaced = await scenario.PutAsync("users/ana", new { roles = Supervisor });
        var created = await scenario.PutAsync("users/bo", new { password = "password-bo", roles = Supervisor });

        Assert.Equal("Ana Silva", replaced["displayName"]!.GetValue<string>());
        Assert.Equal("bo", created["displayName"]!.GetValue<string>());
    }

    [Fact]
    public async Task PutAgent_Legacy_CreatesAgentUser()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        await scenario.PutAgentAsync("maria");
        var user = await server.Admin.GetFromJsonAsync<JsonObject>($"{scenario.TenantPath}/users/maria");

        Assert.Equal("Agent", Assert.Single(user!["roles"]!.AsArray())!.GetValue<string>());
        Assert.True(user["enabled"]!.GetValue<bool>());
    }
}

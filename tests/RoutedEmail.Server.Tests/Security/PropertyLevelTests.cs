using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Security;

/// <summary>
/// No mass assignment: a property that the caller may not set is ignored, as System.Text.Json ignores every
/// unknown property, so the request succeeds and changes nothing else. And no response carries a hash or a secret
/// besides the one-time API key and the sign-in token.
/// </summary>
public sealed partial class PropertyLevelTests
{
    /// <summary>Properties an agent or supervisor may not set, added to each body they send.</summary>
    private static readonly JsonObject Extras = new()
    {
        ["maxConcurrentEmails"] = 50,
        ["maxConcurrentTasks"] = 50,
        ["skillQueues"] = new JsonArray(new JsonObject { ["name"] = "A-Queue", ["rank"] = 1 }),
        ["roles"] = new JsonArray("Administrator"),
        ["tenantId"] = 2,
        ["companyCode"] = "xyz-widgets",
        ["agentId"] = "a-victim",
        ["userId"] = "a-admin",
        ["passwordHash"] = "AQAAAAIAAYagAAAAE",
        ["password"] = "password-taken-over",
        ["wrapSeconds"] = 0,
        ["priority"] = 99,
        ["state"] = "Completed",
        ["enabled"] = false,
    };

    [Fact]
    public async Task AgentBodies_ExtraProperties_ChangeNothingElse()
    {
        await using var world = await SecurityWorld.StartAsync();
        var before = await SecurityWorld.GetJsonAsync(world.Server.Admin, world.TenantA.TenantPath + "/agents/a-agent");
        var usersBefore = await SecurityWorld.GetJsonAsync(world.Server.Admin, world.TenantA.TenantPath + "/users");

        var status = await PostWithExtrasAsync(
            world.AgentA, "PUT", "/api/v1/agent/status", new() { ["status"] = "Away", ["reason"] = "a-away" });
        var otherWork = await PostWithExtrasAsync(
            world.AgentA, "PUT", "/api/v1/agent/other-work", new() { ["count"] = 0 });
        var userStatus = await PostWithExtrasAsync(
            world.AgentUserA, "PUT", "/api/v1/agent/status", new() { ["status"] = "Offline" });

        Assert.Equal(200, status);
        Assert.Equal(200, otherWork);
        Assert.Equal(200, userStatus);
        var after = await SecurityWorld.GetJsonAsync(world.Server.Admin, world.TenantA.TenantPath + "/agents/a-agent");
        AssertSameExceptStatus(before, after);
        var usersAfter = await SecurityWorld.GetJsonAsync(world.Server.Admin, world.TenantA.TenantPath + "/users");
        Assert.Equal(usersBefore.ToJsonString(), usersAfter.ToJsonString());
        using var oldPassword = await world.TenantA.PostSignInAsync(world.Anonymous, "a-agent");
        Assert.Equal(HttpStatusCode.OK, oldPassword.StatusCode);
    }

    [Fact]
    public async Task SupervisorBodies_ExtraProperties_ChangeNothingElse()
    {
        await using var world = await SecurityWorld.StartAsync();
        var path = world.TenantA.TenantPath;
        var before = await SecurityWorld.GetJsonAsync(world.Server.Admin, path + "/agents/a-victim");
        var emailBefore = await world.TenantA.FindEmailAsync(SecurityWorld.ForeignEntityId);

        var status = await PostWithExtrasAsync(
            world.SupervisorA, "PUT", path + "/agents/a-victim/status",
            new() { ["status"] = "Away", ["reason"] = "a-away" });
        var cancel = await PostWithExtrasAsync(
            world.SupervisorA, "POST", path + $"/routed-emails/{SecurityWorld.ForeignEntityId}/cancel", []);

        Assert.Equal(200, status);
        Assert.Equal(200, cancel);
        var after = await SecurityWorld.GetJsonAsync(world.Server.Admin, path + "/agents/a-victim");
        AssertSameExceptStatus(before, after);
        var email = await world.TenantA.FindEmailAsync(SecurityWorld.ForeignEntityId);
        Assert.Equal("Canceled", email!["state"]!.GetValue<string>());
        Assert.Equal(emailBefore!["priority"]!.GetValue<int>(), email["priority"]!.GetValue<int>());
        Assert.Equal(emailBefore["skillQueue"]!.GetValue<string>(), email["skillQueue"]!.GetValue<string>());
    }

    [Fact]
    public async Task SignIn_ExtraRolesOrExpiry_Ignored()
    {
        await using var world = await SecurityWorld.StartAsync();
        var body = new JsonObject
        {
            ["companyCode"] = world.TenantA.CompanyCode,
            ["environment"] = world.TenantA.Environment,
            ["userId"] = "a-supervisor",
            ["password"] = TenantUsers.PasswordOf("a-supervisor"),
            ["roles"] = new JsonArray("Administrator"),
            ["expiresAt"] = "2099-01-01T00:00:00Z",
        };

        using var response = await world.Anonymous.PostAsJsonAsync("/api/v1/sign-in", body);
        var signedIn = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var token = signedIn["token"]!.GetValue<string>();
        SuiteLog.RegisterSecret(token, "user token");
        using var asSupervisor = world.WithBearer(token);
        using var users = await asSupervisor.GetAsync(world.TenantA.TenantPath + "/users");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Supervisor", Assert.Single(signedIn["roles"]!.AsArray())!.GetValue<string>());
        Assert.True(signedIn["expiresAt"]!.GetValue<DateTimeOffset>() < DateTimeOffset.UtcNow.AddDays(2));
        Assert.Equal(HttpStatusCode.Forbidden, users.StatusCode);
    }

    [Fact]
    public async Task AdministratorBodies_ServerOwnedProperties_Ignored()
    {
        await using var world = await SecurityWorld.StartAsync();
        var path = world.TenantA.TenantPath;

        var agent = await PostWithExtrasAsync(world.AdministratorA, "PUT", path + "/agents/a-victim", new()
        {
            ["displayName"] = "Victim", ["maxConcurrentEmails"] = 1,
            ["skillQueues"] = new JsonArray(new JsonObject { ["name"] = "Parts", ["rank"] = 1 }),
            ["status"] = "Available", ["otherWorkCount"] = 7,
        }, extras: false);
        var user = await PostWithExtrasAsync(world.AdministratorA, "PUT", path + "/users/a-user", new()
        {
            ["roles"] = new JsonArray("Supervisor"), ["passwordHash"] = "AQAAAAIAAYagAAAAE", ["tenantId"] = 2,
            ["enabled"] = false,
        }, extras: false);
        var tenant = await PostWithExtrasAsync(world.AdministratorA, "PUT", path, new()
        {
            ["secretsRegion"] = "eu-west-1",
        }, extras: false);

        Assert.Equal(200, agent);
        Assert.Equal(200, user);
        Assert.Equal(403, tenant);
        var stored = await SecurityWorld.GetJsonAsync(world.Server.Admin, path + "/agents/a-victim");
        Assert.Equal("Offline", stored["status"]!.GetValue<string>());
        Assert.Equal(0, stored["otherWorkCount"]!.GetValue<int>());
        var storedUser = await SecurityWorld.GetJsonAsync(world.Server.Admin, path + "/users/a-user");
        Assert.True(storedUser["enabled"]!.GetValue<bool>());
        using var signIn = await world.TenantA.PostSignInAsync(world.Anonymous, "a-user");
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var storedTenant = await SecurityWorld.GetJsonAsync(world.Server.Admin, path);
        Assert.Equal(Scenario.SecretsRegion, storedTenant["secretsRegion"]!.GetValue<string>());
    }

    [Fact]
    public async Task Walkthrough_JsonResponses_NoHashOrSecretField()
    {
        await using var world = await SecurityWorld.StartAsync();
        var responses = new List<(string Request, string Body)>();
        var agent = await world.SignInThrowawayAgentAsync("walker");
        await world.TenantA.IngestAcceptedAsync(world.TenantA.Item("walk-1"));
        await agent.SetStatusAsync("Available");
        var offer = await agent.WaitForOfferOfAsync("walk-1");
        await agent.AcceptAsync(offer);

        foreach (var route in EndpointInventory.ListRoutes(world.Server.Services))
        {
            var access = RouteAccessTable.Routes[route.ToString()];
            var caller = access switch
            {
                RouteAccess.Operator => world.Server.Admin,
                RouteAccess.TenantAdministrator => world.AdministratorA,
                RouteAccess.TenantSupervisor => world.SupervisorA,
                RouteAccess.Agent => agent,
                RouteAccess.Integrator => world.Anonymous,
                _ => null,
            };
            if (route.Method != "GET" || caller is null)
            {
                continue;
            }

            var path = RouteRequests.PathOf(route, world.TenantA, emailId: AgentApi.EmailIdOf(offer));
            Action<HttpRequestMessage>? change = access is RouteAccess.Integrator
                ? world.TenantA.AddIntegratorHeaders
                : null;
            var (_, body) = await SecurityWorld.SendAsync(caller, "GET", path, change: change);
            responses.Add(("GET " + path, body));
        }

        var failures = new List<string>();
        foreach (var (request, body) in responses)
        {
            if (!body.StartsWith('{') && !body.StartsWith('['))
            {
                continue;
            }

            // The event feed returns NDJSON: one document per line.
            var documents = body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line));
            foreach (var name in documents.SelectMany(PropertyNames))
            {
                if (SecretLikeName().IsMatch(name) && !AllowedNames.Contains(name))
                {
                    failures.Add($"{request}: property \"{name}\"");
                }
            }

            foreach (var secret in new[] { world.TenantA.ApiKey, world.TenantB.ApiKey, TestServer.AdminToken,
                         TenantUsers.PasswordOf("a-admin"), "password-walker" })
            {
                if (body.Contains(secret, StringComparison.Ordinal))
                {
                    failures.Add($"{request}: contains a key, token or password");
                }
            }
        }

        Assert.True(responses.Count > 25, $"Only {responses.Count} responses were read.");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>
    /// Names that look secret but are not: <c>secretsManager</c>, <c>secretName</c> and <c>secretsRegion</c> name
    /// where the key is published, never the key.
    /// </summary>
    private static readonly HashSet<string> AllowedNames =
        new(StringComparer.Ordinal) { "secretsManager", "secretName", "secretsRegion" };

    private static IEnumerable<string> PropertyNames(JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(pair => PropertyNames(pair.Value).Prepend(pair.Key)),
        JsonArray array => array.SelectMany(PropertyNames),
        _ => [],
    };

    private static void AssertSameExceptStatus(JsonNode before, JsonNode after)
    {
        foreach (var name in new[] { "maxConcurrentEmails", "maxConcurrentTasks", "skillQueues", "wrapSeconds",
                     "displayName" })
        {
            Assert.Equal(before[name]?.ToJsonString(), after[name]?.ToJsonString());
        }
    }

    private static async Task<int> PostWithExtrasAsync(
        HttpClient client, string method, string path, JsonObject body, bool extras = true)
    {
        if (extras)
        {
            foreach (var (name, value) in Extras)
            {
                if (!body.ContainsKey(name))
                {
                    body[name] = value?.DeepClone();
                }
            }
        }

        var (status, response) = await SecurityWorld.SendAsync(client, method, path, body.ToJsonString());
        Assert.True(status is 200 or 201 or 403, $"{method} {path}: {status} {response}");
        return status;
    }

    [GeneratedRegex("hash|secret|password|token|apikey|credential", RegexOptions.IgnoreCase)]
    private static partial Regex SecretLikeName();
}

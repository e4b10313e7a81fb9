using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Security;

/// <summary>
/// Object- and function-level authorization, driven by the routes the running service maps: every route gets
/// every kind of unauthorized caller, and <see cref="RouteAccessTable"/> says which callers are allowed.
/// </summary>
public sealed class AuthorizationMatrixTests
{
    [Fact]
    public async Task RouteTable_EnumeratedRoutes_MatchBothWays()
    {
        await using var server = await TestServer.StartAsync();

        var enumerated = EndpointInventory.ListRoutes(server.Services).Select(route => route.ToString()).ToHashSet();

        var unlisted = enumerated.Where(route => !RouteAccessTable.Routes.ContainsKey(route)).Order().ToList();
        var missing = RouteAccessTable.Routes.Keys.Where(route => !enumerated.Contains(route)).Order().ToList();
        Assert.True(unlisted.Count == 0,
            "Routes without an expected access; add them to RouteAccessTable: " + string.Join(", ", unlisted));
        Assert.True(missing.Count == 0,
            "RouteAccessTable lists routes the service does not map: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task EveryRoute_NoCredentials_Returns401()
    {
        await using var world = await SecurityWorld.StartAsync();
        var failures = new List<string>();

        foreach (var (route, access) in Routes(world))
        {
            // The integrator routes check the X-sc headers in order, so without any the platform header is the
            // first one missing (400); tenant A's headers without the key get 401.
            int[]? expected = access switch
            {
                RouteAccess.Public or RouteAccess.WebUi => null,
                RouteAccess.IngestOtherMethod => [405],
                RouteAccess.Integrator => [400],
                _ => [401],
            };
            if (expected is not null)
            {
                await ExpectAsync(failures, world.Anonymous, route, world.TenantA, expected);
            }

            if (access is RouteAccess.Integrator)
            {
                await ExpectAsync(failures, world.Anonymous, route, world.TenantA, [401], request =>
                {
                    world.TenantA.AddIntegratorHeaders(request);
                    request.Headers.Remove("X-sc-company-api-key");
                });
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task TenantRoutes_OtherTenantsUsers_Return403()
    {
        await using var world = await SecurityWorld.StartAsync();
        var failures = new List<string>();

        foreach (var (route, access) in Routes(world))
        {
            if (access is RouteAccess.TenantAdministrator or RouteAccess.TenantSupervisor or RouteAccess.SupervisorHub)
            {
                await ExpectAsync(failures, world.AdministratorB, route, world.TenantA, [403]);
                await ExpectAsync(failures, world.SupervisorB, route, world.TenantA, [403]);
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task TenantRoutes_OtherTenantsIds_Return404()
    {
        await using var world = await SecurityWorld.StartAsync();
        var failures = new List<string>();

        foreach (var (route, _) in Routes(world))
        {
            if (RouteRequests.NamesExistingObject(route))
            {
                // Tenant B's administrator on its own path, naming objects that only tenant A has.
                await ExpectAsync(failures, world.AdministratorB, route, world.TenantB, [404]);
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        var email = await world.TenantA.FindEmailAsync(SecurityWorld.ForeignEntityId);
        Assert.Equal("Queued", email!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task AdminRoutes_SupervisorAndAgents_AreRefused()
    {
        await using var world = await SecurityWorld.StartAsync();
        var failures = new List<string>();

        foreach (var (route, access) in Routes(world))
        {
            if (access is RouteAccess.Operator or RouteAccess.TenantAdministrator)
            {
                await ExpectAsync(failures, world.SupervisorA, route, world.TenantA, [403]);
            }

            if (access is RouteAccess.Operator)
            {
                await ExpectAsync(failures, world.AdministratorA, route, world.TenantA, [403]);
            }

            if (access is RouteAccess.Operator or RouteAccess.TenantAdministrator or RouteAccess.TenantSupervisor
                or RouteAccess.SupervisorHub)
            {
                await ExpectAsync(failures, world.AgentUserA, route, world.TenantA, [403]);

                // The agent sign-in's token is a session of the same user, so it may be read as that user.
                await ExpectAsync(failures, world.AgentA, route, world.TenantA, [401, 403]);
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task AgentRoutes_NonAgentCallers_Return401()
    {
        await using var world = await SecurityWorld.StartAsync();
        var failures = new List<string>();

        foreach (var (route, access) in Routes(world))
        {
            if (access is RouteAccess.Agent or RouteAccess.AgentHub)
            {
                await ExpectAsync(failures, world.SupervisorA, route, world.TenantA, [401]);
                await ExpectAsync(failures, world.AdministratorA, route, world.TenantA, [401]);
                await ExpectAsync(failures, world.Server.Admin, route, world.TenantA, [401]);
            }

            if (access is RouteAccess.SignedInUser)
            {
                await ExpectAsync(failures, world.Server.Admin, route, world.TenantA, [401]);
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task IntegratorRoutes_OtherTenantsKeyOrHeaders_AreRefused()
    {
        await using var world = await SecurityWorld.StartAsync();
        var failures = new List<string>();

        foreach (var (route, access) in Routes(world))
        {
            if (access is not RouteAccess.Integrator)
            {
                continue;
            }

            // Tenant A's headers with tenant B's key, then tenant B's own headers for tenant A's entity id.
            await ExpectAsync(failures, world.Anonymous, route, world.TenantA, [401], request =>
            {
                world.TenantA.AddIntegratorHeaders(request);
                request.Headers.Remove("X-sc-company-api-key");
                request.Headers.Add("X-sc-company-api-key", world.TenantB.ApiKey);
            });
            if (!route.Pattern.StartsWith("/symbee-", StringComparison.Ordinal))
            {
                await ExpectAsync(failures, world.Anonymous, route, world.TenantA, [404],
                    world.TenantB.AddIntegratorHeaders);
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        var email = await world.TenantA.FindEmailAsync(SecurityWorld.ForeignEntityId);
        Assert.Equal("Queued", email!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task AgentRoutes_OtherAgentsOfferAndEmail_Return404()
    {
        await using var world = await SecurityWorld.StartAsync();
        var other = await world.SignInThrowawayAgentAsync("agent-y", maxConcurrentEmails: 2);
        var caller = await world.SignInThrowawayAgentAsync("agent-x");
        await world.TenantA.IngestAcceptedAsync(world.TenantA.Item("y-1"), world.TenantA.Item("y-2"));
        await other.SetStatusAsync("Available");
        var offers = await other.WaitForOffersAsync(2);
        await other.AcceptAsync(offers[0]);
        await caller.SetStatusAsync("Available");
        var before = await other.GetWorkAsync();
        var failures = new List<string>();

        foreach (var (route, _) in Routes(world))
        {
            var namesOffer = route.Pattern.Contains("{offerId", StringComparison.Ordinal);
            if (namesOffer || route.Pattern.Contains("{emailId", StringComparison.Ordinal))
            {
                var offerId = AgentApi.OfferIdOf(offers[1]);
                var emailId = AgentApi.EmailIdOf(offers[0]);
                var path = RouteRequests.PathOf(route, world.TenantA, offerId, emailId);
                var (status, body) = await SecurityWorld.SendAsync(
                    caller, route.Method, path, RouteRequests.BodyOf(route));
                if (status != 404)
                {
                    failures.Add($"{route.Method} {path} as agent-x: expected 404, got {status} {body}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        var after = await other.GetWorkAsync();
        Assert.Equal(AgentApi.Offers(before).Length, AgentApi.Offers(after).Length);
        Assert.Equal("Active", AgentApi.Emails(after).Single()["state"]!.GetValue<string>());
        Assert.Empty(AgentApi.Offers(await caller.GetWorkAsync()));
    }

    [Fact]
    public async Task EveryRoute_AllowedCaller_IsNotRefused()
    {
        await using var world = await SecurityWorld.StartAsync();
        var failures = new List<string>();
        var agentCaller = await world.SignInThrowawayAgentAsync("positive-agent");

        // Reads first, so that they find the objects that the deletes further down remove.
        var ordered = Routes(world).OrderBy(pair => Array.IndexOf(MethodOrder, pair.Route.Method));
        foreach (var (route, access) in ordered)
        {
            Action<HttpRequestMessage>? change = access is RouteAccess.Integrator
                ? world.TenantA.AddIntegratorHeaders
                : null;
            var caller = access switch
            {
                RouteAccess.Operator => world.Server.Admin,
                RouteAccess.TenantAdministrator => world.AdministratorA,
                RouteAccess.TenantSupervisor or RouteAccess.SupervisorHub => world.SupervisorA,
                RouteAccess.SignedInUser => await world.SignInThrowawayUserAsync("positive-user"),
                RouteAccess.Agent or RouteAccess.AgentHub
                    when route.Pattern.EndsWith("/sign-out", StringComparison.Ordinal) =>
                    await world.SignInThrowawayAgentAsync("positive-sign-out"),
                RouteAccess.Agent or RouteAccess.AgentHub => agentCaller,
                _ => world.Anonymous,
            };
            var path = RouteRequests.PathOf(route, world.TenantA);
            var (status, body) = await SecurityWorld.SendAsync(
                caller, RouteRequests.MethodOf(route), path, RouteRequests.BodyOf(route), change);
            var readsObject = route.Method == "GET" && RouteRequests.NamesExistingObject(route);
            var refused = access is RouteAccess.Public ? status == 403 : status is 401 or 403;
            if (refused || status >= 500 || (readsObject && status != 200))
            {
                failures.Add($"{route.Method} {path} as {access}: got {status} {body}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static readonly string[] MethodOrder = ["GET", "HEAD", "*", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"];

    /// <summary>The enumerated routes with their expected access, in a stable order.</summary>
    private static IEnumerable<(EndpointRoute Route, RouteAccess Access)> Routes(SecurityWorld world) =>
        EndpointInventory.ListRoutes(world.Server.Services)
            .Select(route => (route, RouteAccessTable.Routes[route.ToString()]));

    private static async Task ExpectAsync(
        List<string> failures, HttpClient caller, EndpointRoute route, Scenario pathTenant, int[] expected,
        Action<HttpRequestMessage>? change = null)
    {
        var path = RouteRequests.PathOf(route, pathTenant);
        var method = RouteRequests.MethodOf(route);
        var (status, body) = await SecurityWorld.SendAsync(caller, method, path, RouteRequests.BodyOf(route), change);
        if (!expected.Contains(status))
        {
            var who = caller.DefaultRequestHeaders.Authorization is null ? "no bearer token" : "a bearer token";
            failures.Add($"{method} {path} with {who}: expected {string.Join(" or ", expected)}, got {status} {body}");
        }
    }
}

using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using RoutedEmail.Server.Tests.Infrastructure;
using RoutedEmail.Server.Tests.Security;

namespace RoutedEmail.Server.Tests.Events;

/// <summary>
/// Every route that changes something and that an administrator may call appends an event to the tenant's log
/// naming the resource and the actor, and the log never contains a key, secret or password. The routes come from
/// the running service, so a new admin route fails here until it has a case below, and so an event.
/// </summary>
public sealed class AdminChangeEventTests
{
    private const string Tenant = "/api/v1/tenants/{company}/{environment}";
    private const string AdminUser = "ev-admin";
    private const string Actor = "user:" + AdminUser;
    private const string EntityId = "ev-entity";
    private const string DeadHook = "ev-dead";

    private static readonly string[] MutatingMethods = ["POST", "PUT", "DELETE", "PATCH"];
    private static readonly string[] NamingFields = ["name", "entityId", "agentId"];
    private static readonly string[] ReceivedOnly = ["Received"];
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task AdminRoutes_EachChange_AppendsEventWithActor()
    {
        await using var world = await World.StartAsync();
        var cases = Cases(world);
        var routes = EndpointInventory.ListRoutes(world.Server.Services)
            .Where(route => MutatingMethods.Contains(route.Method))
            .Where(route => RouteAccessTable.Routes.GetValueOrDefault(route.ToString()) is
                RouteAccess.Operator or RouteAccess.TenantAdministrator or RouteAccess.TenantSupervisor)
            .Select(route => route.ToString())
            .ToHashSet();
        var uncovered = routes.Where(route => cases.All(@case => @case.Route != route)).Order().ToList();
        var unknown = cases.Select(@case => @case.Route).Where(route => !routes.Contains(route)).ToList();
        Assert.True(uncovered.Count == 0,
            "Admin routes without a case; add one and make the route append an event: " + string.Join(", ", uncovered));
        Assert.True(unknown.Count == 0, "Cases for routes the service does not map: " + string.Join(", ", unknown));

        var failures = new List<string>();
        var secrets = new List<string>();
        foreach (var @case in cases)
        {
            await RunCaseAsync(world, @case, failures, secrets);
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        foreach (var tenantPath in new[] { world.Tenant.TenantPath, "/api/v1/tenants/ev-new-co/prod" })
        {
            var feed = await ReadFeedAsync(world.Server.Admin, tenantPath, after: 0);
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, feed.Text, StringComparison.Ordinal);
            }
        }
    }

    private static async Task RunCaseAsync(World world, AdminCase @case, List<string> failures, List<string> secrets)
    {
        if (@case.PrepareAsync is not null)
        {
            await @case.PrepareAsync();
        }

        // A tenant that the call creates has no log yet, so all of its log is new.
        var feedPath = @case.CreatedTenantPath ?? world.Tenant.TenantPath;
        var before = @case.CreatedTenantPath is null
            ? (await ReadFeedAsync(world.Server.Admin, feedPath, after: 0)).Last
            : 0;
        var (method, _) = Split(@case.Route);
        var path = @case.Path.Replace(
            "{deliveryId}", world.DeliveryId.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (@case.Body is not null)
        {
            request.Content = new StringContent(@case.Body, Encoding.UTF8, "application/json");
            CollectSecrets(JsonNode.Parse(@case.Body), secrets);
        }

        var client = @case.AsOperator ? world.Server.Admin : world.Administrator;
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            failures.Add($"{@case.Route}: {(int)response.StatusCode} {text}");
            return;
        }

        if (text.Length > 0 && text[0] == '{')
        {
            CollectSecrets(JsonNode.Parse(text), secrets);
        }

        var actor = @case.AsOperator ? "operator" : Actor;
        var added = await ReadFeedAsync(world.Server.Admin, feedPath, before);
        var named = added.Events.Any(document => Names(document, @case.Resource) && By(document) == actor);
        if (!named)
        {
            failures.Add($"{@case.Route}: no new event names {@case.Resource} and by {actor}; new: {added.Text}");
        }
    }

    /// <summary>
    /// The cases in the order they run, because some use what an earlier one created and the later ones delete it.
    /// </summary>
    private static List<AdminCase> Cases(World world)
    {
        var t = world.Tenant.TenantPath;
        var tenantName = world.Tenant.CompanyCode + "/" + world.Tenant.Environment;
        return
        [
            new("POST /api/v1/tenants", "/api/v1/tenants", """{"companyCode":"ev-new-co","environment":"prod"}""",
                "ev-new-co/prod", AsOperator: true, CreatedTenantPath: "/api/v1/tenants/ev-new-co/prod"),
            new("PUT " + Tenant, t, """{"timeZone":"Europe/Berlin"}""", tenantName),
            new("POST " + Tenant + "/api-key/rotate", t + "/api-key/rotate", null, tenantName),
            new("PUT " + Tenant + "/retention", t + "/retention", """{"eventRetentionDays":400}""", tenantName),

            new("PUT " + Tenant + "/work-code-groups/{group}", t + "/work-code-groups/EvGroup",
                """{"codes":["Resolved"]}""", "EvGroup"),
            new("POST " + Tenant + "/work-code-groups/{name}/disable", t + "/work-code-groups/EvGroup/disable",
                null, "EvGroup"),
            new("POST " + Tenant + "/work-code-groups/{name}/enable", t + "/work-code-groups/EvGroup/enable",
                null, "EvGroup"),
            new("DELETE " + Tenant + "/work-code-groups/{name}", t + "/work-code-groups/EvGroup", null, "EvGroup"),

            new("PUT " + Tenant + "/away-reasons/{code}", t + "/away-reasons/ev-break", """{"description":"Break"}""",
                "ev-break"),
            new("POST " + Tenant + "/away-reasons/{name}/disable", t + "/away-reasons/ev-break/disable", null,
                "ev-break"),
            new("POST " + Tenant + "/away-reasons/{name}/enable", t + "/away-reasons/ev-break/enable", null,
                "ev-break"),
            new("DELETE " + Tenant + "/away-reasons/{name}", t + "/away-reasons/ev-break", null, "ev-break"),

            new("PUT " + Tenant + "/skill-queues/{queue}", t + "/skill-queues/EvQueue", "{}", "EvQueue"),
            new("PUT " + Tenant + "/routed-email-configurations/{ownerId}", t + "/routed-email-configurations/EvOwner",
                """{"skillQueue":"EvQueue"}""", "EvOwner"),
            new("POST " + Tenant + "/routed-email-configurations/{name}/disable",
                t + "/routed-email-configurations/EvOwner/disable", null, "EvOwner"),
            new("POST " + Tenant + "/routed-email-configurations/{name}/enable",
                t + "/routed-email-configurations/EvOwner/enable", null, "EvOwner"),
            new("DELETE " + Tenant + "/routed-email-configurations/{name}", t + "/routed-email-configurations/EvOwner",
                null, "EvOwner"),
            new("POST " + Tenant + "/skill-queues/{name}/disable", t + "/skill-queues/EvQueue/disable", null,
                "EvQueue"),
            new("POST " + Tenant + "/skill-queues/{name}/enable", t + "/skill-queues/EvQueue/enable", null,
                "EvQueue"),
            new("DELETE " + Tenant + "/skill-queues/{name}", t + "/skill-queues/EvQueue", null, "EvQueue"),

            new("PUT " + Tenant + "/agents/{agentId}", t + "/agents/ev-agent2",
                """{"displayName":"Ev","password":"password-ev-agent2","maxConcurrentEmails":1,"skillQueues":[]}""",
                "ev-agent2"),
            new("POST " + Tenant + "/agents/{agentId}/disable", t + "/agents/ev-agent2/disable", null, "ev-agent2"),
            new("POST " + Tenant + "/agents/{agentId}/enable", t + "/agents/ev-agent2/enable", null, "ev-agent2"),
            new("DELETE " + Tenant + "/agents/{agentId}", t + "/agents/ev-agent2", null, "ev-agent2"),

            new("PUT " + Tenant + "/users/{userId}", t + "/users/ev-user2",
                """{"roles":["Supervisor"],"password":"password-ev-user2"}""", "ev-user2"),
            new("POST " + Tenant + "/users/{userId}/disable", t + "/users/ev-user2/disable", null, "ev-user2"),
            new("POST " + Tenant + "/users/{userId}/enable", t + "/users/ev-user2/enable", null, "ev-user2"),
            new("DELETE " + Tenant + "/users/{userId}", t + "/users/ev-user2", null, "ev-user2"),

            new("POST " + Tenant + "/routed-emails/{entityId}/transfer", t + $"/routed-emails/{EntityId}/transfer",
                """{"skillQueue":"Parts"}""", EntityId, PrepareAsync: world.MakeEmailActiveAsync),
            new("POST " + Tenant + "/routed-emails/{entityId}/cancel", t + $"/routed-emails/{EntityId}/cancel", null,
                EntityId),
            new("PUT " + Tenant + "/agents/{agentId}/status", t + "/agents/ev-agent/status", """{"status":"Offline"}""",
                "ev-agent"),
            new("POST " + Tenant + "/routed-emails/{entityId}/erase", t + $"/routed-emails/{EntityId}/erase", null,
                EntityId),

            new("PUT " + Tenant + "/webhooks/{name}", t + "/webhooks/ev-hook",
                """{"url":"http://127.0.0.1:9/hook","eventTypes":["Received"]}""", "ev-hook"),
            new("POST " + Tenant + "/webhooks/{name}/rotate-secret", t + "/webhooks/ev-hook/rotate-secret", null,
                "ev-hook"),
            new("DELETE " + Tenant + "/webhooks/{name}", t + "/webhooks/ev-hook", null, "ev-hook"),
            new("POST " + Tenant + "/webhooks/{name}/deliveries/{deliveryId}/replay",
                t + $"/webhooks/{DeadHook}/deliveries/{{deliveryId}}/replay", null, DeadHook,
                PrepareAsync: world.WaitForDeadLetterAsync),
            new("POST " + Tenant + "/webhooks/{name}/deliveries/replay-dead-letters",
                t + $"/webhooks/{DeadHook}/deliveries/replay-dead-letters", null, DeadHook,
                PrepareAsync: world.WaitForDeadLetterAsync),
        ];
    }

    private static bool Names(JsonNode document, string resource)
    {
        var data = document["data"]!;
        return NamingFields.Any(field => data[field] is JsonValue value
            && value.GetValueKind() == System.Text.Json.JsonValueKind.String && value.GetValue<string>() == resource);
    }

    private static string? By(JsonNode document) =>
        document["data"]!["by"] is JsonValue value ? value.GetValue<string>() : null;

    /// <summary>Adds the values of fields that contain a secret, key or password, wherever they are in the JSON.</summary>
    private static void CollectSecrets(JsonNode? node, List<string> secrets)
    {
        if (node is not JsonObject document)
        {
            return;
        }

        foreach (var (name, value) in document)
        {
            if (name is "apiKey" or "secret" or "password" && value is JsonValue text)
            {
                secrets.Add(text.GetValue<string>());
                SuiteLog.RegisterSecret(text.GetValue<string>(), name);
            }

            CollectSecrets(value, secrets);
        }
    }

    private static async Task<Feed> ReadFeedAsync(HttpClient client, string tenantPath, long after)
    {
        using var response = await client.GetAsync($"{tenantPath}/events?after={after}&limit=10000");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET events of {tenantPath}: {(int)response.StatusCode} {text}");
        var events = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!)
            .ToList();
        var last = events.Count == 0 ? after : events[^1]["sequence"]!.GetValue<long>();
        return new Feed(events, text, last);
    }

    private static (string Method, string Pattern) Split(string route)
    {
        var space = route.IndexOf(' ', StringComparison.Ordinal);
        return (route[..space], route[(space + 1)..]);
    }

    private sealed record Feed(List<JsonNode> Events, string Text, long Last);

    /// <summary>One route's call: the path to send, its body, and the name the new event must contain.</summary>
    private sealed record AdminCase(
        string Route, string Path, string? Body, string Resource, bool AsOperator = false,
        string? CreatedTenantPath = null, Func<Task>? PrepareAsync = null);

    /// <summary>
    /// A server whose webhooks give up after one attempt, a tenant with an administrator, an agent and an email,
    /// and a webhook to a closed loopback port whose deliveries become dead letters.
    /// </summary>
    private sealed class World : IAsyncDisposable
    {
        private readonly List<HttpClient> _clients = [];
        private long _deliveryId;

        private World(TestServer server, Scenario tenant)
        {
            Server = server;
            Tenant = tenant;
        }

        public TestServer Server { get; }

        public Scenario Tenant { get; }

        public HttpClient Administrator { get; private set; } = null!;

        public static async Task<World> StartAsync()
        {
            var server = await TestServer.StartAsync(settings: new Dictionary<string, string>
            {
                ["Webhooks:AllowLoopbackTargets"] = "true",
                ["Webhooks:MaxAttempts"] = "1",
            });
            var world = new World(server, await Scenario.CreateAsync(server));
            await world.Tenant.PutUserAsync(AdminUser, "Administrator");
            await world.Tenant.PutAgentAsync("ev-agent");
            await world.Tenant.PutAsync($"webhooks/{DeadHook}",
                new { url = "http://127.0.0.1:9/hook", eventTypes = ReceivedOnly });
            await world.Tenant.IngestAcceptedAsync(world.Tenant.Item(EntityId));
            world.Administrator = world.Keep(await world.Tenant.SignInUserAsync(AdminUser));
            return world;
        }

        /// <summary>Signs the agent in, makes it Available and accepts the offer of the email.</summary>
        public async Task MakeEmailActiveAsync()
        {
            var agent = Keep(await Tenant.SignInAsync("ev-agent"));
            await agent.SetStatusAsync("Available");
            var offer = await agent.WaitForOfferOfAsync(EntityId);
            await agent.AcceptAsync(offer);
        }

        /// <summary>
        /// Waits until the dead-letter webhook has a dead letter, and remembers its id for the replay route's path.
        /// </summary>
        public async Task WaitForDeadLetterAsync()
        {
            var deadline = DateTimeOffset.UtcNow + WaitLimit;
            var path = $"{Tenant.TenantPath}/webhooks/{DeadHook}/deliveries?state=DeadLetter";
            while (true)
            {
                var records = (await Server.Admin.GetFromJsonAsync<JsonArray>(path))!;
                if (records.Count > 0)
                {
                    _deliveryId = records[0]!["id"]!.GetValue<long>();
                    return;
                }

                Assert.True(DateTimeOffset.UtcNow < deadline, $"No dead letter of {DeadHook} within {WaitLimit}.");
                await Task.Delay(50);
            }
        }

        public long DeliveryId => _deliveryId;

        public async ValueTask DisposeAsync()
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }

            await Server.DisposeAsync();
        }

        private HttpClient Keep(HttpClient client)
        {
            _clients.Add(client);
            return client;
        }
    }
}

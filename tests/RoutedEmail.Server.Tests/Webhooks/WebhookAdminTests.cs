using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RoutedEmail.Server.Tests.Infrastructure;
using RoutedEmail.Server.Webhooks;

namespace RoutedEmail.Server.Tests.Webhooks;

/// <summary>The webhook admin API: PUT, GET, DELETE, secrets, validation and target checks.</summary>
public sealed class WebhookAdminTests
{
    private static readonly string[] AllTypes = ["*"];
    private static readonly string[] ReceivedAndCompleted = ["Received", "Completed"];

    private static readonly string[] RejectedTargets =
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://169.254.0.1/",
        "http://[::ffff:169.254.169.254]/",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://[fe80::1]/",
        "http://10.0.0.1/hooks",
        "http://172.16.5.4/hooks",
        "http://192.168.1.1/hooks",
        "http://100.64.0.1/hooks",
        "http://[fd00::1]/hooks",
        "http://[::ffff:10.0.0.1]/hooks",
        "http://0.0.0.0/hooks",
        "http://[::]/hooks",
        "http://224.0.0.1/hooks",
        "http://255.255.255.255/hooks",
    ];

    [Fact]
    public async Task Put_NewWebhook_ReturnsGeneratedSecretOnce()
    {
        await using var setup = await WebhookSetup.StartAsync();
        var path = $"{setup.Tenant.TenantPath}/webhooks/crm";

        using var created = await setup.Server.Admin.PutAsJsonAsync(path,
            new { url = setup.Receiver.Url, eventTypes = ReceivedAndCompleted });
        var createdBody = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var read = (await setup.Server.Admin.GetFromJsonAsync<JsonObject>(path))!;
        var list = (await setup.Server.Admin.GetFromJsonAsync<JsonArray>($"{setup.Tenant.TenantPath}/webhooks"))!;
        var replaced = await setup.Tenant.PutAsync(
            "webhooks/crm", new { url = setup.Receiver.Url, eventTypes = AllTypes });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var secret = createdBody["secret"]!.GetValue<string>();
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);
        Assert.True(createdBody["enabled"]!.GetValue<bool>());
        Assert.Null(read["secret"]);
        Assert.Equal(setup.Receiver.Url, read["url"]!.GetValue<string>());
        Assert.Equal(["Received", "Completed"], read["eventTypes"]!.AsArray().Select(type => type!.GetValue<string>()));
        Assert.Null(Assert.Single(list)!["secret"]);
        Assert.Null(replaced["secret"]);
        Assert.Equal("*", replaced["eventTypes"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Put_SuppliedSecret_IsUsed()
    {
        await using var setup = await WebhookSetup.StartAsync();
        var supplied = "whsec_" + Convert.ToBase64String(Enumerable.Range(1, 24).Select(i => (byte)i).ToArray());

        var created = await setup.Tenant.PutAsync("webhooks/crm",
            new { url = setup.Receiver.Url, eventTypes = AllTypes, secret = supplied });

        Assert.Equal(supplied, created["secret"]!.GetValue<string>());
    }

    [Fact]
    public async Task RotateSecret_Webhook_ReturnsNewSecret()
    {
        await using var setup = await WebhookSetup.StartAsync();
        var first = await setup.PutWebhookAsync();

        using var rotated = await setup.Server.Admin.PostAsync(
            $"{setup.Tenant.TenantPath}/webhooks/crm/rotate-secret", null);
        var body = (await rotated.Content.ReadFromJsonAsync<JsonObject>())!;

        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var second = body["secret"]!.GetValue<string>();
        Assert.StartsWith("whsec_", second, StringComparison.Ordinal);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Put_InvalidFields_ReturnsProblemNamingEachField()
    {
        await using var setup = await WebhookSetup.StartAsync();
        var shortSecret = "whsec_" + Convert.ToBase64String(new byte[16]);
        var cases = new (object Body, string Field)[]
        {
            (new { eventTypes = AllTypes }, "url"),
            (new { url = "ftp://127.0.0.1/hooks", eventTypes = AllTypes }, "url"),
            (new { url = "/hooks", eventTypes = AllTypes }, "url"),
            (new { url = "http://user:pass@127.0.0.1/hooks", eventTypes = AllTypes }, "url"),
            (new { url = setup.Receiver.Url }, "eventTypes"),
            (new { url = setup.Receiver.Url, eventTypes = Array.Empty<string>() }, "eventTypes"),
            (new { url = setup.Receiver.Url, eventTypes = new[] { "Recieved" } }, "eventTypes"),
            (new { url = setup.Receiver.Url, eventTypes = new[] { "*", "Received" } }, "eventTypes"),
            (new { url = setup.Receiver.Url, eventTypes = new[] { "Received", "Received" } }, "eventTypes"),
            (new { url = setup.Receiver.Url, eventTypes = AllTypes, secret = "plain-text-secret-value" }, "secret"),
            (new { url = setup.Receiver.Url, eventTypes = AllTypes, secret = shortSecret }, "secret"),
        };

        foreach (var (body, field) in cases)
        {
            using var response = await setup.Server.Admin.PutAsJsonAsync(
                $"{setup.Tenant.TenantPath}/webhooks/crm", body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{field}: {text}");
            var errors = JsonNode.Parse(text)!["errors"]!.AsObject();
            Assert.True(errors.ContainsKey(field), $"The problem does not name {field}: {text}");
            Assert.DoesNotContain("plain-text-secret-value", text, StringComparison.Ordinal);
            Assert.DoesNotContain("pass@", text, StringComparison.Ordinal);
        }

        using var missing = await setup.Server.Admin.GetAsync($"{setup.Tenant.TenantPath}/webhooks/crm");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Put_RejectedTarget_Returns400()
    {
        await using var setup = await WebhookSetup.StartAsync();

        foreach (var url in RejectedTargets)
        {
            using var response = await setup.Server.Admin.PutAsJsonAsync(
                $"{setup.Tenant.TenantPath}/webhooks/crm", new { url, eventTypes = AllTypes });
            var text = await response.Content.ReadAsStringAsync();

            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url}: {text}");
            Assert.True(JsonNode.Parse(text)!["errors"]!.AsObject().ContainsKey("url"), $"{url}: {text}");
        }

        var list = await setup.Server.Admin.GetFromJsonAsync<JsonArray>($"{setup.Tenant.TenantPath}/webhooks");
        Assert.Empty(list!);
    }

    [Fact]
    public async Task Put_HostResolvingToPrivateAddress_Returns400()
    {
        var resolver = new FakeHostResolver(new() { ["hooks.example.test"] = [IPAddress.Parse("10.1.2.3")] });
        await using var setup = await WebhookSetup.StartAsync(services: services =>
            services.Replace(ServiceDescriptor.Singleton<IWebhookHostResolver>(resolver)));

        using var response = await setup.Server.Admin.PutAsJsonAsync($"{setup.Tenant.TenantPath}/webhooks/crm",
            new { url = "https://hooks.example.test/in", eventTypes = AllTypes });
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("10.1.2.3 is in a private network", text, StringComparison.Ordinal);
        Assert.Equal(["hooks.example.test"], resolver.Resolved);
    }

    [Fact]
    public async Task Delete_Webhook_GoneAfterwards()
    {
        await using var setup = await WebhookSetup.StartAsync();
        await setup.PutWebhookAsync();
        var path = $"{setup.Tenant.TenantPath}/webhooks/crm";

        using var deleted = await setup.Server.Admin.DeleteAsync(path);
        using var read = await setup.Server.Admin.GetAsync(path);
        using var again = await setup.Server.Admin.DeleteAsync(path);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task OtherTenant_ReadReplayDelete_Returns404()
    {
        await using var setup = await WebhookSetup.StartAsync();
        await setup.PutWebhookAsync("crm", "Received");
        setup.Receiver.Respond = (_, _) => (500, null);
        await setup.Tenant.IngestAcceptedAsync(setup.Tenant.Item("e-1"));
        await setup.AdvanceUntilAsync(() => setup.Receiver.Requests.Count >= 1, "a failed attempt");
        var deliveryId = (await setup.GetDeliveriesAsync())[0]!["id"]!.GetValue<long>();
        var other = await Scenario.CreateAsync(setup.Server, "xyz-widgets");

        // The other tenant has a webhook of the same name, so only the tenant boundary can return 404.
        await other.PutAsync("webhooks/crm", new { url = setup.Receiver.Url, eventTypes = AllTypes });
        var admin = setup.Server.Admin;
        var otherPath = $"{other.TenantPath}/webhooks";
        using var list = await admin.GetAsync($"{otherPath}/crm/deliveries");
        using var replay = await admin.PostAsync($"{otherPath}/crm/deliveries/{deliveryId}/replay", null);
        using var unknown = await admin.GetAsync($"{otherPath}/unknown");
        using var replayAll = await admin.PostAsync($"{otherPath}/unknown/deliveries/replay-dead-letters", null);

        // The other tenant's webhook may list the delivery of its own ResourceCreated event, but never this one.
        var otherRecords = (await list.Content.ReadFromJsonAsync<JsonArray>())!;
        Assert.DoesNotContain(otherRecords, record => record!["id"]!.GetValue<long>() == deliveryId);
        Assert.DoesNotContain(otherRecords, record => record!["eventType"]!.GetValue<string>() == "Received");
        Assert.Equal(HttpStatusCode.NotFound, replay.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, replayAll.StatusCode);
        Assert.Single(await setup.GetDeliveriesAsync());
    }

    [Fact]
    public async Task ListDeliveries_InvalidState_Returns400()
    {
        await using var setup = await WebhookSetup.StartAsync();
        await setup.PutWebhookAsync();

        using var response = await setup.Server.Admin.GetAsync(
            $"{setup.Tenant.TenantPath}/webhooks/crm/deliveries?state=Dead");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(JsonNode.Parse(text)!["errors"]!.AsObject().ContainsKey("state"), text);
    }

    [Theory]
    [InlineData("state=Pending&state=Delivered", "state", "state is given 2 times")]
    [InlineData("state=", "state", "state \"\" is invalid")]
    [InlineData("before=x", "before", "before \"x\" is not a whole number 1 or more")]
    [InlineData("before=-5", "before", "before \"-5\" is not a whole number 1 or more")]
    [InlineData("limit=abc", "limit", "limit \"abc\" is not a whole number from 1 to 500")]
    [InlineData("limit=501", "limit", "limit \"501\" is not a whole number from 1 to 500")]
    [InlineData("limit=10&limit=20", "limit", "limit is given 2 times")]
    [InlineData("status=DeadLetter", "status", "accepted parameters are state, before and limit")]
    public async Task ListDeliveries_InvalidQuery_MessageNamesParameter(string query, string field, string expected)
    {
        await using var setup = await WebhookSetup.StartAsync();
        await setup.PutWebhookAsync();

        using var response = await setup.Server.Admin.GetAsync(
            $"{setup.Tenant.TenantPath}/webhooks/crm/deliveries?{query}");

        var message = await IngestAssert.ValidationProblemAsync(response, field);
        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.DoesNotContain("body", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListDeliveries_ValidQuery_ReturnsPage()
    {
        await using var setup = await WebhookSetup.StartAsync();
        await setup.PutWebhookAsync("crm", "Received");
        setup.Receiver.Respond = (_, _) => (500, null);
        await setup.Tenant.IngestAcceptedAsync(setup.Tenant.Item("e-1"));
        await setup.Tenant.IngestAcceptedAsync(setup.Tenant.Item("e-2"));
        await setup.AdvanceUntilAsync(() => setup.Receiver.Requests.Count >= 2, "an attempt of each delivery");
        var newest = (await setup.GetDeliveriesAsync())[0]!["id"]!.GetValue<long>();

        var page = await setup.Server.Admin.GetFromJsonAsync<JsonArray>(
            $"{setup.Tenant.TenantPath}/webhooks/crm/deliveries?state=Pending&before={newest}&limit=1");

        var delivery = Assert.Single(page!);
        Assert.True(delivery!["id"]!.GetValue<long>() < newest);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("99999999999999999999")]
    [InlineData("424242")]
    public async Task ReplayDelivery_UnknownOrNonNumericId_Returns404Problem(string deliveryId)
    {
        await using var setup = await WebhookSetup.StartAsync();
        await setup.PutWebhookAsync();

        using var response = await setup.Server.Admin.PostAsync(
            $"{setup.Tenant.TenantPath}/webhooks/crm/deliveries/{deliveryId}/replay", null);

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Contains($"delivery {deliveryId}", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}

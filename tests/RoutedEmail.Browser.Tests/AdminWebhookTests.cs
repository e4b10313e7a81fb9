using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using RoutedEmail.Browser.Tests.Infrastructure;
using RoutedEmail.Server.Tests.Webhooks;
using StandardWebhooks;
using static Microsoft.Playwright.Assertions;

namespace RoutedEmail.Browser.Tests;

/// <summary>
/// The webhooks admin page: create, edit, rotate and delete a webhook with its secret shown once, the recent
/// deliveries, a refused URL, and the replay of a dead letter.
/// </summary>
[Collection(ChromiumCollection.Name)]
public sealed class AdminWebhookTests(ChromiumFixture chromium)
{
    private const string UrlLabel = "URL (absolute http or https)";

    private static readonly string[] ReceivedOnly = ["Received"];

    [Fact]
    public async Task WebhooksPage_CreateRotateDelete_ShowsSecretOnce()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = new Dictionary<string, string> { ["Webhooks:AllowLoopbackTargets"] = "true" };
        await using var server = await DesktopServer.StartAsync(settings: settings);
        var tenant = await DesktopTenant.CreateAsync(server);
        await AdminSession.CreateAdministratorAsync(server);
        await using var admin = await chromium.OpenDesktopAsync(server.BaseAddress);
        var page = admin.Page;
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        await AdminSession.SignInAsync(admin, server.BaseAddress);
        await AdminSession.OpenSectionAsync(page, "Webhooks", "Webhooks");

        // 192.0.2.0/24 is a documentation range that the target rules never allow, so nothing connects to it.
        await page.GetByRole(AriaRole.Button, new() { Name = "New webhook" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("crm");
        await page.GetByLabel(UrlLabel).FillAsync("http://192.0.2.10/hooks");
        await page.GetByLabel("Received", new() { Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save webhook" }).ClickAsync();

        await Expect(page.GetByTestId("error-url")).ToContainTextAsync("192.0.2.10");
        await Expect(page.GetByLabel(UrlLabel)).ToHaveAttributeAsync("aria-invalid", "true");
        await AccessibilityTests.AssertAccessibleAsync(page, "webhook form with a refused URL", 1280);

        await page.GetByLabel(UrlLabel).FillAsync(receiver.Url);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save webhook" }).ClickAsync();
        var secret = await ReadShownSecretAsync(page);

        await tenant.IngestAsync("hook-1", "Webhook test");
        await WaitUntilAsync(() => Task.FromResult(receiver.Requests.Count(request => request.Succeeded) == 1),
            "the first delivery");
        var first = receiver.Requests.Single(request => request.Succeeded);
        new StandardWebhook(secret).Verify(first.Body, first.Headers);
        var delivered = $"{DesktopTenant.TenantPath}/webhooks/crm/deliveries?state=Delivered";
        await WaitUntilAsync(async () =>
            (await server.Admin.GetFromJsonAsync<JsonArray>(delivered))!.Count == 1, "the stored outcome");
        await page.GetByRole(AriaRole.Button, new() { Name = "Deliveries of crm" }).ClickAsync();
        var delivery = page.GetByTestId("delivery-row");
        await Expect(delivery).ToHaveAttributeAsync("data-state", "Delivered");
        await Expect(delivery).ToContainTextAsync("Received");

        await page.GetByRole(AriaRole.Button, new() { Name = "Edit crm" }).ClickAsync();
        await page.GetByLabel("Canceled", new() { Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save webhook" }).ClickAsync();
        await Expect(page.GetByTestId("admin-done")).ToHaveTextAsync("Webhook crm saved.");
        await Expect(page.GetByTestId("webhook-row")).ToContainTextAsync("Canceled, Received");
        await Expect(page.GetByTestId("webhook-secret")).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Button, new() { Name = "Rotate secret of crm" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, rotate the secret of crm" }).ClickAsync();
        var rotated = await ReadShownSecretAsync(page);
        Assert.NotEqual(secret, rotated);
        await tenant.IngestAsync("hook-2", "Webhook test");
        await WaitUntilAsync(() => Task.FromResult(receiver.Requests.Count(request => request.Succeeded) == 2),
            "the delivery after the rotation");
        var second = receiver.Requests.Where(request => request.Succeeded).Last();
        new StandardWebhook(rotated).Verify(second.Body, second.Headers);

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete crm" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, delete crm" }).ClickAsync();
        await Expect(page.GetByTestId("admin-done")).ToHaveTextAsync("Webhook crm deleted.");
        await Expect(page.GetByTestId("webhook-row")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("webhook-deliveries")).ToHaveCountAsync(0);
        var left = await server.Admin.GetFromJsonAsync<JsonArray>($"{DesktopTenant.TenantPath}/webhooks");
        Assert.Empty(left!);
    }

    [Fact]
    public async Task WebhooksPage_DeadLetter_ReplayDelivers()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = (_, _) => (500, null);

        // One attempt per delivery, so the first failure is a dead letter without waiting for retries.
        var settings = new Dictionary<string, string>
        {
            ["Webhooks:AllowLoopbackTargets"] = "true",
            ["Webhooks:MaxAttempts"] = "1",
        };
        await using var server = await DesktopServer.StartAsync(settings: settings);
        var tenant = await DesktopTenant.CreateAsync(server);
        await AdminSession.CreateAdministratorAsync(server);
        await tenant.PutAsync("webhooks/crm", new { url = receiver.Url, eventTypes = ReceivedOnly });
        await tenant.IngestAsync("hook-1", "Webhook test");
        var deadLetters = $"{DesktopTenant.TenantPath}/webhooks/crm/deliveries?state=DeadLetter";
        await WaitUntilAsync(async () =>
            (await server.Admin.GetFromJsonAsync<JsonArray>(deadLetters))!.Count == 1, "a dead letter");
        await using var admin = await chromium.OpenDesktopAsync(server.BaseAddress);
        var page = admin.Page;

        await AdminSession.SignInAsync(admin, server.BaseAddress);
        await AdminSession.OpenSectionAsync(page, "Webhooks", "Webhooks");
        await Expect(page.GetByTestId("dead-letter-row")).ToHaveCountAsync(1);
        await AccessibilityTests.AssertAccessibleAsync(page, "webhooks page with a dead letter", 1280);
        receiver.Respond = (_, _) => (200, null);
        var eventId = receiver.Requests[0].Id;
        await page.GetByRole(AriaRole.Button, new() { Name = $"Replay event {eventId}" }).ClickAsync();

        await Expect(page.GetByTestId("admin-done")).ToContainTextAsync("will be sent again");
        await Expect(page.GetByTestId("dead-letter-row")).ToHaveCountAsync(0);
        await WaitUntilAsync(() => Task.FromResult(receiver.Requests.Any(request => request.Succeeded)),
            "the replay is delivered");
        Assert.Equal(eventId, receiver.Requests.Single(request => request.Succeeded).Id);
    }

    /// <summary>
    /// Reads the secret from the panel that shows it once, copies it, closes the panel and checks that the page no
    /// longer contains it.
    /// </summary>
    private static async Task<string> ReadShownSecretAsync(IPage page)
    {
        var panel = page.GetByTestId("webhook-secret");
        await Expect(panel).ToBeVisibleAsync();
        await Expect(panel.GetByTestId("shown-once")).ToContainTextAsync("will not be shown again");
        await Expect(page.Locator("#webhook-secret-heading")).ToBeFocusedAsync();
        var secret = await panel.GetByLabel("Signing secret", new() { Exact = true }).InputValueAsync();
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        await AccessibilityTests.AssertAccessibleAsync(page, "webhook secret panel", 1280);

        await panel.GetByRole(AriaRole.Button, new() { Name = "Copy the secret" }).ClickAsync();
        await Expect(panel.GetByTestId("copy-status")).ToHaveTextAsync("Copied to the clipboard.");
        Assert.Equal(secret, await page.EvaluateAsync<string>("navigator.clipboard.readText()"));
        await panel.GetByRole(AriaRole.Button, new() { Name = "I stored the secret, close" }).ClickAsync();

        await Expect(panel).ToHaveCountAsync(0);
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        return secret;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string expected)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"Timed out waiting for {expected}.");
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }
}

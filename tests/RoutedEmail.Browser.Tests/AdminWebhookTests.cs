using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using RoutedEmail.Browser.Tests.Infrastructure;
using RoutedEmail.Server.Tests.Webhooks;
using static Microsoft.Playwright.Assertions;

namespace RoutedEmail.Browser.Tests;

/// <summary>The webhooks admin page lists a dead letter and replays it.</summary>
[Collection(ChromiumCollection.Name)]
public sealed class AdminWebhookTests(ChromiumFixture chromium)
{
    private static readonly string[] ReceivedOnly = ["Received"];

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

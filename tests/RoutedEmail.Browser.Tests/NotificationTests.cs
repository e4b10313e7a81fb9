using Microsoft.Playwright;
using RoutedEmail.Browser.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace RoutedEmail.Browser.Tests;

/// <summary>The browser notification of a new offer, shown only while the tab is hidden.</summary>
[Collection(ChromiumCollection.Name)]
public sealed class NotificationTests(ChromiumFixture chromium)
{
    // Headless Chromium shows no notifications and has no hidden tabs, so the page gets a Notification class that
    // records what it is given, and a document.hidden that the test sets.
    private const string FakeNotifications =
        """
        window.__shownNotifications = [];
        window.__tabHidden = false;
        Object.defineProperty(document, "hidden", { get: () => window.__tabHidden });
        window.Notification = class {
            static permission = "default";
            static async requestPermission() {
                window.Notification.permission = "granted";
                return "granted";
            }
            constructor(title, options) {
                window.__shownNotifications.push({ title, body: options.body, tag: options.tag });
            }
            close() {}
        };
        """;

    [Fact]
    public async Task Offer_HiddenTab_NotifiesOnlyWhileHidden()
    {
        await using var server = await DesktopServer.StartAsync();
        var tenant = await DesktopTenant.CreateAsync(server);
        await using var desktop = await chromium.OpenDesktopAsync(server.BaseAddress);
        var page = desktop.Page;
        await page.AddInitScriptAsync(FakeNotifications);
        await desktop.OpenAsync();
        await desktop.SignInAsync();
        var enable = page.GetByRole(AriaRole.Button, new() { Name = "Notify me of offers when this tab is hidden" });

        await enable.ClickAsync();
        await Expect(enable).ToBeHiddenAsync();
        await desktop.ChooseStatusAsync("Available");
        await page.EvaluateAsync("() => { window.__tabHidden = true; }");
        await tenant.IngestAsync("e-hidden", "Printer on fire");
        await Expect(desktop.Offers).ToHaveCountAsync(1);
        await page.WaitForFunctionAsync("() => window.__shownNotifications.length === 1");

        await page.EvaluateAsync("() => { window.__tabHidden = false; }");
        await tenant.IngestAsync("e-visible", "Seen in the tab");
        await Expect(desktop.Offers.Filter(new() { HasText = "Seen in the tab" })).ToHaveCountAsync(1);

        var notifications = await page.EvaluateAsync<string[]>(
            "() => window.__shownNotifications.map(n => `${n.title}|${n.body}|${n.tag}`)");
        var only = Assert.Single(notifications);
        Assert.StartsWith("New email offer: Printer on fire|", only, StringComparison.Ordinal);
        Assert.EndsWith("|routed-email-offer", only, StringComparison.Ordinal);
    }
}

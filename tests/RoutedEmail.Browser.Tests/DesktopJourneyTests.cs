using System.Diagnostics;
using Microsoft.Playwright;
using RoutedEmail.Browser.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace RoutedEmail.Browser.Tests;

[Collection(ChromiumCollection.Name)]
public sealed class DesktopJourneyTests(ChromiumFixture chromium)
{
    [Fact]
    public async Task Agent_SignsInAcceptsAndCompletes_EmailCompleted()
    {
        await using var server = await DesktopServer.StartAsync();
        var tenant = await DesktopTenant.CreateAsync(server);
        await using var desktop = await chromium.OpenDesktopAsync(server.BaseAddress);
        var page = desktop.Page;

        await desktop.OpenAsync();
        Assert.EndsWith("/agent/sign-in", page.Url, StringComparison.Ordinal);
        await desktop.SaveScreenshotAsync("desktop-sign-in.png");
        await desktop.SignInAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Maria Lopez" })).ToBeVisibleAsync();
        await desktop.ChooseStatusAsync("Available");
        await Expect(page.GetByTestId("load")).ToContainTextAsync("Load: 0 of 2 emails");

        var clock = Stopwatch.StartNew();
        await tenant.IngestAsync("e-journey-1", "Replacement part for Model X45T");
        var accepted = clock.Elapsed;
        await Expect(desktop.Offers).ToHaveCountAsync(1);
        var offerLatency = clock.Elapsed - accepted;
        var offer = desktop.Offers.First;
        await Expect(offer).ToContainTextAsync("jtaylor@example.com");
        await Expect(offer).ToContainTextAsync("parts@example.com");
        await Expect(offer).ToContainTextAsync("Parts");
        await Expect(offer).ToContainTextAsync("7762123-01");
        await Expect(offer.GetByTestId("offer-countdown")).ToContainTextAsync("Expires in: 9:");
        Assert.True(offerLatency < TimeSpan.FromSeconds(1),
            $"The offer appeared {offerLatency.TotalMilliseconds:F0} ms after the ingest API accepted the email.");
        await desktop.SaveScreenshotAsync("desktop-offer.png");

        await page.Keyboard.PressAsync("a");
        await Expect(desktop.Offers).ToHaveCountAsync(0);
        await Expect(desktop.EmailDetail.GetByTestId("state")).ToHaveTextAsync("Active");
        var screenPop = desktop.EmailDetail.GetByTestId("screen-pop");
        await Expect(screenPop).ToHaveAttributeAsync("href", "http://127.0.0.1:9/crm/case/e-journey-1?customer=7762123-01");
        await Expect(screenPop).ToHaveAttributeAsync("target", "_blank");
        await desktop.SaveScreenshotAsync("desktop-email.png");

        await desktop.EmailDetail.GetByRole(AriaRole.Button, new() { Name = "Complete" }).ClickAsync();
        await Expect(page.GetByTestId("email-error"))
            .ToHaveTextAsync("A work code is required for queue Parts. Choose one of: Resolved, Escalated.");
        Assert.Equal("Active", await tenant.GetStateAsync("e-journey-1"));

        await page.GetByLabel("Work code (required)").SelectOptionAsync("Resolved");
        await desktop.EmailDetail.GetByRole(AriaRole.Button, new() { Name = "Complete" }).ClickAsync();
        await Expect(page.GetByTestId("emails")).ToHaveCountAsync(0);
        Assert.Equal("Completed", await tenant.GetStateAsync("e-journey-1"));
    }

    [Fact]
    public async Task Offer_DeclinedByKeyboard_GoesBackToQueue()
    {
        await using var server = await DesktopServer.StartAsync();
        var tenant = await DesktopTenant.CreateAsync(server);
        await using var desktop = await chromium.OpenDesktopAsync(server.BaseAddress);
        var page = desktop.Page;
        await desktop.OpenAsync();
        await desktop.SignInAsync();
        await desktop.ChooseStatusAsync("Available");

        await tenant.IngestAsync("e-decline-1", "Please call me back");
        await Expect(desktop.Offers).ToHaveCountAsync(1);
        await page.Keyboard.PressAsync("d");

        await Expect(desktop.Offers).ToHaveCountAsync(0);
        Assert.Equal("Queued", await tenant.GetStateAsync("e-decline-1"));
    }

    [Fact]
    public async Task Reload_KeepsSession_ShowsOffer()
    {
        await using var server = await DesktopServer.StartAsync();
        var tenant = await DesktopTenant.CreateAsync(server);
        await using var desktop = await chromium.OpenDesktopAsync(server.BaseAddress);
        var page = desktop.Page;
        await desktop.OpenAsync();
        await desktop.SignInAsync();
        await desktop.ChooseStatusAsync("Available");
        await tenant.IngestAsync("e-reload-1", "Order status");
        await Expect(desktop.Offers).ToHaveCountAsync(1);

        await page.ReloadAsync();

        await Expect(desktop.Status).ToContainTextAsync("Available");
        await Expect(desktop.Offers).ToHaveCountAsync(1);
    }
}

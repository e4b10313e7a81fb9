using Microsoft.Playwright;
using RoutedEmail.Browser.Tests.Infrastructure;
using RoutedEmail.Server.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace RoutedEmail.Browser.Tests;

/// <summary>The desktop through a dropped link and a server restart, without a reload.</summary>
[Collection(ChromiumCollection.Name)]
public sealed class ConnectionTests(ChromiumFixture chromium)
{
    [Fact]
    public async Task DroppedConnection_ShowsBannerThenTrueState()
    {
        await using var server = await DesktopServer.StartAsync();
        var tenant = await DesktopTenant.CreateAsync(server);
        await using var proxy = LoopbackProxy.Reserve(server.Port);
        proxy.Start();
        await using var desktop = await chromium.OpenDesktopAsync(new Uri($"http://127.0.0.1:{proxy.Port}/"));
        var page = desktop.Page;
        await desktop.OpenAsync();
        await desktop.SignInAsync();
        await desktop.ChooseStatusAsync("Available");
        await MarkPageAsync(page);

        await proxy.StopAsync();
        await Expect(desktop.Banner).ToBeVisibleAsync();
        await Expect(desktop.Banner).ToContainTextAsync("Connection to the server lost");

        // The email arrives while the desktop cannot hear about it, so only the reconnect can show it.
        await tenant.IngestAsync("e-drop-1", "Sent while the link was down");
        proxy.Start();

        await Expect(desktop.Banner).ToBeHiddenAsync();
        await Expect(desktop.Offers).ToHaveCountAsync(1);
        await Expect(desktop.Offers.First).ToContainTextAsync("Sent while the link was down");
        await AssertNotReloadedAsync(page);
    }

    [Fact]
    public async Task ServerRestart_OfferOnScreen_AcceptedAfterwards()
    {
        await using var server = await DesktopServer.StartAsync();
        var tenant = await DesktopTenant.CreateAsync(server);
        await using var desktop = await chromium.OpenDesktopAsync(server.BaseAddress);
        var page = desktop.Page;
        await desktop.OpenAsync();
        await desktop.SignInAsync();
        await desktop.ChooseStatusAsync("Available");
        await tenant.IngestAsync("e-restart-1", "Offered before the restart");
        await Expect(desktop.Offers).ToHaveCountAsync(1);
        await MarkPageAsync(page);

        await server.StopAsync();
        await Expect(desktop.Banner).ToBeVisibleAsync();
        await Expect(desktop.Offers).ToHaveCountAsync(1);
        await server.StartAgainAsync();

        await Expect(desktop.Banner).ToBeHiddenAsync();
        await Expect(desktop.Offers.First).ToContainTextAsync("Offered before the restart");
        await desktop.Offers.First.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await Expect(desktop.EmailDetail.GetByTestId("state")).ToHaveTextAsync("Active");
        Assert.Equal("Active", await tenant.GetStateAsync("e-restart-1"));
        await AssertNotReloadedAsync(page);
    }

    /// <summary>Sets a value in the page's JavaScript memory, which a reload would clear.</summary>
    private static async Task MarkPageAsync(IPage page) =>
        await page.EvaluateAsync("() => { window.notReloaded = true; }");

    private static async Task AssertNotReloadedAsync(IPage page) =>
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"),
            "The page was reloaded, so the desktop did not recover on its own.");
}

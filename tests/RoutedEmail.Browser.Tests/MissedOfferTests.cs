using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Browser.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace RoutedEmail.Browser.Tests;

[Collection(ChromiumCollection.Name)]
public sealed class MissedOfferTests(ChromiumFixture chromium)
{
    [Fact]
    public async Task Offer_LeftAlone_ExpiresAndAgentMissed()
    {
        // The server's clock starts at the browser's time, so the countdown reads right, and moves only when the test advances it.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await DesktopServer.StartAsync(time);
        var tenant = await DesktopTenant.CreateAsync(server, offerTimeoutSeconds: 30);
        await using var desktop = await chromium.OpenDesktopAsync(server.BaseAddress);
        var page = desktop.Page;
        await desktop.OpenAsync();
        await desktop.SignInAsync();
        await desktop.ChooseStatusAsync("Available");
        await tenant.IngestAsync("e-missed-1", "Nobody answers this one");
        await Expect(desktop.Offers).ToHaveCountAsync(1);
        await Expect(desktop.Offers.First.GetByTestId("offer-countdown")).ToContainTextAsync("Expires in: 0:");

        time.Advance(TimeSpan.FromSeconds(30));

        await Expect(desktop.Offers).ToHaveCountAsync(0);
        await Expect(desktop.Status).ToContainTextAsync("Missed");
        await Expect(page.GetByTestId("missed-help")).ToContainTextAsync("Choose Available to get offers again");
        Assert.Equal("Missed", await tenant.GetAgentStatusAsync());
        Assert.Equal("Queued", await tenant.GetStateAsync("e-missed-1"));

        await desktop.ChooseStatusAsync("Available");
        await Expect(page.GetByTestId("missed-help")).ToBeHiddenAsync();
    }
}

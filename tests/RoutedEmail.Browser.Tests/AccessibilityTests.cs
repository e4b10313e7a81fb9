using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using RoutedEmail.Browser.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace RoutedEmail.Browser.Tests;

/// <summary>axe-core on each page state, at desktop and at phone width.</summary>
[Collection(ChromiumCollection.Name)]
public sealed class AccessibilityTests(ChromiumFixture chromium)
{
    [Theory]
    [InlineData(1280, 800)]
    [InlineData(390, 844)]
    public async Task Pages_Axe_NoSeriousOrCriticalViolations(int width, int height)
    {
        await using var server = await DesktopServer.StartAsync();
        var tenant = await DesktopTenant.CreateAsync(server);
        await tenant.PutAsync("away-reasons/lunch", new { description = "Lunch break" });
        await using var desktop = await chromium.OpenDesktopAsync(server.BaseAddress, width, height);
        var page = desktop.Page;

        await desktop.OpenAsync();
        await AssertAccessibleAsync(page, "sign-in page", width);

        await desktop.SignInAsync();
        await desktop.ChooseStatusAsync("Available");
        await tenant.IngestAsync("e-axe-1", "First email");
        await tenant.IngestAsync("e-axe-2", "Second email");
        await Expect(desktop.Offers).ToHaveCountAsync(2);
        await Expect(desktop.Offers.First.GetByRole(AriaRole.Button, new() { Name = "Accept" }))
            .ToBeInViewportAsync();
        await AssertAccessibleAsync(page, "desktop with offers", width);

        await desktop.Offers.First.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await Expect(desktop.EmailDetail).ToBeVisibleAsync();
        await AssertAccessibleAsync(page, "desktop with an accepted email", width);

        await server.StopAsync();
        await Expect(desktop.Banner).ToBeVisibleAsync();
        await AssertAccessibleAsync(page, "desktop with the connection banner", width);
    }

    internal static async Task AssertAccessibleAsync(IPage page, string state, int width)
    {
        // A color transition or ripple that is still running would be measured halfway.
        await page.WaitForFunctionAsync(
            "() => document.getAnimations().every(animation => animation.playState !== 'running')");
        var result = await page.RunAxe();
        var violations = result.Violations
            .Where(violation => violation.Impact is "serious" or "critical")
            .SelectMany(violation => violation.Nodes.Select(node =>
                $"{violation.Id} ({violation.Impact}): {violation.Help} at {node.Html}: " +
                string.Join(" ", node.Any.Concat(node.All).Select(check => check.Message))))
            .ToList();
        Assert.True(violations.Count == 0,
            $"axe-core found on the {state} at width {width}:{Environment.NewLine}" +
            string.Join(Environment.NewLine, violations));

        // Nothing may need horizontal scrolling, at phone width too.
        var overflow = await page.EvaluateAsync<int>(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"The {state} is {overflow} px wider than the window at width {width}.");
    }
}

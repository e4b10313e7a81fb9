using Microsoft.Playwright;
using RoutedEmail.Browser.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace RoutedEmail.Browser.Tests;

/// <summary>axe-core on each admin page, with its form open and a server error shown, at desktop and phone width.</summary>
[Collection(ChromiumCollection.Name)]
public sealed class AdminAccessibilityTests(ChromiumFixture chromium)
{
    [Theory]
    [InlineData(1280, 800)]
    [InlineData(390, 844)]
    public async Task AdminPages_Axe_NoSeriousOrCriticalViolations(int width, int height)
    {
        await using var server = await DesktopServer.StartAsync();
        await DesktopTenant.CreateAsync(server);
        await AdminSession.CreateAdministratorAsync(server);
        await using var admin = await chromium.OpenDesktopAsync(server.BaseAddress, width, height);
        var page = admin.Page;

        await page.GotoAsync(new Uri(server.BaseAddress, "admin/sign-in").ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Administrator sign-in" })).ToBeVisibleAsync();
        await AccessibilityTests.AssertAccessibleAsync(page, "admin sign-in page", width);
        await AdminSession.SignInAsync(admin, server.BaseAddress);

        // A server validation error under a field, with the form open.
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit Parts" }).ClickAsync();
        await page.GetByLabel("Offer timeout (seconds, 5 to 3600)").FillAsync("1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save skill queue" }).ClickAsync();
        await Expect(page.GetByTestId("error-offerTimeoutSeconds"))
            .ToHaveTextAsync("offerTimeoutSeconds is 1; it must be from 5 to 3600.");
        await AccessibilityTests.AssertAccessibleAsync(page, "skill queues page with a field error", width);

        await AdminSession.OpenSectionAsync(page, "Routed email configurations", "Routed email configurations");
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit USParts" }).ClickAsync();
        await Expect(page.GetByTestId("preview-url")).ToContainTextAsync("customer=7762123-01");
        await AccessibilityTests.AssertAccessibleAsync(page, "configurations page with its form", width);

        await AdminSession.OpenSectionAsync(page, "Agents and users", "Agents and users");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Edit {DesktopTenant.AgentId}" }).ClickAsync();
        await Expect(page.GetByTestId("profile-row")).ToHaveCountAsync(1);
        await AccessibilityTests.AssertAccessibleAsync(page, "users page with its form", width);

        await AdminSession.OpenSectionAsync(page, "Work codes", "Work codes");
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete Outcomes" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, delete Outcomes" }).ClickAsync();
        await Expect(page.GetByTestId("form-error")).ToContainTextAsync("is used by");
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit Outcomes" }).ClickAsync();
        await AccessibilityTests.AssertAccessibleAsync(page, "work codes page with an error and its form", width);

        await AdminSession.OpenSectionAsync(page, "API key", "API key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Rotate the API key" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, rotate" }).ClickAsync();
        await Expect(page.GetByTestId("new-api-key")).ToBeVisibleAsync();
        await AccessibilityTests.AssertAccessibleAsync(page, "API key page with a new key", width);
    }
}

using System.Net.Http.Json;
using Microsoft.Playwright;
using RoutedEmail.Browser.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace RoutedEmail.Browser.Tests;

/// <summary>The supervisor dashboard at /supervisor: sign-in, live figures and the error banner.</summary>
[Collection(ChromiumCollection.Name)]
public sealed class SupervisorDashboardTests(ChromiumFixture chromium)
{
    private const string SupervisorId = "sam";
    private const string SupervisorPassword = "sam-secret-123";
    private static readonly string[] SupervisorRoles = ["Supervisor"];

    [Theory]
    [InlineData(1280, 800)]
    [InlineData(390, 844)]
    public async Task Dashboard_IngestAndServerStop_UpdatesWithoutReload(int width, int height)
    {
        await using var server = await DesktopServer.StartAsync();
        var tenant = await DesktopTenant.CreateAsync(server);
        using var user = await server.Admin.PutAsJsonAsync($"{DesktopTenant.TenantPath}/users/{SupervisorId}",
            new { displayName = "Sam Supervisor", password = SupervisorPassword, roles = SupervisorRoles });
        user.EnsureSuccessStatusCode();
        await using var browser = await chromium.OpenDesktopAsync(server.BaseAddress, width, height);
        var page = browser.Page;

        await page.GotoAsync(new Uri(server.BaseAddress, "supervisor").ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Supervisor sign-in" })).ToBeVisibleAsync();
        await AccessibilityTests.AssertAccessibleAsync(page, "supervisor sign-in page", width);
        await page.GetByLabel("Company code").FillAsync(DesktopTenant.CompanyCode);
        await page.GetByLabel("Environment").FillAsync(DesktopTenant.Environment);
        await page.GetByLabel("User id").FillAsync(SupervisorId);
        await page.GetByLabel("Password").FillAsync(SupervisorPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        var parts = page.Locator("[data-testid=queue-row][data-queue=Parts]");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Supervisor dashboard" })).ToBeVisibleAsync();
        await Expect(parts.GetByTestId("waiting")).ToHaveTextAsync("0");
        await Expect(page.Locator("[data-testid=agent-row][data-agent=maria]").GetByTestId("agent-status"))
            .ToHaveTextAsync("Offline");
        // The text shows whole seconds, and the update may come within the same second, so the test compares the
        // read time to the millisecond.
        var firstUpdate = await page.GetByTestId("updated-at").GetAttributeAsync("data-at");
        Assert.False(string.IsNullOrEmpty(firstUpdate), "The dashboard's updated-at line has no data-at time.");

        await tenant.IngestAsync("e-sup-1", "First email");
        await tenant.IngestAsync("e-sup-2", "Second email");

        await Expect(parts.GetByTestId("waiting")).ToHaveTextAsync("2");
        Assert.Equal(page.Url, new Uri(server.BaseAddress, "supervisor").ToString());
        Assert.NotEqual(firstUpdate, await page.GetByTestId("updated-at").GetAttributeAsync("data-at"));
        await AccessibilityTests.AssertAccessibleAsync(page, "supervisor dashboard", width);

        await page.GetByLabel("Show queue").SelectOptionAsync("General");
        await Expect(page.GetByTestId("queue-row")).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-testid=queue-row][data-queue=General]")).ToBeVisibleAsync();

        await server.StopAsync();
        await Expect(page.GetByTestId("dashboard-error")).ToContainTextAsync("cannot be reached");
        await Expect(page.Locator("[data-testid=queue-row][data-queue=General]")).ToBeVisibleAsync();
        await AccessibilityTests.AssertAccessibleAsync(page, "supervisor dashboard with the error banner", width);
    }

    [Fact]
    public async Task SignIn_AgentOnlyUser_ShowsRoleError()
    {
        await using var server = await DesktopServer.StartAsync();
        await DesktopTenant.CreateAsync(server);
        await using var browser = await chromium.OpenDesktopAsync(server.BaseAddress);
        var page = browser.Page;

        await page.GotoAsync(new Uri(server.BaseAddress, "supervisor/sign-in").ToString());
        await page.GetByLabel("Company code").FillAsync(DesktopTenant.CompanyCode);
        await page.GetByLabel("Environment").FillAsync(DesktopTenant.Environment);
        await page.GetByLabel("User id").FillAsync(DesktopTenant.AgentId);
        await page.GetByLabel("Password").FillAsync(DesktopTenant.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page.GetByTestId("sign-in-error")).ToContainTextAsync("neither the Supervisor nor");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Supervisor sign-in" })).ToBeVisibleAsync();
    }
}

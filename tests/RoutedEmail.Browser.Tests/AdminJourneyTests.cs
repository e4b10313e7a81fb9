using Microsoft.Playwright;
using RoutedEmail.Browser.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace RoutedEmail.Browser.Tests;

/// <summary>The administration pages at /admin, driven as an administrator would, against the real server.</summary>
[Collection(ChromiumCollection.Name)]
public sealed class AdminJourneyTests(ChromiumFixture chromium)
{
    private const string SampleEntityId = "e94c0a8a-0b69-11ec-9a03-0242ac130003";

    [Fact]
    public async Task AdminSetup_QueueConfigurationAgent_AgentGetsOffer()
    {
        await using var server = await DesktopServer.StartAsync();
        var apiKey = await AdminSession.CreateEmptyTenantAsync(server);
        await AdminSession.CreateAdministratorAsync(server);
        await using var admin = await chromium.OpenDesktopAsync(server.BaseAddress);
        var page = admin.Page;
        await AdminSession.SignInAsync(admin, server.BaseAddress);

        await page.GetByRole(AriaRole.Button, new() { Name = "New skill queue" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Parts");
        await page.GetByLabel("Offer timeout (seconds, 5 to 3600)").FillAsync("600");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save skill queue" }).ClickAsync();
        await Expect(page.Locator("[data-testid=queue-row][data-queue=Parts]")).ToContainTextAsync("600 s");

        await AdminSession.OpenSectionAsync(page, "Routed email configurations", "Routed email configurations");
        await page.GetByRole(AriaRole.Button, new() { Name = "New configuration" }).ClickAsync();
        await page.GetByLabel("Owner id", new() { Exact = true }).FillAsync("USParts");
        await page.GetByLabel("Skill queue", new() { Exact = true }).SelectOptionAsync("Parts");
        await page.GetByLabel("Priority (-1000 to 1000, larger first)").FillAsync("5");
        await page.Locator("#screen-pop-template").FillAsync(DesktopTenant.ScreenPopTemplate);
        await Expect(page.GetByTestId("preview-url")).ToHaveTextAsync(
            $"http://127.0.0.1:9/crm/case/{SampleEntityId}?customer=7762123-01");
        await page.SetViewportSizeAsync(1280, 1000);
        await admin.SaveScreenshotAsync("administration.png");
        await page.SetViewportSizeAsync(1280, 800);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save configuration" }).ClickAsync();
        await Expect(page.Locator("[data-testid=configuration-row][data-owner=USParts]")).ToContainTextAsync("Parts");

        await AdminSession.OpenSectionAsync(page, "Agents and users", "Agents and users");
        await page.GetByRole(AriaRole.Button, new() { Name = "New user" }).ClickAsync();
        await page.Locator("#user-id-field").FillAsync(DesktopTenant.AgentId);
        await page.GetByLabel("Display name", new() { Exact = true }).FillAsync("Maria Lopez");
        await page.GetByLabel("Agent", new() { Exact = true }).CheckAsync();
        await page.Locator("#user-password").FillAsync(DesktopTenant.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add a queue" }).ClickAsync();
        await page.GetByLabel("Queue 1", new() { Exact = true }).SelectOptionAsync("Parts");
        await page.GetByLabel("Maximum routed emails at once (1 to 100)").FillAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save user" }).ClickAsync();
        var maria = page.Locator($"[data-testid=user-row][data-user={DesktopTenant.AgentId}]");
        await Expect(maria).ToContainTextAsync("Parts (1)");
        await Expect(maria).ToContainTextAsync("emails 2");

        await using var desktop = await chromium.OpenDesktopAsync(server.BaseAddress);
        await desktop.OpenAsync();
        await desktop.SignInAsync();
        await desktop.ChooseStatusAsync("Available");
        await DesktopTenant.ForExisting(server, apiKey).IngestAsync("e-admin-1", "Set up in the admin pages");

        await Expect(desktop.Offers).ToHaveCountAsync(1);
        await Expect(desktop.Offers.First).ToContainTextAsync("Set up in the admin pages");
    }

    [Fact]
    public async Task DeleteQueue_HoldsEmail_ShowsApiMessage()
    {
        await using var server = await DesktopServer.StartAsync();
        var tenant = await DesktopTenant.CreateAsync(server);
        await AdminSession.CreateAdministratorAsync(server);
        await tenant.IngestAsync("e-admin-409", "Waiting in Parts");
        await using var admin = await chromium.OpenDesktopAsync(server.BaseAddress);
        var page = admin.Page;
        await AdminSession.SignInAsync(admin, server.BaseAddress);

        var parts = page.Locator("[data-testid=queue-row][data-queue=Parts]");
        await parts.GetByRole(AriaRole.Button, new() { Name = "Delete Parts" }).ClickAsync();
        await parts.GetByRole(AriaRole.Button, new() { Name = "Yes, delete Parts" }).ClickAsync();

        await Expect(page.GetByTestId("form-error")).ToContainTextAsync(
            "The skill queue \"Parts\" holds 1 open email ");
        await Expect(parts).ToBeVisibleAsync();
        Assert.Equal("Queued", await tenant.GetStateAsync("e-admin-409"));

        // The administrator's session opens the supervisor dashboard too, through the screen navigation.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Screens" })
            .GetByRole(AriaRole.Link, new() { Name = "Supervisor" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Supervisor dashboard" })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=queue-row][data-queue=Parts]").GetByTestId("waiting"))
            .ToHaveTextAsync("1");
    }

    [Fact]
    public async Task RotateKey_ShownOnce_OldKeyStillWorks()
    {
        await using var server = await DesktopServer.StartAsync();
        var tenant = await DesktopTenant.CreateAsync(server);
        await AdminSession.CreateAdministratorAsync(server);
        await using var admin = await chromium.OpenDesktopAsync(server.BaseAddress);
        await admin.Page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        var page = admin.Page;
        await AdminSession.SignInAsync(admin, server.BaseAddress);

        await AdminSession.OpenSectionAsync(page, "API key", "API key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Rotate the API key" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, rotate" }).ClickAsync();
        await Expect(page.GetByTestId("shown-once")).ToContainTextAsync("will not be shown again");
        await Expect(page.GetByTestId("previous-key-expiry")).ToContainTextAsync("keeps working until");
        var newKey = await page.GetByRole(AriaRole.Textbox, new() { Name = "New API key" }).InputValueAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy the key" }).ClickAsync();
        await Expect(page.GetByTestId("copy-status")).ToHaveTextAsync("Copied to the clipboard.");

        Assert.Equal(newKey, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        Assert.NotEqual(tenant.ApiKey, newKey);
        await tenant.IngestAsync("e-old-key", "Sent with the replaced key in its grace period");
        await DesktopTenant.ForExisting(server, newKey).IngestAsync("e-new-key", "Sent with the new key");

        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Rotate the API key" })).ToBeVisibleAsync();
        Assert.Equal(0, await page.GetByRole(AriaRole.Textbox, new() { Name = "New API key" }).CountAsync());
    }
}

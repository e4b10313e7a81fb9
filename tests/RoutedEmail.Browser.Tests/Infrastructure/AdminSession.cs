using System.Net.Http.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace RoutedEmail.Browser.Tests.Infrastructure;

/// <summary>An administrator of the test tenant, created with the operator's token, and the admin pages' steps.</summary>
public static class AdminSession
{
    public const string UserId = "alice";
    public const string Password = "alice-secret-1";

    private static readonly string[] AdministratorRoles = ["Administrator"];

    /// <summary>Creates the tenant without anything in it and returns its API key.</summary>
    public static async Task<string> CreateEmptyTenantAsync(DesktopServer server)
    {
        using var response = await server.Admin.PostAsJsonAsync("/api/v1/tenants", new
        {
            companyCode = DesktopTenant.CompanyCode,
            environment = DesktopTenant.Environment,
            secretsRegion = "us-east-1",
        });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /api/v1/tenants failed: {(int)response.StatusCode} {text}");
        return System.Text.Json.Nodes.JsonNode.Parse(text)!["apiKey"]!.GetValue<string>();
    }

    /// <summary>Creates the tenant's administrator "alice" with the operator's token.</summary>
    public static async Task CreateAdministratorAsync(DesktopServer server)
    {
        using var response = await server.Admin.PutAsJsonAsync($"{DesktopTenant.TenantPath}/users/{UserId}",
            new { displayName = "Alice Admin", password = Password, roles = AdministratorRoles });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"PUT users/{UserId} failed: {(int)response.StatusCode} {text}");
    }

    /// <summary>Opens <c>/admin</c>, signs in as the administrator and waits for the first section.</summary>
    public static async Task SignInAsync(DesktopPage browser, Uri baseAddress)
    {
        var page = browser.Page;
        await page.GotoAsync(new Uri(baseAddress, "admin").ToString());
        try
        {
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Administrator sign-in" }))
                .ToBeVisibleAsync();
        }
        catch (PlaywrightException exception)
        {
            throw new InvalidOperationException(
                $"The sign-in page did not show. Browser console:{Environment.NewLine}{browser.ConsoleErrors}",
                exception);
        }

        await page.GetByLabel("Company code").FillAsync(DesktopTenant.CompanyCode);
        await page.GetByLabel("Environment").FillAsync(DesktopTenant.Environment);
        await page.GetByLabel("User id").FillAsync(UserId);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Skill queues", Exact = true }))
            .ToBeVisibleAsync();
    }

    /// <summary>Opens an admin section through its link and waits for its heading.</summary>
    public static async Task OpenSectionAsync(IPage page, string link, string heading)
    {
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Administration sections" })
            .GetByRole(AriaRole.Link, new() { Name = link, Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = heading, Exact = true })).ToBeVisibleAsync();
    }
}

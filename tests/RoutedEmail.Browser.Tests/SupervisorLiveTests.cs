using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using RoutedEmail.Browser.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace RoutedEmail.Browser.Tests;

/// <summary>
/// The supervisor dashboard's live push, charts, email view and actions. While the push connection is up the page
/// polls only every 30 seconds, so a change that shows within a few seconds came through the push.
/// </summary>
[Collection(ChromiumCollection.Name)]
public sealed partial class SupervisorLiveTests(ChromiumFixture chromium)
{
    private const string SupervisorId = "sam";
    private const string SupervisorPassword = "sam-secret-123";
    private static readonly string[] SupervisorRoles = ["Supervisor"];
    private static readonly string[] WorkCodeGroups = ["Outcomes"];

    // Well below the 30-second poll of a live page, and above a push plus one throttled read.
    private static readonly LocatorAssertionsToHaveTextOptions PushTimeout = new() { Timeout = 4_000 };

    [Fact]
    public async Task Dashboard_PushAndActions_UpdateLive()
    {
        const int width = 1280;
        await using var server = await DesktopServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Dashboard:SampleInterval"] = "00:00:01",
        });
        var tenant = await DesktopTenant.CreateAsync(server);
        await tenant.PutAsync("skill-queues/Parts", new
        {
            offerTimeoutSeconds = 600, wrapSeconds = 600, workCodeGroups = WorkCodeGroups, workCodeRequired = true,
        });
        using var user = await server.Admin.PutAsJsonAsync($"{DesktopTenant.TenantPath}/users/{SupervisorId}",
            new { displayName = "Sam Supervisor", password = SupervisorPassword, roles = SupervisorRoles });
        user.EnsureSuccessStatusCode();
        await using var browser = await chromium.OpenDesktopAsync(server.BaseAddress, width, 800);
        var page = browser.Page;
        await SignInAsync(page, server);
        var parts = page.Locator("[data-testid=queue-row][data-queue=Parts]");
        await Expect(page.GetByTestId("updated-at")).ToHaveAttributeAsync("data-live", "on");
        await Expect(parts.GetByTestId("waiting")).ToHaveTextAsync("0");

        await tenant.IngestAsync("e-live-1", "First email");
        await tenant.IngestAsync("e-live-2", "Second email");
        await Expect(parts.GetByTestId("waiting")).ToHaveTextAsync("2", PushTimeout);

        using var agent = await SignInAgentAsync(server);
        await PutStatusAsync(agent, "Available");
        await Expect(parts.GetByTestId("offered")).ToHaveTextAsync("2", PushTimeout);
        var offer = await FindOfferAsync(agent, "e-live-1");
        using (var accepted = await agent.PostAsync($"/api/v1/agent/offers/{offer["offerId"]}/accept", null))
        {
            accepted.EnsureSuccessStatusCode();
        }

        await Expect(parts.GetByTestId("active")).ToHaveTextAsync("1", PushTimeout);
        using (var completed = await agent.PostAsJsonAsync(
            $"/api/v1/agent/emails/{offer["email"]!["emailId"]}/complete", new { workCode = "Resolved" }))
        {
            completed.EnsureSuccessStatusCode();
        }

        await Expect(parts.GetByTestId("wrap")).ToHaveTextAsync("1", PushTimeout);
        await Expect(parts.GetByTestId("active")).ToHaveTextAsync("0", PushTimeout);

        // Maria has two emails, her maximum, so a third one waits and the explanation says why.
        await tenant.IngestAsync("e-live-3", "Third email");
        await Expect(parts.GetByTestId("waiting")).ToHaveTextAsync("1", PushTimeout);
        await page.GetByLabel("Entity id").FillAsync("e-live-3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Open", Exact = true }).ClickAsync();
        var panel = page.GetByTestId("email-panel");
        await Expect(panel.GetByTestId("state")).ToHaveTextAsync("Queued");
        await Expect(panel.GetByTestId("explanation-summary")).ToHaveTextAsync(NonEmpty());
        await Expect(panel.GetByTestId("explanation-agents")).ToContainTextAsync("maria");
        await Expect(panel.GetByTestId("email-history")).ToContainTextAsync("Received");
        await page.GetByLabel("Chart range").SelectOptionAsync("1");
        await Expect(page.GetByTestId("waiting-latest")).ToContainTextAsync("Parts");
        await AccessibilityTests.AssertAccessibleAsync(page, "supervisor dashboard with an open email", width);
        await page.EvaluateAsync("window.scrollTo(0, 0)");
        await browser.SaveScreenshotAsync("supervisor-dashboard.png");

        await panel.GetByRole(AriaRole.Button, new() { Name = "Cancel email" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync("cannot be undone");
        await AccessibilityTests.AssertAccessibleAsync(page, "supervisor dashboard asking to confirm a cancel", width);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel email" }).ClickAsync();
        await Expect(panel.GetByTestId("state")).ToHaveTextAsync("Canceled");
        await Expect(parts.GetByTestId("waiting")).ToHaveTextAsync("0", PushTimeout);
        Assert.Equal("Canceled", await tenant.GetStateAsync("e-live-3"));

        var maria = page.Locator("[data-testid=agent-row][data-agent=maria]");
        await maria.GetByLabel("New status of Maria Lopez").SelectOptionAsync("Away");
        await maria.GetByRole(AriaRole.Button, new() { Name = "Set status of Maria Lopez" }).ClickAsync();
        await Expect(maria.GetByTestId("agent-status")).ToHaveTextAsync("Away", new() { Timeout = 4_000 });
        Assert.Equal("Away", await tenant.GetAgentStatusAsync());
        Assert.Equal(page.Url, new Uri(server.BaseAddress, "supervisor").ToString());
    }

    [Fact]
    public async Task Dashboard_NarrowScreen_FiltersAndErrors()
    {
        const int width = 390;
        await using var server = await DesktopServer.StartAsync();
        var tenant = await DesktopTenant.CreateAsync(server);
        using var user = await server.Admin.PutAsJsonAsync($"{DesktopTenant.TenantPath}/users/{SupervisorId}",
            new { displayName = "Sam Supervisor", password = SupervisorPassword, roles = SupervisorRoles });
        user.EnsureSuccessStatusCode();
        await tenant.IngestAsync("e-filter-1", "First email");
        await using var browser = await chromium.OpenDesktopAsync(server.BaseAddress, width, 844);
        var page = browser.Page;
        await SignInAsync(page, server);
        await Expect(page.Locator("[data-testid=agent-row][data-agent=maria]")).ToBeVisibleAsync();

        await page.GetByLabel("Show queue").SelectOptionAsync("General");
        await Expect(page.GetByTestId("agent-row")).ToHaveCountAsync(0);
        await page.GetByLabel("Show queue").SelectOptionAsync("Parts");
        await Expect(page.GetByTestId("agent-row")).ToHaveCountAsync(1);

        await page.GetByLabel("Entity id").FillAsync("e-missing");
        await page.GetByRole(AriaRole.Button, new() { Name = "Open", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("email-error"))
            .ToContainTextAsync("has no routed email with entityId \"e-missing\"");

        await page.GetByLabel("Entity id").FillAsync("e-filter-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Open", Exact = true }).ClickAsync();
        var panel = page.GetByTestId("email-panel");
        await Expect(panel.GetByTestId("state")).ToHaveTextAsync("Queued");
        await Expect(panel.GetByTestId("explanation-summary")).ToHaveTextAsync(NonEmpty());
        await Expect(page.GetByTestId("email-error")).ToHaveCountAsync(0);
        await AccessibilityTests.AssertAccessibleAsync(page, "narrow supervisor dashboard with an open email", width);

        await panel.GetByRole(AriaRole.Button, new() { Name = "Cancel email" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync("cannot be undone");
        await AccessibilityTests.AssertAccessibleAsync(page, "narrow supervisor dashboard asking to confirm", width);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Keep it" }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
        Assert.Equal("Queued", await tenant.GetStateAsync("e-filter-1"));
    }

    private static async Task SignInAsync(IPage page, DesktopServer server)
    {
        await page.GotoAsync(new Uri(server.BaseAddress, "supervisor").ToString());
        await page.GetByLabel("Company code").FillAsync(DesktopTenant.CompanyCode);
        await page.GetByLabel("Environment").FillAsync(DesktopTenant.Environment);
        await page.GetByLabel("User id").FillAsync(SupervisorId);
        await page.GetByLabel("Password").FillAsync(SupervisorPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Supervisor dashboard" })).ToBeVisibleAsync();
    }

    private static async Task<HttpClient> SignInAgentAsync(DesktopServer server)
    {
        var client = new HttpClient { BaseAddress = server.BaseAddress };
        using var response = await client.PostAsJsonAsync("/api/v1/agent/sign-in", new
        {
            companyCode = DesktopTenant.CompanyCode,
            environment = DesktopTenant.Environment,
            agentId = DesktopTenant.AgentId,
            password = DesktopTenant.Password,
        });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task PutStatusAsync(HttpClient agent, string status)
    {
        using var response = await agent.PutAsJsonAsync("/api/v1/agent/status", new { status });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Reads the agent's work until it has an offer of the email, at most 10 seconds.</summary>
    private static async Task<JsonObject> FindOfferAsync(HttpClient agent, string entityId)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        while (DateTimeOffset.UtcNow < deadline)
        {
            var work = await agent.GetFromJsonAsync<JsonObject>("/api/v1/agent/work");
            var offer = work!["offers"]!.AsArray()
                .FirstOrDefault(item => item!["email"]!["entityId"]!.GetValue<string>() == entityId);
            if (offer is not null)
            {
                return offer.AsObject();
            }

            await Task.Delay(100);
        }

        Assert.Fail($"No offer of {entityId} within 10 seconds.");
        return [];
    }

    [GeneratedRegex(@"\S")]
    private static partial Regex NonEmpty();
}

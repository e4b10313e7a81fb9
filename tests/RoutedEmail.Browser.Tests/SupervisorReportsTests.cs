using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using RoutedEmail.Browser.Tests.Infrastructure;
using RoutedEmail.Web.Services;
using static Microsoft.Playwright.Assertions;

namespace RoutedEmail.Browser.Tests;

/// <summary>
/// The interval reports page at /supervisor/reports against a real server and a day of real history: its table
/// against the report API's JSON, its export against the API's CSV, its field errors and axe-core.
/// </summary>
[Collection(ChromiumCollection.Name)]
public sealed class SupervisorReportsTests(ChromiumFixture chromium)
{
    private const string SupervisorId = "sam";
    private const string SupervisorPassword = "sam-secret-123";
    private static readonly string[] SupervisorRoles = ["Supervisor"];

    [Theory]
    [InlineData(1280, 800)]
    [InlineData(390, 844)]
    public async Task ReportsPage_Yesterday_MatchesApiAndExportsCsv(int width, int height)
    {
        var time = ReportHistory.YesterdayClock();
        await using var server = await DesktopServer.StartAsync(time);
        var tenant = await DesktopTenant.CreateAsync(server);
        await ReportHistory.CreateAsync(tenant, time);
        using var user = await server.Admin.PutAsJsonAsync($"{DesktopTenant.TenantPath}/users/{SupervisorId}",
            new { displayName = "Sam Supervisor", password = SupervisorPassword, roles = SupervisorRoles });
        user.EnsureSuccessStatusCode();
        await using var browser = await chromium.OpenDesktopAsync(server.BaseAddress, width, height);
        var page = browser.Page;
        await SignInAsync(browser, server);

        var screens = page.GetByRole(AriaRole.Navigation, new() { Name = "Screens" });
        await screens.GetByRole(AriaRole.Link, new() { Name = "Reports", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Interval reports" })).ToBeVisibleAsync();
        await Expect(page.GetByText("RoutedEmail interval reports", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(screens.GetByRole(AriaRole.Link, new() { Name = "Reports", Exact = true }))
            .ToHaveAttributeAsync("aria-current", "page");
        await Expect(screens.GetByRole(AriaRole.Link, new() { Name = "Supervisor", Exact = true }))
            .Not.ToHaveAttributeAsync("aria-current", "page");
        await Expect(page.GetByTestId("time-zone")).ToHaveTextAsync(ReportHistory.TimeZone);
        var (yesterday, today) = Yesterday();
        await Expect(page.GetByLabel("From (first day)")).ToHaveValueAsync(yesterday);
        await Expect(page.GetByLabel("To (day after the last)")).ToHaveValueAsync(today);
        await Expect(page.GetByTestId("report-shown")).ToContainTextAsync("Showing the skill queue report");

        var hours = await ReadJsonAsync(server, $"queues?from={yesterday}&to={today}&interval=60");
        await AssertQueueTableAsync(page, hours);
        await AccessibilityTests.AssertAccessibleAsync(page, "reports page with the queue report", width);
        if (width > 1000)
        {
            await page.EvaluateAsync("window.scrollTo(0, 0)");
            await browser.SaveScreenshotAsync("supervisor-reports.png");
        }

        await page.GetByLabel("Interval", new() { Exact = true }).SelectOptionAsync("15");
        await ShowAsync(page, "skill queue report", "15 minutes");
        var quarters = await ReadJsonAsync(server, $"queues?from={yesterday}&to={today}&interval=15");
        await AssertQueueTableAsync(page, quarters);

        var csvQuery = $"queues?from={yesterday}&to={today}&interval=15&format=csv";
        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.GetByRole(AriaRole.Button, new() { Name = "Export CSV" }).ClickAsync());
        Assert.Equal($"abc-gadgets_prod_queues_{yesterday}_to_{today}_15min.csv", download.SuggestedFilename);
        var downloaded = await File.ReadAllBytesAsync((await download.PathAsync())!);
        var expected = await server.Admin.GetByteArrayAsync($"{DesktopTenant.TenantPath}/reports/{csvQuery}");
        Assert.Equal(expected, downloaded);
        Assert.StartsWith("intervalStart,intervalEnd,queue,received,", System.Text.Encoding.UTF8.GetString(downloaded),
            StringComparison.Ordinal);

        await page.GetByLabel("Report", new() { Exact = true }).SelectOptionAsync("WorkCodes");
        await ShowAsync(page, "work code report", "15 minutes");
        var codes = await ReadJsonAsync(server, $"work-codes?from={yesterday}&to={today}&interval=15");
        await AssertWorkCodeTableAsync(page, codes);

        await page.GetByLabel("Report", new() { Exact = true }).SelectOptionAsync("Agents");
        await page.GetByLabel("Interval", new() { Exact = true }).SelectOptionAsync("day");
        await ShowAsync(page, "agent report", "intervals of day");
        var agents = await ReadJsonAsync(server, $"agents?from={yesterday}&to={today}&interval=day");
        await AssertAgentTableAsync(page, agents);
        await AccessibilityTests.AssertAccessibleAsync(page, "reports page with the agent report", width);

        var tooEarly = DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture).AddDays(-40);
        await page.GetByLabel("From (first day)").FillAsync(tooEarly.ToString("yyyy-MM-dd",
            System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Show report" }).ClickAsync();
        await Expect(page.GetByTestId("error-from")).ToContainTextAsync("it may be at most 31 days");
        await Expect(page.GetByLabel("From (first day)")).ToHaveAttributeAsync("aria-invalid", "true");
        await AccessibilityTests.AssertAccessibleAsync(page, "reports page with a field error", width);
    }

    private static async Task SignInAsync(DesktopPage browser, DesktopServer server)
    {
        var page = browser.Page;
        await page.GotoAsync(new Uri(server.BaseAddress, "supervisor/reports").ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Supervisor sign-in" })).ToBeVisibleAsync();
        await page.GetByLabel("Company code").FillAsync(DesktopTenant.CompanyCode);
        await page.GetByLabel("Environment").FillAsync(DesktopTenant.Environment);
        await page.GetByLabel("User id").FillAsync(SupervisorId);
        await page.GetByLabel("Password").FillAsync(SupervisorPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Supervisor dashboard" })).ToBeVisibleAsync();
    }

    /// <summary>Clicks Show report and waits until the status line names the new report and interval.</summary>
    private static async Task ShowAsync(IPage page, string report, string interval)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Show report" }).ClickAsync();
        var status = page.GetByTestId("report-shown");
        await Expect(status).ToContainTextAsync($"Showing the {report}");
        await Expect(status).ToContainTextAsync(interval);
    }

    /// <summary>Returns yesterday and today as yyyy-MM-dd in the tenant's time zone, by the real clock.</summary>
    /// <remarks>
    /// NOTE: a run that crosses midnight in that zone between opening the page and this call compares different
    /// days and fails.
    /// </remarks>
    private static (string Yesterday, string Today) Yesterday()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(ReportHistory.TimeZone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone).DateTime);
        return (today.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task<JsonArray> ReadJsonAsync(DesktopServer server, string query)
    {
        var report = await server.Admin.GetFromJsonAsync<JsonObject>($"{DesktopTenant.TenantPath}/reports/{query}");
        Assert.Equal(ReportHistory.TimeZone, report!["timeZone"]!.GetValue<string>());
        return report["rows"]!.AsArray();
    }

    private static async Task AssertQueueTableAsync(IPage page, JsonArray rows)
    {
        Assert.NotEmpty(rows);
        var tableRows = page.GetByTestId("report-row");
        await Expect(tableRows).ToHaveCountAsync(rows.Count);
        for (var index = 0; index < rows.Count; index++)
        {
            var row = rows[index]!;
            var cells = tableRows.Nth(index);
            await Expect(cells.GetByTestId("queue")).ToHaveTextAsync(row["queue"]!.GetValue<string>());
            await Expect(cells.GetByTestId("received")).ToHaveTextAsync(Count(row, "received"));
            await Expect(cells.GetByTestId("accepted")).ToHaveTextAsync(Count(row, "accepted"));
            await Expect(cells.GetByTestId("completed")).ToHaveTextAsync(Count(row, "completed"));
            await Expect(cells.GetByTestId("average-wait"))
                .ToHaveTextAsync(ReportFormat.Duration(row["averageWaitSeconds"]?.GetValue<double>()));
            await Expect(cells.GetByTestId("average-handle"))
                .ToHaveTextAsync(ReportFormat.Duration(row["averageHandleSeconds"]?.GetValue<double>()));
            await Expect(cells.GetByTestId("service-level"))
                .ToHaveTextAsync(ReportFormat.Percent(row["serviceLevelPercent"]?.GetValue<double>()));
        }

        var totals = page.GetByTestId("report-totals");
        await Expect(totals.GetByTestId("received")).ToHaveTextAsync(Sum(rows, "received"));
        await Expect(totals.GetByTestId("accepted")).ToHaveTextAsync(Sum(rows, "accepted"));
        await Expect(totals.GetByTestId("completed")).ToHaveTextAsync(Sum(rows, "completed"));

        // Two accepts: 2 minutes within the 150-second threshold, 3 minutes past it.
        Assert.Equal("2", Sum(rows, "received"));
        await Expect(totals.GetByTestId("service-level")).ToHaveTextAsync("50.0 %");
        await Expect(totals.GetByTestId("average-wait")).ToHaveTextAsync("2:30");
        await Expect(page.GetByTestId("volume-summary")).ToContainTextAsync("2 received, 2 completed");
    }

    private static async Task AssertWorkCodeTableAsync(IPage page, JsonArray rows)
    {
        Assert.Equal(2, rows.Count);
        var tableRows = page.GetByTestId("report-row");
        await Expect(tableRows).ToHaveCountAsync(rows.Count);
        for (var index = 0; index < rows.Count; index++)
        {
            var row = rows[index]!;
            var cells = tableRows.Nth(index);
            await Expect(cells.GetByTestId("work-code")).ToHaveTextAsync(row["workCode"]!.GetValue<string>());
            await Expect(cells.GetByTestId("completed")).ToHaveTextAsync(Count(row, "completed"));
        }

        await Expect(page.GetByTestId("report-totals").GetByTestId("completed")).ToHaveTextAsync("2");
        await Expect(page.GetByTestId("codes-summary")).ToHaveTextAsync("Escalated 1, Resolved 1");
    }

    private static async Task AssertAgentTableAsync(IPage page, JsonArray rows)
    {
        var row = Assert.Single(rows)!;
        var cells = page.GetByTestId("report-row");
        await Expect(cells).ToHaveCountAsync(1);
        await Expect(cells.GetByTestId("agent")).ToHaveTextAsync(DesktopTenant.AgentId);
        await Expect(cells.GetByTestId("accepted")).ToHaveTextAsync(Count(row, "accepted"));
        await Expect(cells.GetByTestId("completed")).ToHaveTextAsync(Count(row, "completed"));
        await Expect(cells.GetByTestId("available"))
            .ToHaveTextAsync(ReportFormat.Duration(row["availableSeconds"]!.GetValue<double>()));
        var codes = row["workCodes"]!.AsArray()
            .Select(code => $"{code!["workCode"]!.GetValue<string>()} {code["completed"]!.GetValue<int>()}");
        await Expect(cells.GetByTestId("work-codes")).ToHaveTextAsync(string.Join(", ", codes));
        Assert.Equal("2", Count(row, "accepted"));
    }

    private static string Count(JsonNode row, string field) =>
        ReportFormat.Count(row[field]!.GetValue<int>());

    private static string Sum(JsonArray rows, string field) =>
        ReportFormat.Count(rows.Sum(row => row![field]!.GetValue<int>()));
}

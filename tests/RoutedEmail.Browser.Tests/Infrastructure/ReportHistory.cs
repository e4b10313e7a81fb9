using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace RoutedEmail.Browser.Tests.Infrastructure;

/// <summary>
/// A small day of work for the interval reports, made through the public APIs on a fake clock: two emails to Parts,
/// both accepted by maria and completed with a work code each. The clock starts on yesterday's date in the tenant's
/// time zone and ends near the real time, so the report page's default range, yesterday, holds the history.
/// </summary>
public static class ReportHistory
{
    public const string TimeZone = "America/Chicago";

    /// <summary>
    /// The Parts threshold: the first email's wait of 2 minutes is within it, the second's 3 minutes are not.
    /// </summary>
    public const int ServiceLevelSeconds = 150;

    private static readonly string[] WorkCodeGroups = ["Outcomes"];

    /// <summary>
    /// Returns a clock on yesterday's date in <see cref="TimeZone"/>, at the real time of day but no later than
    /// 22:00, so that the few minutes of history stay on that date.
    /// </summary>
    public static FakeTimeProvider YesterdayClock()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
        var now = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone);
        var timeOfDay = now.TimeOfDay < TimeSpan.FromHours(22) ? now.TimeOfDay : TimeSpan.FromHours(22);
        var local = now.Date.AddDays(-1).Add(timeOfDay);
        return new FakeTimeProvider(new DateTimeOffset(local, zone.GetUtcOffset(local)));
    }

    /// <summary>
    /// Makes the history on <paramref name="time"/>, then moves the clock to the real time, so the supervisor's
    /// session that the browser gets afterwards is not already expired by the browser's clock.
    /// </summary>
    public static async Task CreateAsync(DesktopTenant tenant, FakeTimeProvider time)
    {
        var server = tenant.Server;
        using (var zone = await server.Admin.PutAsJsonAsync(DesktopTenant.TenantPath, new { timeZone = TimeZone }))
        {
            zone.EnsureSuccessStatusCode();
        }

        await tenant.PutAsync("skill-queues/Parts", new
        {
            offerTimeoutSeconds = 600, serviceLevelSeconds = ServiceLevelSeconds, workCodeGroups = WorkCodeGroups,
            workCodeRequired = true,
        });
        await tenant.IngestAsync("e-report-1", "First email");
        await tenant.IngestAsync("e-report-2", "Second email");

        using var agent = await SignInAgentAsync(server);
        await PutStatusAsync(agent, "Available");
        var first = await FindOfferAsync(agent, "e-report-1");
        var second = await FindOfferAsync(agent, "e-report-2");

        time.Advance(TimeSpan.FromMinutes(2));
        await PostAsync(agent, $"/api/v1/agent/offers/{first["offerId"]}/accept", null);
        time.Advance(TimeSpan.FromMinutes(1));
        await PostAsync(agent, $"/api/v1/agent/offers/{second["offerId"]}/accept", null);
        time.Advance(TimeSpan.FromMinutes(3));
        await PostAsync(agent, $"/api/v1/agent/emails/{first["email"]!["emailId"]}/complete",
            new { workCode = "Resolved" });
        time.Advance(TimeSpan.FromMinutes(1));
        await PostAsync(agent, $"/api/v1/agent/emails/{second["email"]!["emailId"]}/complete",
            new { workCode = "Escalated" });
        await PutStatusAsync(agent, "Offline");

        var behind = DateTimeOffset.UtcNow - time.GetUtcNow();
        if (behind > TimeSpan.Zero)
        {
            time.Advance(behind);
        }
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
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"PUT status {status} failed: {(int)response.StatusCode} {text}");
    }

    private static async Task PostAsync(HttpClient agent, string path, object? body)
    {
        using var response = body is null
            ? await agent.PostAsync(path, null)
            : await agent.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path} failed: {(int)response.StatusCode} {text}");
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

            // Routing starts on the ingest and the status change, not on a timer of the fake clock, so this waits
            // in real time.
            await Task.Delay(100);
        }

        Assert.Fail($"No offer of {entityId} within 10 seconds.");
        return [];
    }
}

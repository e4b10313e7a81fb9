using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

public sealed class WalkthroughTests
{
    [Fact]
    public async Task SeedExample_PostedAcceptedCompleted_EndsCompleted()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");

        using var ingest = await scenario.IngestAsync(Scenario.SeedExample);
        Assert.Equal(HttpStatusCode.OK, ingest.StatusCode);
        Assert.Equal("""{"responseEnum":"SUCCESS","errorMessage":null}""", await ingest.Content.ReadAsStringAsync());

        using var available = await agent.PutAsJsonAsync("/api/v1/agent/status", new { status = "Available" });
        available.EnsureSuccessStatusCode();
        var offer = await WaitForOfferAsync(agent);
        Assert.Equal("e94c0a8a-0b69-11ec-9a03-0242ac130003", offer["email"]!["entityId"]!.GetValue<string>());

        var offerId = offer["offerId"]!.GetValue<long>();
        using var accept = await agent.PostAsync($"/api/v1/agent/offers/{offerId}/accept", null);
        accept.EnsureSuccessStatusCode();
        var emailId = offer["email"]!["emailId"]!.GetValue<long>();
        using var complete = await agent.PostAsJsonAsync($"/api/v1/agent/emails/{emailId}/complete",
            new { workCode = "Resolved", notes = "Part shipped" });
        complete.EnsureSuccessStatusCode();

        var email = await scenario.FindEmailAsync("e94c0a8a-0b69-11ec-9a03-0242ac130003");
        Assert.Equal("Completed", email!["state"]!.GetValue<string>());
        Assert.Equal("maria", email["agentId"]!.GetValue<string>());
        var events = email["history"]!.AsArray().Select(entry => entry!["event"]!.GetValue<string>()).ToArray();
        Assert.Equal(["Received", "Offered", "Accepted", "Completed"], events);
    }

    /// <summary>Polls the agent's work until an offer appears; routing runs in the background after a commit.</summary>
    internal static async Task<JsonObject> WaitForOfferAsync(HttpClient agent)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var work = await agent.GetFromJsonAsync<JsonObject>("/api/v1/agent/work", timeout.Token);
            var offers = work!["offers"]!.AsArray();
            if (offers.Count > 0)
            {
                return offers[0]!.AsObject();
            }

            await Task.Delay(20, timeout.Token);
        }
    }
}

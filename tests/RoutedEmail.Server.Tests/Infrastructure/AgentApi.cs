using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace RoutedEmail.Server.Tests.Infrastructure;

/// <summary>Calls of the agent API through a signed-in agent's client.</summary>
public static class AgentApi
{
    private static readonly TimeSpan RoutingTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Sets the agent's status and fails the test on an error.</summary>
    public static async Task SetStatusAsync(this HttpClient agent, string status)
    {
        using var response = await agent.PutAsJsonAsync("/api/v1/agent/status", new { status });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"PUT status {status} failed: {(int)response.StatusCode} {body}");
    }

    public static async Task<JsonObject> GetWorkAsync(this HttpClient agent) =>
        (await agent.GetFromJsonAsync<JsonObject>("/api/v1/agent/work"))!;

    /// <summary>
    /// Polls the agent's work until the condition holds, because routing runs in the background after the commit
    /// that makes an offer possible. Fails the test after 10 seconds with the last work seen.
    /// </summary>
    public static async Task<JsonObject> WaitForWorkAsync(
        this HttpClient agent, Func<JsonObject, bool> condition, string expected)
    {
        using var timeout = new CancellationTokenSource(RoutingTimeout);
        var work = await agent.GetWorkAsync();
        while (!condition(work))
        {
            try
            {
                await Task.Delay(20, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Timed out waiting for {expected}. Last work: {work.ToJsonString()}");
            }

            work = await agent.GetWorkAsync();
        }

        return work;
    }

    /// <summary>Waits until the agent has exactly this many pending offers, and returns them.</summary>
    public static async Task<JsonObject[]> WaitForOffersAsync(this HttpClient agent, int count)
    {
        var work = await agent.WaitForWorkAsync(work => Offers(work).Length == count, $"{count} offers");
        return Offers(work);
    }

    /// <summary>Waits for the agent's single pending offer, checks that it is for the entity id, and returns it.</summary>
    public static async Task<JsonObject> WaitForOfferOfAsync(this HttpClient agent, string entityId)
    {
        var work = await agent.WaitForWorkAsync(work => Offers(work).Length > 0, $"an offer of {entityId}");
        var offers = Offers(work);
        Assert.Single(offers);
        Assert.Equal(entityId, EntityIdOf(offers[0]));
        return offers[0];
    }

    /// <summary>Accepts the offer and fails the test on an error.</summary>
    public static async Task AcceptAsync(this HttpClient agent, JsonObject offer)
    {
        using var response = await agent.PostAsync($"/api/v1/agent/offers/{OfferIdOf(offer)}/accept", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Accept failed: {(int)response.StatusCode} {body}");
    }

    /// <summary>Completes the offer's email and fails the test on an error.</summary>
    public static async Task CompleteAsync(this HttpClient agent, JsonObject offer)
    {
        using var response = await agent.PostAsJsonAsync(
            $"/api/v1/agent/emails/{EmailIdOf(offer)}/complete", new { workCode = "Resolved" });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Complete failed: {(int)response.StatusCode} {body}");
    }

    /// <summary>Accepts and completes an offer, so the agent is free again.</summary>
    public static async Task AcceptAndCompleteAsync(this HttpClient agent, JsonObject offer)
    {
        await agent.AcceptAsync(offer);
        await agent.CompleteAsync(offer);
    }

    public static JsonObject[] Offers(JsonObject work) =>
        [.. work["offers"]!.AsArray().Select(offer => offer!.AsObject())];

    public static JsonObject[] Emails(JsonObject work) =>
        [.. work["emails"]!.AsArray().Select(email => email!.AsObject())];

    public static long OfferIdOf(JsonObject offer) => offer["offerId"]!.GetValue<long>();

    public static long EmailIdOf(JsonObject offer) => offer["email"]!["emailId"]!.GetValue<long>();

    public static string EntityIdOf(JsonObject offer) => offer["email"]!["entityId"]!.GetValue<string>();
}

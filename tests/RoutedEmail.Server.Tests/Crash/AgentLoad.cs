using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace RoutedEmail.Server.Tests.Crash;

/// <summary>
/// Agents working over the REST agent API until the server dies or <see cref="Stop"/> is called: each agent polls
/// its work, goes Available whenever it is not, declines about one offer in ten, accepts the others and completes
/// every Active email with a work code. Every action that returns success goes into the ledger.
/// </summary>
/// <remarks>
/// A request that gets no response ends the agent's loop, because the only expected cause is the kill. Responses
/// of 409 or 404 are expected races, such as an offer that expired or was withdrawn before the accept arrived. Any
/// other error status is recorded in <see cref="Errors"/> for the test to report.
/// </remarks>
internal sealed class AgentLoad(
    Uri baseAddress, IReadOnlyDictionary<string, string> tokens, int seed, AgentLedger ledger)
{
    /// <summary>The work codes the loop picks from when it completes an email.</summary>
    public static readonly string[] WorkCodes = ["Resolved", "FollowUp"];

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    private readonly List<string> _errors = [];
    private volatile bool _stopped;
    private int _accepts;
    private int _completes;
    private int _declines;

    /// <summary>Called when an accept, decline or complete request was sent, before its response arrives.</summary>
    public Action<AgentAction, AgentChannel>? ActionSent { get; init; }

    /// <summary>The number of accepts that returned success.</summary>
    public int Accepts => Volatile.Read(ref _accepts);

    /// <summary>The number of completes that returned success.</summary>
    public int Completes => Volatile.Read(ref _completes);

    /// <summary>The number of declines that returned success.</summary>
    public int Declines => Volatile.Read(ref _declines);

    /// <summary>Every unexpected response, as method, path, status and body.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    /// <summary>Runs one loop per agent until every loop has ended.</summary>
    public Task RunAsync() =>
        Task.WhenAll(tokens.Select((agent, index) =>
            Task.Run(() => WorkAsync(agent.Key, agent.Value, seed + index))));

    /// <summary>Stops the loops after their current request.</summary>
    public void Stop() => _stopped = true;

    private async Task WorkAsync(string agentId, string token, int agentSeed)
    {
        var random = new Random(agentSeed);
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            while (!_stopped)
            {
                await WorkOnceAsync(agentId, http, random);
                await Task.Delay(PollInterval);
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException
                                              or TaskCanceledException)
        {
            // The server was killed; the restarted one gets a new loop.
        }
    }

    private async Task WorkOnceAsync(string agentId, HttpClient http, Random random)
    {
        using var workResponse = await http.GetAsync(new Uri("/api/v1/agent/work", UriKind.Relative));
        if (!await CheckAsync(workResponse, "GET /api/v1/agent/work"))
        {
            return;
        }

        var work = (await workResponse.Content.ReadFromJsonAsync<JsonObject>())!;
        if (work["status"]!.GetValue<string>() != "Available")
        {
            using var status = await http.PutAsJsonAsync("/api/v1/agent/status", new { status = "Available" });
            await CheckAsync(status, "PUT /api/v1/agent/status");
        }

        foreach (var offer in work["offers"]!.AsArray())
        {
            var offerId = offer!["offerId"]!.GetValue<long>();
            var decline = random.Next(10) == 0;
            var path = $"/api/v1/agent/offers/{offerId}/{(decline ? "decline" : "accept")}";
            var sending = http.PostAsync(new Uri(path, UriKind.Relative), null);
            var action = decline ? AgentAction.Decline : AgentAction.Accept;
            ActionSent?.Invoke(action, AgentChannel.Rest);
            using var response = await sending;
            if (await CheckAsync(response, "POST " + path))
            {
                ledger.Record(new AcknowledgedAction(action, AgentChannel.Rest, agentId, offerId));
                Interlocked.Increment(ref decline ? ref _declines : ref _accepts);
            }
        }

        foreach (var email in work["emails"]!.AsArray())
        {
            if (email!["state"]!.GetValue<string>() != "Active")
            {
                continue;
            }

            var emailId = email["emailId"]!.GetValue<long>();
            var path = $"/api/v1/agent/emails/{emailId}/complete";
            var workCode = WorkCodes[random.Next(WorkCodes.Length)];
            var sending = http.PostAsJsonAsync(path, new { workCode, notes = "crash loop" });
            ActionSent?.Invoke(AgentAction.Complete, AgentChannel.Rest);
            using var response = await sending;
            if (await CheckAsync(response, "POST " + path))
            {
                ledger.Record(
                    new AcknowledgedAction(AgentAction.Complete, AgentChannel.Rest, agentId, emailId, workCode));
                Interlocked.Increment(ref _completes);
            }
        }
    }

    // Returns whether the response is a success, and records it unless it is an expected race.
    private async Task<bool> CheckAsync(HttpResponseMessage response, string request)
    {
        if (response.IsSuccessStatusCode)
        {
            return true;
        }

        if (response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            return false;
        }

        var body = await response.Content.ReadAsStringAsync();
        lock (_errors)
        {
            _errors.Add($"{request} returned {(int)response.StatusCode}: {body}");
        }

        return false;
    }
}

using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using RoutedEmail.Server.Tests.Crash;

namespace RoutedEmail.Bench.Figures;

/// <summary>An offer as a <c>work</c> message of the agent hub shows it.</summary>
/// <param name="OfferId">The offer's id.</param>
/// <param name="EmailId">The offered email's id.</param>
/// <param name="EntityId">The offered email's entity id.</param>
internal sealed record HubOffer(long OfferId, long EmailId, string EntityId);

/// <summary>
/// A simulated agent on the agent hub (<c>/hubs/agent</c>, protocol version 1): one SignalR connection that reports
/// each new offer in a pushed <c>work</c> message once, and accepts and completes emails through hub methods.
/// </summary>
internal sealed class HubAgent : IAsyncDisposable
{
    /// <summary>The password of every agent that the harness defines.</summary>
    public const string Password = "bench-agent-password";

    private readonly HubConnection _connection;
    private readonly HashSet<long> _seenOffers = [];

    private HubAgent(string agentId, HubConnection connection)
    {
        AgentId = agentId;
        _connection = connection;
    }

    /// <summary>The agent's id.</summary>
    public string AgentId { get; }

    /// <summary>
    /// Defines the agent through the admin API (one skill queue, a maximum of one email, no wrap time) and signs it
    /// in through the REST agent API, and returns its bearer token.
    /// </summary>
    /// <exception cref="HttpRequestException">A request failed; the message contains the response.</exception>
    public static async Task<string> DefineAndSignInAsync(
        HttpClient http, TenantCredentials tenant, string agentId, string skillQueue)
    {
        var definition = new
        {
            displayName = agentId,
            password = Password,
            maxConcurrentEmails = 1,
            skillQueues = new[] { new { name = skillQueue, rank = 1 } },
            wrapSeconds = 0,
        };
        await TenantClient.SendTenantAdminAsync(
            http, ServerProcess.AdminToken, tenant, HttpMethod.Put, $"agents/{agentId}", definition);
        return await TenantClient.SignInAgentAsync(http, tenant, agentId, Password);
    }

    /// <summary>
    /// Opens the hub connection with the agent's token. <paramref name="onOffer"/> runs on SignalR's receive loop
    /// once per offer, at the moment the first <c>work</c> message that contains it arrives, so it must not block.
    /// </summary>
    /// <exception cref="HttpRequestException">The negotiation failed, such as 401 for a bad token.</exception>
    public static async Task<HubAgent> ConnectAsync(
        Uri baseAddress, string agentId, string token, Action<HubAgent, HubOffer, long> onOffer)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, "/hubs/agent"),
                options => options.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        var agent = new HubAgent(agentId, connection);
        connection.On<JsonElement>("work", message =>
        {
            var arrived = Stopwatch.GetTimestamp();
            foreach (var offer in agent.ReadNewOffers(message))
            {
                onOffer(agent, offer, arrived);
            }
        });
        await connection.StartAsync();
        return agent;
    }

    /// <summary>Sets the agent's status, such as Available, through the hub method <c>SetStatus</c>.</summary>
    public Task SetStatusAsync(string status) => _connection.InvokeAsync<JsonElement>("SetStatus", status);

    /// <summary>Accepts the offer and completes its email without a work code, through the hub.</summary>
    /// <exception cref="Microsoft.AspNetCore.SignalR.HubException">
    /// The server rejected a call; the message contains its detail.
    /// </exception>
    public async Task AcceptAndCompleteAsync(HubOffer offer)
    {
        await AcceptAsync(offer);
        await CompleteAsync(offer);
    }

    /// <summary>Accepts the offer through the hub.</summary>
    /// <exception cref="Microsoft.AspNetCore.SignalR.HubException">The server rejected the call.</exception>
    public Task AcceptAsync(HubOffer offer) => _connection.InvokeAsync<JsonElement>("Accept", offer.OfferId);

    /// <summary>Completes the offer's email, accepted before, without a work code, through the hub.</summary>
    /// <exception cref="Microsoft.AspNetCore.SignalR.HubException">The server rejected the call.</exception>
    public Task CompleteAsync(HubOffer offer) =>
        _connection.InvokeAsync<JsonElement>("Complete", offer.EmailId, null, null);

    /// <summary>Closes the connection.</summary>
    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    // Snapshots repeat pending offers, so each offer is reported once, by the first snapshot that shows it.
    private List<HubOffer> ReadNewOffers(JsonElement message)
    {
        var offers = new List<HubOffer>();
        lock (_seenOffers)
        {
            foreach (var offer in message.GetProperty("work").GetProperty("offers").EnumerateArray())
            {
                var offerId = offer.GetProperty("offerId").GetInt64();
                if (_seenOffers.Add(offerId))
                {
                    var email = offer.GetProperty("email");
                    offers.Add(new HubOffer(
                        offerId, email.GetProperty("emailId").GetInt64(), email.GetProperty("entityId").GetString()!));
                }
            }
        }

        return offers;
    }
}

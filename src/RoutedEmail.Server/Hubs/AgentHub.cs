using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using RoutedEmail.Server.Agents;
using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Hubs;

/// <summary>
/// The real-time agent hub: pushes the agent's work as the message <c>work</c> and takes the agent's actions.
/// docs/agent-hub.md is the contract.
/// </summary>
[Authorize(Policy = AuthNames.AgentPolicy)]
internal sealed partial class AgentHub(
    AgentConnections connections, AgentActions actions, IAgentStore agents, ILogger<AgentHub> logger) : Hub
{
    private const string TokenHashItem = "tokenHash";

    /// <summary>Registers the connection with its agent and sends it the agent's current work at once.</summary>
    public override async Task OnConnectedAsync()
    {
        var agent = Agent;
        // The agent scheme accepted a bearer token or the session cookie, so one of them is there.
        var token = SessionTokens.Read(Context.GetHttpContext()!.Request)!.Value.Token;
        var tokenHash = SecretTokens.Hash(token);
        Context.Items[TokenHashItem] = tokenHash;

        // A change that commits while the connection opens is either in the Connected snapshot or in a later push.
        await connections.AddAsync(agent, Context, tokenHash, Clients.Caller);
        Log.Connected(logger, agent.TenantId, agent.AgentId, Context.ConnectionId);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        var agent = Agent;
        await connections.RemoveAsync(agent, Context.ConnectionId);
        Log.Disconnected(logger, agent.TenantId, agent.AgentId, Context.ConnectionId);
    }

    /// <summary>Returns the version of the hub contract.</summary>
    [HubMethodName("GetProtocolVersion")]
    [SuppressMessage("Performance", "CA1822", Justification = "SignalR invokes only instance methods of a hub.")]
    public int GetProtocolVersion() => AgentHubProtocol.Version;

    /// <summary>Returns the agent's current work with the sequence of the last push.</summary>
    [HubMethodName("GetWork")]
    public async Task<AgentWorkMessage> GetWorkAsync()
    {
        await RequireSessionAsync();
        return await connections.ReadSnapshotAsync(Agent, AgentHubProtocol.GetWorkReason, Context.ConnectionAborted);
    }

    /// <summary>Sets the agent's status, as <c>PUT /api/v1/agent/status</c> does.</summary>
    [HubMethodName("SetStatus")]
    public async Task<AgentWorkMessage> SetStatusAsync(string? status)
    {
        await RequireSessionAsync();
        return await ThenReadAsync("SetStatus",
            await actions.SetStatusAsync(Agent, status, Context.ConnectionAborted));
    }

    /// <summary>Sets the agent's count of tasks on other channels, as <c>PUT /api/v1/agent/other-work</c> does.</summary>
    [HubMethodName("SetOtherWork")]
    public async Task<AgentWorkMessage> SetOtherWorkAsync(int? count)
    {
        await RequireSessionAsync();
        return await ThenReadAsync("SetOtherWork",
            await actions.SetOtherWorkAsync(Agent, count, Context.ConnectionAborted));
    }

    /// <summary>Sets the agent's status with an away reason, as <c>PUT /api/v1/agent/status</c> does.</summary>
    [HubMethodName("SetStatusWithReason")]
    public async Task<AgentWorkMessage> SetStatusWithReasonAsync(string? status, string? reason)
    {
        await RequireSessionAsync();
        return await ThenReadAsync("SetStatusWithReason",
            await actions.SetStatusAsync(Agent, status, reason, Context.ConnectionAborted));
    }

    /// <summary>Accepts a pending offer, as <c>POST /api/v1/agent/offers/{offerId}/accept</c> does.</summary>
    [HubMethodName("Accept")]
    public async Task<AgentWorkMessage> AcceptAsync(long offerId)
    {
        await RequireSessionAsync();
        return await ThenReadAsync("Accept", await actions.AcceptAsync(Agent, offerId, Context.ConnectionAborted));
    }

    /// <summary>Declines a pending offer, as <c>POST /api/v1/agent/offers/{offerId}/decline</c> does.</summary>
    [HubMethodName("Decline")]
    public async Task<AgentWorkMessage> DeclineAsync(long offerId)
    {
        await RequireSessionAsync();
        return await ThenReadAsync("Decline", await actions.DeclineAsync(Agent, offerId, Context.ConnectionAborted));
    }

    /// <summary>Ends an email's wrap time now, as <c>POST /api/v1/agent/emails/{emailId}/end-wrap</c> does.</summary>
    [HubMethodName("EndWrap")]
    public async Task<AgentWorkMessage> EndWrapAsync(long emailId)
    {
        await RequireSessionAsync();
        return await ThenReadAsync("EndWrap", await actions.EndWrapAsync(Agent, emailId, Context.ConnectionAborted));
    }

    /// <summary>Completes an active email, as <c>POST /api/v1/agent/emails/{emailId}/complete</c> does.</summary>
    [HubMethodName("Complete")]
    public async Task<AgentWorkMessage> CompleteAsync(long emailId, string? workCode, string? notes)
    {
        await RequireSessionAsync();
        return await ThenReadAsync("Complete",
            await actions.CompleteAsync(Agent, emailId, workCode, notes, Context.ConnectionAborted));
    }

    /// <summary>
    /// Transfers an active email to a skill queue or another agent, as
    /// <c>POST /api/v1/agent/emails/{emailId}/transfer</c> does; pass exactly one of the two.
    /// </summary>
    [HubMethodName("Transfer")]
    public async Task<AgentWorkMessage> TransferAsync(long emailId, string? skillQueue, string? agentId)
    {
        await RequireSessionAsync();
        return await ThenReadAsync("Transfer",
            await actions.TransferAsync(Agent, emailId, skillQueue, agentId, Context.ConnectionAborted));
    }

    private AgentKey Agent => new(
        long.Parse(Context.User!.FindFirstValue(AuthNames.TenantIdClaim)!, CultureInfo.InvariantCulture),
        Context.User!.FindFirstValue(AuthNames.AgentIdClaim)!);

    /// <summary>Raises the action's error to the caller, or returns the agent's work after the action.</summary>
    private async Task<AgentWorkMessage> ThenReadAsync(string reason, AgentActionFailure? failure)
    {
        if (failure is not null)
        {
            throw new HubException(failure.Detail);
        }

        return await connections.ReadSnapshotAsync(Agent, reason, Context.ConnectionAborted);
    }

    /// <summary>
    /// Closes the connection when its session ended after it connected (sign-out, new password, expiry), because
    /// SignalR checks the token only when the connection opens.
    /// </summary>
    private async Task RequireSessionAsync()
    {
        var tokenHash = (byte[])Context.Items[TokenHashItem]!;
        if (await agents.FindSessionAsync(tokenHash, Context.ConnectionAborted) is null)
        {
            Context.Abort();
            throw new HubException("The agent token is no longer valid because the session was signed out or expired. " +
                "Sign in again with POST /api/v1/agent/sign-in and reconnect with the new token.");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(6106, LogLevel.Information,
            "Hub connection {ConnectionId} of agent {AgentId} of tenant {TenantId} opened")]
        public static partial void Connected(ILogger logger, long tenantId, string agentId, string connectionId);

        [LoggerMessage(6107, LogLevel.Information,
            "Hub connection {ConnectionId} of agent {AgentId} of tenant {TenantId} closed")]
        public static partial void Disconnected(ILogger logger, long tenantId, string agentId, string connectionId);
    }
}

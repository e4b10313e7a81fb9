using RoutedEmail.Server.Agents;
using RoutedEmail.Server.Routing;

namespace RoutedEmail.Server.Hubs;

/// <summary>
/// Pushes an agent's committed work to its hub connections on this node. The push runs in the background, so a
/// slow client never holds up the router, the expiry service or a request that made the change.
/// </summary>
internal sealed partial class HubAgentNotifier(
    AgentConnections connections, IHostApplicationLifetime lifetime, ILogger<HubAgentNotifier> logger)
    : IAgentNotifier
{
    public Task NotifyAsync(long tenantId, string agentId, string reason)
    {
        // A hub method of the same agent that returns its work after the change may send this push first, with
        // the same read, and then the background push finds nothing left to send.
        var agent = new AgentKey(tenantId, agentId);
        if (connections.RequestPush(agent, reason))
        {
            _ = Task.Run(() => PushAsync(agent, reason));
        }

        return Task.CompletedTask;
    }

    private async Task PushAsync(AgentKey agent, string reason)
    {
        try
        {
            await connections.PushAsync(agent, lifetime.ApplicationStopping);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // The service is stopping, and every client resynchronises when it reconnects.
        }
        catch (Exception exception)
        {
            // The change is committed, so the next push, a GetWork call or a reconnect shows it. Until then the
            // client shows older work, but without a gap in the sequence, when the failure came before the send.
            Log.PushFailed(logger, exception, agent.TenantId, agent.AgentId, reason);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(6101, LogLevel.Error,
            "Pushing work to the hub connections of agent {AgentId} of tenant {TenantId} after {Reason} failed")]
        public static partial void PushFailed(
            ILogger logger, Exception exception, long tenantId, string agentId, string reason);
    }
}

using RoutedEmail.Server.Hubs;
using RoutedEmail.Server.Routing;

namespace RoutedEmail.Server.Cluster;

/// <summary>
/// Pushes an agent's change to its hub connections on this node and publishes it to the other nodes, so a node that
/// has other connections of the agent pushes too.
/// </summary>
internal sealed class ClusterAgentNotifier(HubAgentNotifier local, ClusterPublisher publisher) : IAgentNotifier
{
    public async Task NotifyAsync(long tenantId, string agentId, string reason)
    {
        await local.NotifyAsync(tenantId, agentId, reason);
        publisher.PublishAgentChanged(tenantId, agentId, reason);
    }
}

/// <summary>
/// Wakes this node's router and publishes a request to the other nodes to route the tenant too. Every local
/// wake-up is published, new email included. A step on any node sees the whole tenant, so the extra steps find
/// nothing to do unless the waking node fails before its own step. The publisher merges the wake-ups of one tenant
/// that queue up while it sends, which bounds the extra steps under heavy ingest.
/// </summary>
internal sealed class ClusterRoutingTrigger(RoutingService local, ClusterPublisher publisher) : IRoutingTrigger
{
    public void Wake(long tenantId)
    {
        local.Wake(tenantId);
        publisher.PublishTenantRoutable(tenantId);
    }
}

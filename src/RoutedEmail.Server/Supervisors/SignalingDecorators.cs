using RoutedEmail.Server.Routing;

namespace RoutedEmail.Server.Supervisors;

/// <summary>
/// Signals the supervisors of the tenant after each agent notification: an offer, an accept, a decline, an expiry,
/// a completion, a wrap end, a status change or a cancel.
/// </summary>
internal sealed class SignalingAgentNotifier(IAgentNotifier inner, SupervisorSignal supervisors) : IAgentNotifier
{
    public async Task NotifyAsync(long tenantId, string agentId, string reason)
    {
        await inner.NotifyAsync(tenantId, agentId, reason);
        supervisors.Signal(tenantId);
    }
}

/// <summary>
/// Signals the supervisors of the tenant on each routing wake-up. Ingest, cancels, transfers to a queue and queue
/// changes wake the router after they commit, so their changes reach the dashboard through here.
/// </summary>
internal sealed class SignalingRoutingTrigger(IRoutingTrigger inner, SupervisorSignal supervisors) : IRoutingTrigger
{
    public void Wake(long tenantId)
    {
        inner.Wake(tenantId);
        supervisors.Signal(tenantId);
    }
}

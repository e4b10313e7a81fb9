using System.Collections.Concurrent;
using RoutedEmail.Core.Emails;
using RoutedEmail.Server.Routing;

namespace RoutedEmail.Server.Telemetry;

/// <summary>
/// Times the hand-over of offer notifications: a routing step starts the clock of each agent it offered to, and the
/// agent's next <c>Offered</c> notification stops it. The map contains at most one entry per agent.
/// </summary>
internal sealed class OfferPushClock
{
    private readonly ConcurrentDictionary<(long TenantId, string AgentId), long> _started = new();

    /// <summary>Starts the agent's clock at a <see cref="TimeProvider.GetTimestamp"/> value.</summary>
    public void Start(long tenantId, string agentId, long timestamp) => _started[(tenantId, agentId)] = timestamp;

    /// <summary>Stops the agent's clock and returns the timestamp it started at, or null when none runs.</summary>
    public long? Stop(long tenantId, string agentId) =>
        _started.TryRemove((tenantId, agentId), out var timestamp) ? timestamp : null;
}

/// <summary>
/// Records the time from an offer's commit to the end of the agent's <c>Offered</c> notification. On a node of a
/// cluster that is the hand-over to the local hub or to the cluster channel, not the arrival at the agent's client.
/// </summary>
internal sealed class InstrumentedAgentNotifier(
    IAgentNotifier inner, OfferPushClock pushes, RoutedEmailMetrics metrics, TenantLabels tenants, TimeProvider time)
    : IAgentNotifier
{
    public async Task NotifyAsync(long tenantId, string agentId, string reason)
    {
        await inner.NotifyAsync(tenantId, agentId, reason);
        if (reason == EventTypes.Offered && pushes.Stop(tenantId, agentId) is { } started)
        {
            var tenant = await tenants.GetAsync(tenantId, CancellationToken.None);
            var elapsed = time.GetElapsedTime(started).TotalSeconds;
            metrics.OfferToPushDuration.Record(elapsed, RoutedEmailMetrics.Tenant(tenant));
        }
    }
}

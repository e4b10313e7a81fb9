using System.Collections.Concurrent;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Security;

/// <summary>
/// Stores the time of each agent's authenticated requests for the REST inactivity timeout, at most once a minute per
/// agent on this node, so that most requests write nothing.
/// </summary>
internal sealed class AgentActivityRecorder(IAgentActivityStore store, TimeProvider time)
{
    private static readonly TimeSpan WriteInterval = TimeSpan.FromMinutes(1);

    // NOTE: one entry stays per agent that made a request to this node. It is lost at restart, so the first
    // request after a restart is always written.
    private readonly ConcurrentDictionary<(long TenantId, string AgentId), DateTimeOffset> _written = new();

    public async Task RecordAsync(long tenantId, string agentId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var key = (tenantId, agentId);
        if (_written.TryGetValue(key, out var written) && now - written < WriteInterval)
        {
            return;
        }

        _written[key] = now;
        await store.RecordRequestAsync(tenantId, agentId, now, cancellationToken);
    }
}

namespace RoutedEmail.Core.Routing;

/// <summary>
/// The routable agents of one tenant, with each skill queue's agents sorted in routing order. That is the order in
/// which the routing rules pick among agents that target the same email: better rank for the queue, then fewer
/// emails, then idle longer, then lower agent id in ordinal order. With that order,
/// <see cref="RoutingPolicy.ChooseNext(RoutableAgentSet, IReadOnlyDictionary{string, IReadOnlyList{QueueHead}})"/>
/// usually stops at a queue's first agent instead of looking at every agent of the tenant.
/// </summary>
/// <remarks>Not thread-safe: one routing step at a time uses a set.</remarks>
public class RoutableAgentSet
{
    private readonly List<RoutableAgent> _agents = [];
    private readonly Dictionary<string, int> _indexes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedSet<RoutableAgent>> _queues = new(StringComparer.Ordinal);

    /// <summary>The agents, in no particular order.</summary>
    public IReadOnlyList<RoutableAgent> Agents => _agents;

    /// <summary>The skill queues that at least one of the agents serves.</summary>
    public IEnumerable<string> Queues => _queues.Keys;

    /// <summary>Returns the agent with this id, or null when the set does not contain it.</summary>
    public RoutableAgent? Find(string agentId) => _indexes.TryGetValue(agentId, out var index) ? _agents[index] : null;

    /// <summary>Adds an agent.</summary>
    /// <exception cref="ArgumentException">The set already contains an agent with the same id.</exception>
    public void Add(RoutableAgent agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        _indexes.Add(agent.AgentId, _agents.Count);
        _agents.Add(agent);
        foreach (var queue in agent.Ranks.Keys)
        {
            if (!_queues.TryGetValue(queue, out var serving))
            {
                serving = new SortedSet<RoutableAgent>(new RoutingOrder(queue));
                _queues.Add(queue, serving);
            }

            serving.Add(agent);
        }
    }

    /// <summary>Removes the agent with this id, if the set contains it.</summary>
    public void Remove(string agentId)
    {
        if (!_indexes.Remove(agentId, out var index))
        {
            return;
        }

        var agent = _agents[index];
        foreach (var queue in agent.Ranks.Keys)
        {
            var serving = _queues[queue];
            serving.Remove(agent);
            if (serving.Count == 0)
            {
                _queues.Remove(queue);
            }
        }

        // The last agent takes the removed one's place, so a removal costs the same at any position.
        var last = _agents[^1];
        _agents[index] = last;
        _agents.RemoveAt(_agents.Count - 1);
        if (last.AgentId != agentId)
        {
            _indexes[last.AgentId] = index;
        }
    }

    /// <summary>
    /// Counts one more email for the agent: its load grows by one and its free slots shrink by one, and an agent
    /// left without a free slot leaves the set.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The set contains no agent with this id.</exception>
    public void CountOffer(string agentId)
    {
        var agent = _agents[_indexes[agentId]];
        Remove(agentId);
        if (agent.FreeSlots > 1)
        {
            Add(agent with { Load = agent.Load + 1, FreeSlots = agent.FreeSlots - 1 });
        }
    }

    /// <summary>Returns the agents that serve the queue in routing order, or null when none does.</summary>
    internal SortedSet<RoutableAgent>? FindServing(string queue) => _queues.GetValueOrDefault(queue);

    /// <summary>The routing order of the agents that serve one queue, which compares their ranks for that queue.</summary>
    private sealed class RoutingOrder(string queue) : IComparer<RoutableAgent>
    {
        public int Compare(RoutableAgent? x, RoutableAgent? y)
        {
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(y);
            return RoutingPolicy.CompareAgents(x.Ranks[queue], x, y.Ranks[queue], y);
        }
    }
}

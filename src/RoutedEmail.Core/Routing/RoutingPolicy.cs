namespace RoutedEmail.Core.Routing;

/// <summary>
/// An agent who can take another routed email now: Available and below both maxima
/// (<see cref="RoutingPolicy.CountFreeSlots"/>).
/// </summary>
/// <param name="AgentId">The agent's identifier.</param>
/// <param name="Ranks">The agent's rank for each skill queue it serves, by queue name; 1 is the best.</param>
/// <param name="Load">Emails the agent has now: offered, active or in wrap.</param>
/// <param name="FreeSlots">
/// How many more emails the agent can take before reaching either maximum, from
/// <see cref="RoutingPolicy.CountFreeSlots"/>.
/// </param>
/// <param name="IdleSince">When the agent last became Available or last finished or lost an email.</param>
public sealed record RoutableAgent(
    string AgentId, IReadOnlyDictionary<string, int> Ranks, int Load, int FreeSlots, DateTimeOffset IdleSince);

/// <summary>A waiting email at or near the front of a skill queue, in routing order.</summary>
/// <param name="Queue">The skill queue's name.</param>
/// <param name="EmailId">The email's identifier; among equals, the lower id arrived first.</param>
/// <param name="Priority">The email's priority; a larger number is served first.</param>
/// <param name="EnqueuedAt">When the email entered the queue.</param>
public sealed record QueueHead(string Queue, long EmailId, int Priority, DateTimeOffset EnqueuedAt)
{
    /// <summary>
    /// Agents who may not be offered this email now, such as an agent who declined it within the skip period.
    /// Default: none.
    /// </summary>
    public IReadOnlySet<string> ExcludedAgentIds { get; init; } = EmptyAgentIds;

    private static readonly IReadOnlySet<string> EmptyAgentIds = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Returns whether the agent may be offered this email.</summary>
    public bool Admits(string agentId) => !ExcludedAgentIds.Contains(agentId);
}

/// <summary>The next offer to make: the first email of <paramref name="Queue"/> to <paramref name="AgentId"/>.</summary>
/// <param name="AgentId">The agent who gets the offer.</param>
/// <param name="Queue">The queue whose first email is offered.</param>
public readonly record struct RoutingChoice(string AgentId, string Queue);

/// <summary>
/// The routing rules, as a pure function of the routable agents and the first email of each queue. The same inputs
/// always give the same choice.
/// </summary>
/// <remarks>
/// <para>
/// Each routable agent targets the best-ranked queue of its profile that has waiting email. Between queues of
/// equal rank, it targets the one whose first email comes first in queue order. Queue order is higher priority
/// first, then older enqueue time, then lower email id.
/// </para>
/// <para>
/// Among the targeted queues, the one whose first email comes first in queue order is served first. Its email goes
/// to the targeting agent that ranks the queue best, then has the fewest emails, then has been idle longest,
/// then has the lowest agent id in ordinal order.
/// </para>
/// <para>
/// An agent never targets an email that excludes it (<see cref="QueueHead.ExcludedAgentIds"/>). For that agent, the
/// queue's first email is the first one in queue order that admits it, so an excluded email blocks only the agents
/// it excludes.
/// </para>
/// </remarks>
public static class RoutingPolicy
{
    /// <summary>Chooses the next offer, or returns null when no routable agent serves a queue with waiting email.</summary>
    /// <param name="agents">Agents that can take an email now.</param>
    /// <param name="heads">The first waiting email of each queue that has one, by queue name.</param>
    public static RoutingChoice? ChooseNext(
        IReadOnlyList<RoutableAgent> agents, IReadOnlyDictionary<string, QueueHead> heads)
    {
        ArgumentNullException.ThrowIfNull(heads);
        var waiting = heads.ToDictionary(
            pair => pair.Key, pair => (IReadOnlyList<QueueHead>)[pair.Value], StringComparer.Ordinal);
        return ChooseNext(agents, waiting)?.Choice;
    }

    /// <summary>
    /// Chooses the next offer from the first few waiting emails of each queue, or returns null when no routable
    /// agent serves a queue with an email that admits it.
    /// </summary>
    /// <param name="agents">Agents that can take an email now.</param>
    /// <param name="waiting">
    /// The first waiting emails of each queue that has any, in queue order, by queue name. The caller passes enough
    /// of them that every agent finds its first admitted email, when the queue has one.
    /// </param>
    /// <returns>The choice and the email it offers, or null.</returns>
    public static (RoutingChoice Choice, QueueHead Email)? ChooseNext(
        IReadOnlyList<RoutableAgent> agents, IReadOnlyDictionary<string, IReadOnlyList<QueueHead>> waiting)
    {
        ArgumentNullException.ThrowIfNull(agents);
        ArgumentNullException.ThrowIfNull(waiting);
        if (waiting.Count == 0)
        {
            // A step's last call usually comes after its offers emptied the queues, and needs no pass over the agents.
            return null;
        }

        QueueHead? servedHead = null;
        RoutableAgent? chosen = null;
        var chosenRank = 0;

        // A routing step calls this once per offer, with every routable agent, so the loop allocates nothing.
        for (var index = 0; index < agents.Count; index++)
        {
            var agent = agents[index];
            if (agent.FreeSlots <= 0 || FindTarget(agent, waiting, out var rank) is not { } target)
            {
                continue;
            }

            var order = servedHead is null ? -1 : CompareInQueueOrder(target, servedHead);
            if (order < 0 || (order == 0 && CompareAgents(rank, agent, chosenRank, chosen!) < 0))
            {
                servedHead = target;
                chosen = agent;
                chosenRank = rank;
            }
        }

        return chosen is null ? null : (new RoutingChoice(chosen.AgentId, servedHead!.Queue), servedHead);
    }

    /// <summary>
    /// Chooses the next offer by the same rules as the overload with a list of agents, with the same result. It
    /// looks at each queue's agents in routing order and stops at the first one that targets the queue's email.
    /// Returns null when no agent of the set serves a queue with an email that admits it.
    /// </summary>
    /// <param name="agents">Agents that can take an email now.</param>
    /// <param name="waiting">
    /// The first waiting emails of each queue that has any, in queue order, by queue name. The caller passes enough
    /// of them that every agent finds its first admitted email, when the queue has one.
    /// </param>
    /// <remarks>
    /// The emails are taken in queue order, and the first one that some agent targets is served, as in the other
    /// overload. An agent that is first in a queue's order may target another queue, because it ranks that one
    /// better or this email excludes it, so the cost can still reach one look at every agent of the queue.
    /// </remarks>
    public static (RoutingChoice Choice, QueueHead Email)? ChooseNext(
        RoutableAgentSet agents, IReadOnlyDictionary<string, IReadOnlyList<QueueHead>> waiting)
    {
        ArgumentNullException.ThrowIfNull(agents);
        ArgumentNullException.ThrowIfNull(waiting);
        if (waiting.Count == 0)
        {
            return null;
        }

        // Building the heap is linear in the number of listed emails, and each email taken from it costs a logarithm.
        var emails = new PriorityQueue<(QueueHead Email, string Queue), QueueHead>(QueueOrder.Instance);
        foreach (var (queue, listed) in waiting)
        {
            foreach (var email in listed)
            {
                emails.Enqueue((email, queue), email);
            }
        }

        while (emails.TryDequeue(out var first, out _))
        {
            // An escalated email is listed in its own queue and in an overflow queue, so one email can come twice.
            var chosen = FindBestTargeting(agents, waiting, first.Email, first.Queue, null);
            while (emails.TryPeek(out var next, out _) && CompareInQueueOrder(next.Email, first.Email) == 0)
            {
                emails.Dequeue();
                chosen = FindBestTargeting(agents, waiting, next.Email, next.Queue, chosen);
            }

            if (chosen is var (agent, _, target))
            {
                return (new RoutingChoice(agent.AgentId, target.Queue), target);
            }
        }

        return null;
    }

    /// <summary>
    /// Returns the best of <paramref name="best"/> and the first agent in the queue's routing order that targets
    /// <paramref name="email"/> through a queue of the same rank, with its rank and target.
    /// </summary>
    private static (RoutableAgent Agent, int Rank, QueueHead Target)? FindBestTargeting(
        RoutableAgentSet agents, IReadOnlyDictionary<string, IReadOnlyList<QueueHead>> waiting, QueueHead email,
        string queue, (RoutableAgent Agent, int Rank, QueueHead Target)? best)
    {
        if (agents.FindServing(queue) is not { } serving)
        {
            return best;
        }

        foreach (var agent in serving)
        {
            var rank = agent.Ranks[queue];
            if (best is var (bestAgent, bestRank, _) && CompareAgents(rank, agent, bestRank, bestAgent) >= 0)
            {
                // The rest of the queue's agents come after this one in the same order.
                return best;
            }

            // An agent whose target has a better rank than this queue's comes up again in that queue's order.
            if (agent.FreeSlots > 0
                && FindTarget(agent, waiting, out var targetRank) is { } target
                && targetRank == rank
                && CompareInQueueOrder(target, email) == 0)
            {
                return (agent, rank, target);
            }
        }

        return best;
    }

    /// <summary>
    /// Counts how many more emails an agent can take: its emails (offered, active and in wrap, pending offers
    /// included) stay below <paramref name="maxConcurrentEmails"/>, and those emails plus its other work stay below
    /// <paramref name="maxConcurrentTasks"/>. Returns 0 when either maximum is reached.
    /// </summary>
    /// <param name="emails">The agent's offered, active and wrap emails.</param>
    /// <param name="otherWork">The agent's tasks on other channels.</param>
    /// <param name="maxConcurrentEmails">The agent's maximum of concurrent routed emails.</param>
    /// <param name="maxConcurrentTasks">The agent's maximum of concurrent tasks on all channels.</param>
    public static int CountFreeSlots(int emails, int otherWork, int maxConcurrentEmails, int maxConcurrentTasks)
    {
        var belowEmailMaximum = maxConcurrentEmails - emails;
        var belowTaskMaximum = maxConcurrentTasks - emails - otherWork;
        return Math.Max(0, Math.Min(belowEmailMaximum, belowTaskMaximum));
    }

    /// <summary>Compares two emails in queue order: higher priority, then older enqueue time, then lower id.</summary>
    public static int CompareInQueueOrder(QueueHead first, QueueHead second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var byPriority = second.Priority.CompareTo(first.Priority);
        if (byPriority != 0)
        {
            return byPriority;
        }

        var byAge = first.EnqueuedAt.CompareTo(second.EnqueuedAt);
        return byAge != 0 ? byAge : first.EmailId.CompareTo(second.EmailId);
    }

    /// <summary>
    /// Finds the first email that the agent may take from its best-ranked queue with such an email, and that
    /// queue's rank for the agent.
    /// </summary>
    private static QueueHead? FindTarget(
        RoutableAgent agent, IReadOnlyDictionary<string, IReadOnlyList<QueueHead>> waiting, out int targetRank)
    {
        QueueHead? target = null;
        targetRank = int.MaxValue;
        if (agent.Ranks is Dictionary<string, int> ranks)
        {
            // The stores pass a Dictionary, whose enumerator is a struct, because the interface's enumerator is allocated.
            foreach (var (queue, rank) in ranks)
            {
                Consider(agent.AgentId, queue, rank, waiting, ref target, ref targetRank);
            }
        }
        else
        {
            foreach (var (queue, rank) in agent.Ranks)
            {
                Consider(agent.AgentId, queue, rank, waiting, ref target, ref targetRank);
            }
        }

        return target;
    }

    private static void Consider(
        string agentId, string queue, int rank, IReadOnlyDictionary<string, IReadOnlyList<QueueHead>> waiting,
        ref QueueHead? target, ref int targetRank)
    {
        if (rank > targetRank
            || !waiting.TryGetValue(queue, out var emails)
            || FirstAdmitted(emails, agentId) is not { } head)
        {
            return;
        }

        if (rank < targetRank || CompareInQueueOrder(head, target!) < 0)
        {
            target = head;
            targetRank = rank;
        }
    }

    private static QueueHead? FirstAdmitted(IReadOnlyList<QueueHead> emails, string agentId)
    {
        for (var index = 0; index < emails.Count; index++)
        {
            var email = emails[index];
            if (email.ExcludedAgentIds.Count == 0 || email.Admits(agentId))
            {
                return email;
            }
        }

        return null;
    }

    /// <summary>
    /// Compares two agents that target the same email: better rank for its queue, then fewer emails, then idle
    /// longer, then lower agent id in ordinal order.
    /// </summary>
    internal static int CompareAgents(int firstRank, RoutableAgent first, int secondRank, RoutableAgent second)
    {
        var byRank = firstRank.CompareTo(secondRank);
        if (byRank != 0)
        {
            return byRank;
        }

        var byLoad = first.Load.CompareTo(second.Load);
        if (byLoad != 0)
        {
            return byLoad;
        }

        var byIdle = first.IdleSince.CompareTo(second.IdleSince);
        return byIdle != 0 ? byIdle : string.CompareOrdinal(first.AgentId, second.AgentId);
    }

    private sealed class QueueOrder : IComparer<QueueHead>
    {
        public static readonly QueueOrder Instance = new();

        public int Compare(QueueHead? x, QueueHead? y)
        {
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(y);
            return CompareInQueueOrder(x, y);
        }
    }
}

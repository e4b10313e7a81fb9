using System.Globalization;
using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Emails;
using RoutedEmail.Core.Routing;

namespace RoutedEmail.Core.Explanations;

/// <summary>
/// Explains a routed email's place, as a pure function of the routing inputs. The reasons follow the same rules as
/// <see cref="RoutingPolicy"/>: status first, then the ranks of the agent's queues, then the agent's maximum, then the
/// skip period, then the queue order.
/// </summary>
public static class EmailExplainer
{
    /// <summary>
    /// Explains a Queued email: its place in its queue's routing list and, for each agent serving the queue or the
    /// overflow queue of an escalated email, why that agent is not taking it now. Agents who would take it through
    /// its own queue come first, then those through the overflow queue, each by rank for that queue, then agent id.
    /// </summary>
    public static EmailExplanation ExplainQueued(QueuedEmailInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var email = inputs.Email;
        var own = QueuePlace.Find(email, email.Queue, inputs.Waiting);
        var overflow = email.OverflowQueue is { } overflowQueue && overflowQueue != email.Queue
            ? QueuePlace.Find(email, overflowQueue, inputs.OverflowWaiting)
            : null;
        var heads = CollectHeads(inputs.OtherQueueHeads, own, overflow);
        var agents = inputs.Agents
            .Select(agent => (Agent: agent, Place: ChoosePlace(agent, own, overflow)))
            .Where(pair => pair.Place is not null)
            .OrderBy(pair => pair.Place!.Queue == email.Queue ? 0 : 1)
            .ThenBy(pair => pair.Agent.Ranks[pair.Place!.Queue])
            .ThenBy(pair => pair.Agent.AgentId, StringComparer.Ordinal)
            .Select(pair =>
                ExplainAgent(pair.Agent, pair.Place!, pair.Place!.Queue == email.Queue, heads, inputs.Now))
            .ToList();
        var ownAgents = agents.Where(line => line.Queue == email.Queue).ToList();
        var overflowAgents = agents.Where(line => line.Queue != email.Queue).ToList();
        var summary = SummarizeQueued(email, own, ownAgents, overflowAgents.Count > 0) + DescribeEscalation(email)
            + DescribeOverflow(overflow, overflowAgents);
        return new EmailExplanation(email.EntityId, nameof(RoutedEmailState.Queued), summary, agents)
        {
            Position = own.Ahead + 1,
            QueueSize = own.Size,
            EscalatedAt = email.EscalatedAt,
            OverflowQueue = email.OverflowQueue,
        };
    }

    /// <summary>Explains an Offered, Active or Wrap email by the inputs its agent was chosen on.</summary>
    public static EmailExplanation ExplainHeld(ExplainedEmail email, ChosenAgent chosen)
    {
        ArgumentNullException.ThrowIfNull(email);
        ArgumentNullException.ThrowIfNull(chosen);
        var stateSentence = email.State switch
        {
            RoutedEmailState.Offered => $"Offered to agent {chosen.AgentId}",
            RoutedEmailState.Active => $"Accepted by agent {chosen.AgentId}",
            _ => $"Completed by agent {chosen.AgentId}, which is in wrap time",
        };
        var choiceSentence = chosen is { Rank: { } rank, EmailsHeld: { } emailsHeld, IdleSince: { } idleSince }
            ? $"The router chose this agent because it ranks queue \"{chosen.Queue ?? email.Queue}\" {rank}, " +
              $"held {emailsHeld} {Emails(emailsHeld)} and was idle since {Format(idleSince)}. It came first among the agents that " +
              "could take the email then: best rank for the queue, then fewest emails held, then idle longest."
            : "The routing inputs of this offer were not recorded, because the agent was named by a transfer or " +
              "the offer was made by an older version.";
        var summary = $"{stateSentence}. {choiceSentence}{DescribeEscalation(email)}";
        return new EmailExplanation(email.EntityId, email.State.ToString(), summary, [])
        {
            Chosen = chosen,
            EscalatedAt = email.EscalatedAt,
            OverflowQueue = email.OverflowQueue,
        };
    }

    /// <summary>Explains a Completed or Canceled email by its state and a pointer to its history.</summary>
    public static EmailExplanation ExplainClosed(ExplainedEmail email)
    {
        ArgumentNullException.ThrowIfNull(email);
        var summary = $"The email is {email.State} and no longer routed. Its history is in " +
            "GET /api/v1/routed-emails/{entityId}.";
        return new EmailExplanation(email.EntityId, email.State.ToString(), summary, []);
    }

    /// <summary>
    /// Chooses the queue through which the agent would take the email: the one of the email's queue and its overflow
    /// queue that the agent ranks better, the email's own queue on a tie, or null when the agent serves neither.
    /// </summary>
    private static QueuePlace? ChoosePlace(ExplainedAgent agent, QueuePlace own, QueuePlace? overflow)
    {
        var ownRank = agent.Ranks.TryGetValue(own.Queue, out var rank) ? rank : (int?)null;
        if (overflow is null || !agent.Ranks.TryGetValue(overflow.Queue, out var overflowRank))
        {
            return ownRank is null ? null : own;
        }

        return ownRank is { } better && better <= overflowRank ? own : overflow;
    }

    /// <summary>
    /// Collects the first email of each queue's routing list. The email's own queue and its overflow queue take
    /// theirs from the whole lists, so an agent serving both compares the two the way the router does.
    /// </summary>
    private static Dictionary<string, QueueHead> CollectHeads(
        IReadOnlyDictionary<string, QueueHead> otherQueueHeads, QueuePlace own, QueuePlace? overflow)
    {
        var heads = new Dictionary<string, QueueHead>(otherQueueHeads, StringComparer.Ordinal)
        {
            [own.Queue] = own.Head,
        };
        if (overflow is not null)
        {
            heads[overflow.Queue] = overflow.Head;
        }

        return heads;
    }

    private static AgentExplanation ExplainAgent(
        ExplainedAgent agent, QueuePlace place, bool throughOwnQueue,
        IReadOnlyDictionary<string, QueueHead> heads, DateTimeOffset now)
    {
        var rank = agent.Ranks[place.Queue];
        var queueName = throughOwnQueue ? "this queue" : $"queue \"{place.Queue}\"";
        var line = new AgentExplanation(agent.AgentId, agent.Status.ToString(), AgentReason.NextInLine, "")
        {
            Queue = place.Queue,
            Rank = rank,
            EmailsHeld = agent.EmailsHeld,
            MaxConcurrentEmails = agent.MaxConcurrentEmails,
        };
        switch (agent.Status)
        {
            case AgentStatus.Offline:
                return line with { Reason = AgentReason.Offline, Detail = "Offline: the agent is signed out." };
            case AgentStatus.Away:
                return line with { Reason = AgentReason.Away, Detail = "Away: the agent is not taking work." };
            case AgentStatus.Missed:
                return line with
                {
                    Reason = AgentReason.Missed,
                    Detail = "Missed: the agent let an offer expire and gets no offers until it chooses Available.",
                };
        }

        // A better-ranked queue with waiting email comes first: even when a slot frees, that queue gets it.
        if (FindBetterQueue(agent, place.Self, heads) is { } better)
        {
            return line with
            {
                Reason = AgentReason.ServingBetterQueue,
                Detail = $"Serving queue \"{better}\" first: the agent ranks it {agent.Ranks[better]} and " +
                    $"{queueName} {rank}, and it has waiting email. The agent holds " +
                    $"{agent.EmailsHeld} of {agent.MaxConcurrentEmails} emails.",
                BetterQueue = better,
            };
        }

        var maxTasks = agent.MaxConcurrentTasks ?? agent.MaxConcurrentEmails;
        if (RoutingPolicy.CountFreeSlots(agent.EmailsHeld, agent.OtherWork, agent.MaxConcurrentEmails, maxTasks) == 0)
        {
            return line with
            {
                Reason = AgentReason.AtCapacity,
                Detail = agent.EmailsHeld >= agent.MaxConcurrentEmails
                    ? $"At capacity: {agent.EmailsHeld} of {agent.MaxConcurrentEmails} emails."
                    : $"At capacity: {agent.EmailsHeld} emails and {agent.OtherWork} tasks on other channels make " +
                        $"{agent.EmailsHeld + agent.OtherWork} of {maxTasks} tasks.",
            };
        }

        if (agent.SkippedUntil is { } until && until > now)
        {
            var cause = agent.SkippedAfterExpiry ? "letting its offer expire" : "declining it";
            return line with
            {
                Reason = AgentReason.Skipped,
                Detail = $"Skipped until {Format(until)} after {cause}; meanwhile the agent may be offered other emails.",
                SkippedUntil = until,
            };
        }

        var detail = place.Ahead == 0
            ? "Next in line: the agent can take this email at the next routing step."
            : $"Next in line: {place.Ahead} earlier {Emails(place.Ahead)} of {queueName} " +
              $"{(place.Ahead == 1 ? "comes" : "come")} first.";
        return line with { Detail = detail };
    }

    /// <summary>
    /// Finds the queue the agent targets before this one, as the router's rule does: a better rank, or an equal rank
    /// with a first email that comes earlier in queue order.
    /// </summary>
    private static string? FindBetterQueue(
        ExplainedAgent agent, QueueHead self, IReadOnlyDictionary<string, QueueHead> otherQueueHeads)
    {
        var ownRank = agent.Ranks[self.Queue];
        string? better = null;
        var betterRank = int.MaxValue;
        foreach (var (queue, rank) in agent.Ranks)
        {
            if (queue == self.Queue || !otherQueueHeads.TryGetValue(queue, out var head)
                || !head.Admits(agent.AgentId))
            {
                continue;
            }

            var beatsSelf = rank < ownRank || (rank == ownRank && RoutingPolicy.CompareInQueueOrder(head, self) < 0);
            if (beatsSelf && (rank < betterRank || (rank == betterRank && string.CompareOrdinal(queue, better) < 0)))
            {
                better = queue;
                betterRank = rank;
            }
        }

        return better;
    }

    private static string SummarizeQueued(
        ExplainedEmail email, QueuePlace own, List<AgentExplanation> ownAgents, bool overflowAgents)
    {
        var place = $"Waiting in queue \"{email.Queue}\" at position {own.Ahead + 1} of {own.Size}.";
        if (ownAgents.Count == 0)
        {
            return overflowAgents
                ? place + " No agent has this queue in its routing profile."
                : place + " No agent has this queue in its routing profile, so nobody can take it.";
        }

        return $"{place} Agents serving the queue, by reason: {CountByReason(ownAgents)}.";
    }

    /// <summary>
    /// Returns sentences, with a leading space, on the email's place in its overflow queue's list and the agents
    /// who would take it through that queue, or an empty string for an email without an overflow queue.
    /// </summary>
    private static string DescribeOverflow(QueuePlace? overflow, List<AgentExplanation> overflowAgents)
    {
        if (overflow is null)
        {
            return string.Empty;
        }

        var place = $" It is also in the list of queue \"{overflow.Queue}\", at position {overflow.Ahead + 1} of " +
            $"{overflow.Size}.";
        return overflowAgents.Count == 0
            ? $"{place} No other agent has queue \"{overflow.Queue}\" in its routing profile."
            : $"{place} Agents taking it through queue \"{overflow.Queue}\", by reason: " +
                $"{CountByReason(overflowAgents)}.";
    }

    private static string CountByReason(List<AgentExplanation> agents) => string.Join(", ", agents
        .GroupBy(agent => agent.Reason).OrderBy(group => group.Key)
        .Select(group => $"{Describe(group.Key)}: {group.Count()}"));

    /// <summary>Returns a sentence on the email's escalation, with a leading space, or an empty string.</summary>
    private static string DescribeEscalation(ExplainedEmail email)
    {
        if (email.EscalatedAt is not { } escalatedAt)
        {
            return string.Empty;
        }

        var overflow = email.OverflowQueue is { } queue
            ? $"; agents of queue \"{queue}\" may also take it, in that queue's order"
            : string.Empty;
        return $" It waited its queue's escalation time and was escalated at {Format(escalatedAt)}: its priority is " +
            $"now {email.Priority}{overflow}.";
    }

    private static string Describe(AgentReason reason) => reason switch
    {
        AgentReason.AtCapacity => "at capacity",
        AgentReason.ServingBetterQueue => "serving a better-ranked queue",
        AgentReason.NextInLine => "next in line",
        AgentReason.Skipped => "skipped",
        _ => reason.ToString(),
    };

    private static string Emails(int count) => count == 1 ? "email" : "emails";

    private static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

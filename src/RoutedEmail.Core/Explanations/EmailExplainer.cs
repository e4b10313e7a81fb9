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
    /// Explains a Queued email: its place in the queue and, for each agent serving the queue, why that agent is not
    /// taking it now. Agents are listed by rank for the queue, then by agent id.
    /// </summary>
    public static EmailExplanation ExplainQueued(QueuedEmailInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var email = inputs.Email;
        var self = new QueueHead(email.Queue, email.EmailId, email.Priority, email.EnqueuedAt);
        var ahead = inputs.Waiting.Count(other =>
            other.EmailId != email.EmailId && RoutingPolicy.CompareInQueueOrder(other, self) < 0);
        var queueSize = Math.Max(inputs.Waiting.Count, ahead + 1);
        var agents = inputs.Agents
            .OrderBy(agent => agent.Ranks[email.Queue])
            .ThenBy(agent => agent.AgentId, StringComparer.Ordinal)
            .Select(agent => ExplainAgent(agent, email, self, ahead, inputs))
            .ToList();
        return new EmailExplanation(email.EntityId, nameof(RoutedEmailState.Queued), SummarizeQueued(email, ahead,
            queueSize, agents) + DescribeEscalation(email), agents)
        {
            Position = ahead + 1,
            QueueSize = queueSize,
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

    private static AgentExplanation ExplainAgent(
        ExplainedAgent agent, ExplainedEmail email, QueueHead self, int ahead, QueuedEmailInputs inputs)
    {
        var line = new AgentExplanation(agent.AgentId, agent.Status.ToString(), AgentReason.NextInLine, "")
        {
            Rank = agent.Ranks[email.Queue],
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
        if (FindBetterQueue(agent, self, inputs.OtherQueueHeads) is { } better)
        {
            return line with
            {
                Reason = AgentReason.ServingBetterQueue,
                Detail = $"Serving queue \"{better}\" first: the agent ranks it {agent.Ranks[better]} and this queue " +
                    $"{agent.Ranks[email.Queue]}, and it has waiting email. The agent holds " +
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

        if (agent.SkippedUntil is { } until && until > inputs.Now)
        {
            var cause = agent.SkippedAfterExpiry ? "letting its offer expire" : "declining it";
            return line with
            {
                Reason = AgentReason.Skipped,
                Detail = $"Skipped until {Format(until)} after {cause}; meanwhile the agent may be offered other emails.",
                SkippedUntil = until,
            };
        }

        var detail = ahead == 0
            ? "Next in line: the agent can take this email at the next routing step."
            : $"Next in line: {ahead} earlier {Emails(ahead)} of this queue come first.";
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
        ExplainedEmail email, int ahead, int queueSize, List<AgentExplanation> agents)
    {
        var place = $"Waiting in queue \"{email.Queue}\" at position {ahead + 1} of {queueSize}.";
        if (agents.Count == 0)
        {
            return place + " No agent has this queue in its routing profile, so nobody can take it.";
        }

        var counts = agents.GroupBy(agent => agent.Reason).OrderBy(group => group.Key)
            .Select(group => $"{Describe(group.Key)}: {group.Count()}");
        return $"{place} Agents serving the queue, by reason: {string.Join(", ", counts)}.";
    }

    /// <summary>Returns a sentence on the email's escalation, with a leading space, or an empty string.</summary>
    private static string DescribeEscalation(ExplainedEmail email)
    {
        if (email.EscalatedAt is not { } escalatedAt)
        {
            return string.Empty;
        }

        // NOTE: agents who serve only the overflow queue are not listed one by one in the agents of a Queued email.
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

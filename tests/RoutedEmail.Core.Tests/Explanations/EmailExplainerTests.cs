using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Emails;
using RoutedEmail.Core.Explanations;
using RoutedEmail.Core.Routing;

namespace RoutedEmail.Core.Tests.Explanations;

public sealed class EmailExplainerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static readonly ExplainedEmail Email =
        new(5, "e-5", RoutedEmailState.Queued, "Parts", 0, T0.AddSeconds(5), null);

    [Fact]
    public void ExplainQueued_EarlierEmails_PositionInRoutingOrder()
    {
        var waiting = new[]
        {
            Head(7, priority: 0, seconds: 7),
            Head(3, priority: 0, seconds: 5),
            Head(5, priority: 0, seconds: 5),
            Head(9, priority: 2, seconds: 9),
        };

        var explanation = EmailExplainer.ExplainQueued(Inputs(waiting));

        Assert.Equal(3, explanation.Position);
        Assert.Equal(4, explanation.QueueSize);
        Assert.Equal("Queued", explanation.State);
    }

    [Theory]
    [InlineData(AgentStatus.Offline, AgentReason.Offline, "Offline")]
    [InlineData(AgentStatus.Away, AgentReason.Away, "Away")]
    [InlineData(AgentStatus.Missed, AgentReason.Missed, "Missed")]
    public void ExplainQueued_NotAvailable_StatusReason(AgentStatus status, AgentReason reason, string start)
    {
        var agent = Agent("ana") with { Status = status };

        var line = Assert.Single(EmailExplainer.ExplainQueued(Inputs(agents: [agent])).Agents);

        Assert.Equal(reason, line.Reason);
        Assert.StartsWith(start, line.Detail, StringComparison.Ordinal);
        Assert.Equal(status.ToString(), line.Status);
    }

    [Fact]
    public void ExplainQueued_AgentAtMaximum_AtCapacity()
    {
        var agent = Agent("ana") with { EmailsHeld = 2, MaxConcurrentEmails = 2 };

        var line = Assert.Single(EmailExplainer.ExplainQueued(Inputs(agents: [agent])).Agents);

        Assert.Equal(AgentReason.AtCapacity, line.Reason);
        Assert.Equal("At capacity: 2 of 2 emails.", line.Detail);
        Assert.Equal(2, line.EmailsHeld);
    }

    [Fact]
    public void ExplainQueued_OtherChannelWork_AtTaskCapacity()
    {
        var agent = Agent("ana") with
        {
            EmailsHeld = 1, MaxConcurrentEmails = 3, MaxConcurrentTasks = 3, OtherWork = 2,
        };

        var line = Assert.Single(EmailExplainer.ExplainQueued(Inputs(agents: [agent])).Agents);

        Assert.Equal(AgentReason.AtCapacity, line.Reason);
        Assert.Equal("At capacity: 1 emails and 2 tasks on other channels make 3 of 3 tasks.", line.Detail);
    }

    [Theory]
    [InlineData(false, "after declining it")]
    [InlineData(true, "after letting its offer expire")]
    public void ExplainQueued_SkipRunning_SkippedUntil(bool afterExpiry, string cause)
    {
        var until = T0.AddMinutes(5);
        var agent = Agent("ana") with { SkippedUntil = until, SkippedAfterExpiry = afterExpiry };

        var line = Assert.Single(EmailExplainer.ExplainQueued(Inputs(agents: [agent])).Agents);

        Assert.Equal(AgentReason.Skipped, line.Reason);
        Assert.Equal(until, line.SkippedUntil);
        Assert.Contains("2026-03-02T09:05:00Z", line.Detail, StringComparison.Ordinal);
        Assert.Contains(cause, line.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ExplainQueued_SkipEnded_NotSkipped()
    {
        var agent = Agent("ana") with { SkippedUntil = T0 };

        var line = Assert.Single(EmailExplainer.ExplainQueued(Inputs(agents: [agent])).Agents);

        Assert.Equal(AgentReason.NextInLine, line.Reason);
    }

    [Fact]
    public void ExplainQueued_BetterRankedQueueWaiting_NamesQueue()
    {
        var agent = Agent("ana", ("Parts", 2), ("Billing", 1));
        var others = new Dictionary<string, QueueHead> { ["Billing"] = new("Billing", 8, 0, T0.AddSeconds(8)) };

        var line = Assert.Single(EmailExplainer.ExplainQueued(Inputs(agents: [agent], others: others)).Agents);

        Assert.Equal(AgentReason.ServingBetterQueue, line.Reason);
        Assert.Equal("Billing", line.BetterQueue);
        Assert.Contains("\"Billing\"", line.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ExplainQueued_AtCapacityWithBetterQueue_ServingBetterQueue()
    {
        var agent = Agent("ana", ("Parts", 2), ("Billing", 1)) with { EmailsHeld = 1 };
        var others = new Dictionary<string, QueueHead> { ["Billing"] = new("Billing", 8, 0, T0.AddSeconds(8)) };

        var line = Assert.Single(EmailExplainer.ExplainQueued(Inputs(agents: [agent], others: others)).Agents);

        Assert.Equal(AgentReason.ServingBetterQueue, line.Reason);
        Assert.Contains("1 of 1 emails", line.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ExplainQueued_BetterQueueSkipsAgent_NotServingIt()
    {
        var agent = Agent("ana", ("Parts", 2), ("Billing", 1));
        var head = new QueueHead("Billing", 8, 0, T0) { ExcludedAgentIds = new HashSet<string> { "ana" } };
        var others = new Dictionary<string, QueueHead> { ["Billing"] = head };

        var line = Assert.Single(EmailExplainer.ExplainQueued(Inputs(agents: [agent], others: others)).Agents);

        Assert.Equal(AgentReason.NextInLine, line.Reason);
    }

    [Fact]
    public void ExplainQueued_WorseRankedQueueWaiting_NextInLine()
    {
        var agent = Agent("ana", ("Parts", 1), ("Billing", 2));
        var others = new Dictionary<string, QueueHead> { ["Billing"] = new("Billing", 1, 9, T0) };

        var line = Assert.Single(EmailExplainer.ExplainQueued(Inputs(agents: [agent], others: others)).Agents);

        Assert.Equal(AgentReason.NextInLine, line.Reason);
        Assert.Null(line.BetterQueue);
    }

    [Fact]
    public void ExplainQueued_EqualRankEarlierHead_ServingBetterQueue()
    {
        var agent = Agent("ana", ("Parts", 1), ("Billing", 1));
        var others = new Dictionary<string, QueueHead> { ["Billing"] = new("Billing", 1, 9, T0) };

        var line = Assert.Single(EmailExplainer.ExplainQueued(Inputs(agents: [agent], others: others)).Agents);

        Assert.Equal(AgentReason.ServingBetterQueue, line.Reason);
    }

    [Fact]
    public void ExplainQueued_EarlierEmailsAhead_NextInLineCountsThem()
    {
        var waiting = new[] { Head(3, 0, 1), Head(4, 0, 2), Head(5, 0, 5) };

        var line = Assert.Single(EmailExplainer.ExplainQueued(Inputs(waiting, [Agent("ana")])).Agents);

        Assert.Equal(AgentReason.NextInLine, line.Reason);
        Assert.Contains("2 earlier emails", line.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ExplainQueued_Agents_OrderedByRankThenId()
    {
        var agents = new[] { Agent("zoe", ("Parts", 1)), Agent("bob", ("Parts", 2)), Agent("ana", ("Parts", 1)) };

        var lines = EmailExplainer.ExplainQueued(Inputs(agents: agents)).Agents;

        Assert.Equal(["ana", "zoe", "bob"], lines.Select(line => line.AgentId));
    }

    [Fact]
    public void ExplainQueued_NoAgents_SummarySaysNobody()
    {
        var explanation = EmailExplainer.ExplainQueued(Inputs(agents: []));

        Assert.Empty(explanation.Agents);
        Assert.Contains("No agent", explanation.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void ExplainQueued_NoOverflowQueue_WordingUnchanged()
    {
        var explanation = EmailExplainer.ExplainQueued(Inputs());

        Assert.Equal(
            "Waiting in queue \"Parts\" at position 1 of 1. Agents serving the queue, by reason: next in line: 1.",
            explanation.Summary);
        Assert.Equal("Parts", Assert.Single(explanation.Agents).Queue);
    }

    [Fact]
    public void ExplainQueued_OverflowedEmailAhead_CountedInPosition()
    {
        // Email 2 belongs to another queue and overflowed into Parts at priority 15.
        var waiting = new[] { Head(2, priority: 15, seconds: 9), Head(5, 0, 5) };

        var explanation = EmailExplainer.ExplainQueued(Inputs(waiting));

        Assert.Equal(2, explanation.Position);
        Assert.Equal(2, explanation.QueueSize);
        Assert.StartsWith("Waiting in queue \"Parts\" at position 2 of 2.", explanation.Summary,
            StringComparison.Ordinal);
        Assert.Contains("1 earlier email of this queue", Assert.Single(explanation.Agents).Detail,
            StringComparison.Ordinal);
    }

    [Fact]
    public void ExplainQueued_OverflowOnlyAgent_ListedWithQueue()
    {
        var overflowWaiting = new[] { Billing(8, priority: 20, seconds: 8), Billing(5, 15, 5), Billing(9, 0, 1) };
        var agents = new[] { Agent("bob", ("Billing", 2)), Agent("zoe", ("Parts", 3)) };

        var explanation = EmailExplainer.ExplainQueued(EscalatedInputs(agents, overflowWaiting));

        Assert.Equal(["zoe", "bob"], explanation.Agents.Select(line => line.AgentId));
        var zoe = explanation.Agents[0];
        Assert.Equal("Parts", zoe.Queue);
        Assert.Equal(3, zoe.Rank);
        var bob = explanation.Agents[1];
        Assert.Equal("Billing", bob.Queue);
        Assert.Equal(2, bob.Rank);
        Assert.Equal(AgentReason.NextInLine, bob.Reason);
        Assert.Equal("Next in line: 1 earlier email of queue \"Billing\" comes first.", bob.Detail);
    }

    [Fact]
    public void ExplainQueued_Escalated_SummaryNamesBothLists()
    {
        var overflowWaiting = new[] { Billing(8, priority: 20, seconds: 8), Billing(5, 15, 5), Billing(9, 0, 1) };
        var agents = new[] { Agent("bob", ("Billing", 2)) with { Status = AgentStatus.Away }, Agent("zoe") };

        var explanation = EmailExplainer.ExplainQueued(EscalatedInputs(agents, overflowWaiting));

        Assert.Equal(1, explanation.Position);
        Assert.Equal(1, explanation.QueueSize);
        Assert.Equal("Billing", explanation.OverflowQueue);
        Assert.Equal(
            "Waiting in queue \"Parts\" at position 1 of 1. Agents serving the queue, by reason: next in line: 1. " +
            "It waited its queue's escalation time and was escalated at 2026-03-02T09:00:30Z: its priority is now " +
            "15; agents of queue \"Billing\" may also take it, in that queue's order. It is also in the list of " +
            "queue \"Billing\", at position 2 of 3. Agents taking it through queue \"Billing\", by reason: Away: 1.",
            explanation.Summary);
    }

    [Fact]
    public void ExplainQueued_OnlyOverflowAgents_NotNobody()
    {
        var agents = new[] { Agent("bob", ("Billing", 1)) };

        var explanation = EmailExplainer.ExplainQueued(EscalatedInputs(agents, [Billing(5, 15, 5)]));

        Assert.Contains("No agent has this queue in its routing profile. It waited", explanation.Summary,
            StringComparison.Ordinal);
        Assert.DoesNotContain("nobody", explanation.Summary, StringComparison.Ordinal);
        Assert.Contains("by reason: next in line: 1.", explanation.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void ExplainQueued_OverflowQueueWithoutAgents_SaysSo()
    {
        var explanation = EmailExplainer.ExplainQueued(EscalatedInputs([Agent("zoe")], [Billing(5, 15, 5)]));

        Assert.EndsWith(
            "at position 1 of 1. No other agent has queue \"Billing\" in its routing profile.", explanation.Summary,
            StringComparison.Ordinal);
        Assert.Single(explanation.Agents);
    }

    [Theory]
    [InlineData(1, 2, "Billing")]
    [InlineData(2, 1, "Parts")]
    [InlineData(1, 1, "Parts")]
    public void ExplainQueued_AgentServesBothQueues_TakesItThroughBetterRank(
        int overflowRank, int ownRank, string queue)
    {
        var agent = Agent("ana", ("Parts", ownRank), ("Billing", overflowRank));

        var line = Assert.Single(EmailExplainer.ExplainQueued(EscalatedInputs([agent], [Billing(5, 15, 5)])).Agents);

        Assert.Equal(queue, line.Queue);
        Assert.Equal(Math.Min(ownRank, overflowRank), line.Rank);
    }

    [Fact]
    public void ExplainQueued_FirstInOverflowList_NextInLine()
    {
        // Parts has an earlier email, but the agent ranks Billing better and the email is first there.
        var agent = Agent("ana", ("Parts", 2), ("Billing", 1));
        var inputs = EscalatedInputs([agent], [Billing(5, 15, 5), Billing(9, 0, 1)]) with
        {
            Waiting = [Head(3, priority: 20, seconds: 1), Head(5, 15, 5)],
        };

        var line = Assert.Single(EmailExplainer.ExplainQueued(inputs).Agents);

        Assert.Equal(AgentReason.NextInLine, line.Reason);
        Assert.Equal("Billing", line.Queue);
        Assert.Equal("Next in line: the agent can take this email at the next routing step.", line.Detail);
    }

    [Fact]
    public void ExplainQueued_OverflowAgentBetterQueue_OverflowRank()
    {
        var agent = Agent("bob", ("Billing", 2), ("VIP", 1));
        var others = new Dictionary<string, QueueHead> { ["VIP"] = new("VIP", 8, 0, T0.AddSeconds(8)) };
        var inputs = EscalatedInputs([agent], [Billing(5, 15, 5)]) with { OtherQueueHeads = others };

        var line = Assert.Single(EmailExplainer.ExplainQueued(inputs).Agents);

        Assert.Equal(AgentReason.ServingBetterQueue, line.Reason);
        Assert.Equal("VIP", line.BetterQueue);
        Assert.Equal(2, line.Rank);
        Assert.StartsWith(
            "Serving queue \"VIP\" first: the agent ranks it 1 and queue \"Billing\" 2,", line.Detail,
            StringComparison.Ordinal);
    }

    [Fact]
    public void ExplainQueued_OverflowAgentWorseQueue_NextInLine()
    {
        // VIP's email comes first in queue order, but the agent ranks VIP below the overflow queue.
        var agent = Agent("bob", ("Billing", 1), ("VIP", 2));
        var others = new Dictionary<string, QueueHead> { ["VIP"] = new("VIP", 8, 50, T0) };
        var inputs = EscalatedInputs([agent], [Billing(5, 15, 5)]) with { OtherQueueHeads = others };

        var line = Assert.Single(EmailExplainer.ExplainQueued(inputs).Agents);

        Assert.Equal(AgentReason.NextInLine, line.Reason);
        Assert.Null(line.BetterQueue);
    }

    [Fact]
    public void ExplainQueued_EqualRanksOverflowFirst_ServingIt()
    {
        // The agent ranks both queues 1 and takes the email through Parts, but Billing's first email comes first.
        var agent = Agent("ana", ("Parts", 1), ("Billing", 1));
        var inputs = EscalatedInputs([agent], [Billing(8, priority: 20, seconds: 8), Billing(5, 15, 5)]);

        var line = Assert.Single(EmailExplainer.ExplainQueued(inputs).Agents);

        Assert.Equal("Parts", line.Queue);
        Assert.Equal(AgentReason.ServingBetterQueue, line.Reason);
        Assert.Equal("Billing", line.BetterQueue);
    }

    [Fact]
    public void ExplainHeld_RecordedInputs_SummaryNamesThem()
    {
        var email = Email with { State = RoutedEmailState.Active, AgentId = "ana" };
        var chosen = new ChosenAgent("ana", 1, 0, T0);

        var explanation = EmailExplainer.ExplainHeld(email, chosen);

        Assert.Same(chosen, explanation.Chosen);
        Assert.Null(explanation.Position);
        Assert.Contains("ranks queue \"Parts\" 1", explanation.Summary, StringComparison.Ordinal);
        Assert.Contains("2026-03-02T09:00:00Z", explanation.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void ExplainHeld_NothingRecorded_SaysSo()
    {
        var email = Email with { State = RoutedEmailState.Offered, AgentId = "ana" };

        var explanation = EmailExplainer.ExplainHeld(email, new ChosenAgent("ana", null, null, null));

        Assert.Contains("not recorded", explanation.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RoutedEmailState.Completed)]
    [InlineData(RoutedEmailState.Canceled)]
    public void ExplainClosed_PointsToHistory(RoutedEmailState state)
    {
        var explanation = EmailExplainer.ExplainClosed(Email with { State = state });

        Assert.Equal(state.ToString(), explanation.State);
        Assert.Contains("history", explanation.Summary, StringComparison.Ordinal);
        Assert.Empty(explanation.Agents);
        Assert.Null(explanation.Chosen);
    }

    private static QueuedEmailInputs Inputs(
        IReadOnlyList<QueueHead>? waiting = null, IReadOnlyList<ExplainedAgent>? agents = null,
        IReadOnlyDictionary<string, QueueHead>? others = null) =>
        new(Email, waiting ?? [Head(5, 0, 5)], agents ?? [Agent("ana")],
            others ?? new Dictionary<string, QueueHead>(), T0.AddMinutes(1));

    /// <summary>
    /// Builds the inputs of <see cref="Email"/> escalated to priority 15 at T0 + 30 s with overflow queue "Billing",
    /// alone in Parts.
    /// </summary>
    private static QueuedEmailInputs EscalatedInputs(
        IReadOnlyList<ExplainedAgent> agents, IReadOnlyList<QueueHead> overflowWaiting)
    {
        var email = Email with { Priority = 15, EscalatedAt = T0.AddSeconds(30), OverflowQueue = "Billing" };
        return new QueuedEmailInputs(email, [Head(5, 15, 5)], agents, new Dictionary<string, QueueHead>(),
            T0.AddMinutes(1))
        {
            OverflowWaiting = overflowWaiting,
        };
    }

    private static QueueHead Billing(long emailId, int priority, int seconds) =>
        new("Billing", emailId, priority, T0.AddSeconds(seconds));

    private static QueueHead Head(long emailId, int priority, int seconds) =>
        new("Parts", emailId, priority, T0.AddSeconds(seconds));

    private static ExplainedAgent Agent(string agentId, params (string Queue, int Rank)[] ranks) =>
        new(agentId, AgentStatus.Available, 0, 1,
            (ranks.Length == 0 ? [("Parts", 1)] : ranks).ToDictionary(pair => pair.Queue, pair => pair.Rank));
}

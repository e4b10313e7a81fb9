using RoutedEmail.Core.Routing;

namespace RoutedEmail.Core.Tests.Routing;

public sealed class RoutingPolicyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ChooseNext_NoWaitingEmail_ReturnsNull()
    {
        var agents = new[] { Agent("ana", ("Parts", 1)) };

        Assert.Null(RoutingPolicy.ChooseNext(agents, Heads()));
    }

    [Fact]
    public void ChooseNext_AgentAtMaximum_IsSkipped()
    {
        var agents = new[] { Agent("ana", ("Parts", 1)) with { FreeSlots = 0 } };

        Assert.Null(RoutingPolicy.ChooseNext(agents, Heads(Head("Parts", 1))));
    }

    [Fact]
    public void ChooseNext_BestRankedQueue_WinsOverUrgentEmail()
    {
        var agents = new[] { Agent("ana", ("Parts", 1), ("Billing", 2)) };
        var heads = Heads(Head("Parts", 1, priority: 0), Head("Billing", 2, priority: 100));

        Assert.Equal(new RoutingChoice("ana", "Parts"), RoutingPolicy.ChooseNext(agents, heads));
    }

    [Fact]
    public void ChooseNext_EqualRankQueues_MoreUrgentHeadWins()
    {
        var agents = new[] { Agent("ana", ("Parts", 1), ("Billing", 1)) };
        var heads = Heads(Head("Parts", 1, priority: 0), Head("Billing", 2, priority: 5));

        Assert.Equal(new RoutingChoice("ana", "Billing"), RoutingPolicy.ChooseNext(agents, heads));
    }

    [Fact]
    public void ChooseNext_EqualPriority_OlderHeadWins()
    {
        var agents = new[] { Agent("ana", ("Parts", 1), ("Billing", 1)) };
        var heads = Heads(Head("Parts", 1, enqueuedAt: T0.AddSeconds(5)), Head("Billing", 2, enqueuedAt: T0));

        Assert.Equal(new RoutingChoice("ana", "Billing"), RoutingPolicy.ChooseNext(agents, heads));
    }

    [Fact]
    public void ChooseNext_SameQueue_BetterRankingAgentWins()
    {
        var agents = new[]
        {
            Agent("generalist", ("Billing", 1), ("Parts", 2)) with { IdleSince = T0.AddHours(-1) },
            Agent("specialist", ("Parts", 1)),
        };

        var choice = RoutingPolicy.ChooseNext(agents, Heads(Head("Parts", 1)));

        Assert.Equal(new RoutingChoice("specialist", "Parts"), choice);
    }

    [Fact]
    public void ChooseNext_EqualRank_FewerEmailsWins()
    {
        var agents = new[]
        {
            Agent("busy", ("Parts", 1)) with { Load = 1, IdleSince = T0.AddHours(-1) },
            Agent("free", ("Parts", 1)),
        };

        Assert.Equal("free", RoutingPolicy.ChooseNext(agents, Heads(Head("Parts", 1)))!.Value.AgentId);
    }

    [Fact]
    public void ChooseNext_EqualLoad_LongestIdleWins()
    {
        var agents = new[]
        {
            Agent("recent", ("Parts", 1)) with { IdleSince = T0 },
            Agent("waiting", ("Parts", 1)) with { IdleSince = T0.AddMinutes(-3) },
        };

        Assert.Equal("waiting", RoutingPolicy.ChooseNext(agents, Heads(Head("Parts", 1)))!.Value.AgentId);
    }

    [Fact]
    public void ChooseNext_FullTie_LowestAgentIdWins()
    {
        var agents = new[] { Agent("zoe", ("Parts", 1)), Agent("ana", ("Parts", 1)) };

        Assert.Equal("ana", RoutingPolicy.ChooseNext(agents, Heads(Head("Parts", 1)))!.Value.AgentId);
    }

    [Fact]
    public void ChooseNext_TwoTargetedQueues_MoreUrgentQueueServedFirst()
    {
        var agents = new[] { Agent("ana", ("Parts", 1)), Agent("bob", ("Billing", 1)) };
        var heads = Heads(Head("Parts", 1, priority: 0), Head("Billing", 2, priority: 3));

        Assert.Equal(new RoutingChoice("bob", "Billing"), RoutingPolicy.ChooseNext(agents, heads));
    }

    [Fact]
    public void ChooseNext_QueueNotServed_IsIgnored()
    {
        var agents = new[] { Agent("ana", ("Parts", 1)) };
        var heads = Heads(Head("Parts", 2, priority: 0), Head("Billing", 1, priority: 9));

        Assert.Equal(new RoutingChoice("ana", "Parts"), RoutingPolicy.ChooseNext(agents, heads));
    }

    [Fact]
    public void ChooseNext_ExcludedAgent_OtherAgentGetsEmail()
    {
        var agents = new[]
        {
            Agent("ana", ("Parts", 1)) with { IdleSince = T0.AddHours(-1) },
            Agent("bob", ("Parts", 1)),
        };
        var waiting = Waiting(Head("Parts", 1) with { ExcludedAgentIds = Ids("ana") });

        var choice = RoutingPolicy.ChooseNext(agents, waiting);

        Assert.Equal(new RoutingChoice("bob", "Parts"), choice!.Value.Choice);
        Assert.Equal(1, choice.Value.Email.EmailId);
    }

    [Fact]
    public void ChooseNext_OnlyAgentExcluded_ReturnsNull()
    {
        var agents = new[] { Agent("ana", ("Parts", 1)) };
        var waiting = Waiting(Head("Parts", 1) with { ExcludedAgentIds = Ids("ana") });

        Assert.Null(RoutingPolicy.ChooseNext(agents, waiting));
    }

    [Fact]
    public void ChooseNext_ExcludedFromFirstEmail_GetsNextEmail()
    {
        var agents = new[] { Agent("ana", ("Parts", 1)) };
        var waiting = Waiting(Head("Parts", 1) with { ExcludedAgentIds = Ids("ana") }, Head("Parts", 2));

        var choice = RoutingPolicy.ChooseNext(agents, waiting);

        Assert.Equal(2, choice!.Value.Email.EmailId);
    }

    [Fact]
    public void ChooseNext_ExcludedFromBestQueue_TargetsNextQueue()
    {
        var agents = new[] { Agent("ana", ("Parts", 1), ("Billing", 2)) };
        var waiting = Waiting(Head("Parts", 1) with { ExcludedAgentIds = Ids("ana") }, Head("Billing", 2));

        var choice = RoutingPolicy.ChooseNext(agents, waiting);

        Assert.Equal(new RoutingChoice("ana", "Billing"), choice!.Value.Choice);
    }

    [Fact]
    public void ChooseNext_ExclusionOfOtherAgent_DoesNotBlock()
    {
        var agents = new[] { Agent("ana", ("Parts", 1)) };
        var waiting = Waiting(Head("Parts", 1) with { ExcludedAgentIds = Ids("bob") }, Head("Parts", 2));

        Assert.Equal(1, RoutingPolicy.ChooseNext(agents, waiting)!.Value.Email.EmailId);
    }

    [Fact]
    public void ChooseNext_OverflowQueue_NamesWinnersQueue()
    {
        // An escalated email waits in its own queue and in an overflow queue. Agents who target it through
        // different queues tie on the email, and the winner's choice must name the queue that it serves.
        var agents = new[]
        {
            Agent("ana", ("Parts", 1)),
            Agent("bob", ("Overflow", 1)) with { IdleSince = T0.AddMinutes(-5) },
        };
        var waiting = Waiting(Head("Parts", 7), Head("Overflow", 7));

        var choice = RoutingPolicy.ChooseNext(agents, waiting);

        Assert.Equal(new RoutingChoice("bob", "Overflow"), choice!.Value.Choice);
        Assert.Equal(7, choice.Value.Email.EmailId);
    }

    [Theory]
    [InlineData(5, 0, 0, 0, 1, 2, -1)]
    [InlineData(0, 0, 0, 5, 1, 2, 1)]
    [InlineData(0, 0, 10, 0, 1, 2, 1)]
    [InlineData(0, 10, 0, 0, 1, 2, -1)]
    [InlineData(0, 0, 0, 0, 1, 2, -1)]
    [InlineData(0, 0, 0, 0, 2, 1, 1)]
    public void CompareInQueueOrder_Cases_OrderByPriorityAgeThenId(
        int firstPriority, int firstAgeSeconds, int secondAgeSeconds, int secondPriority, long firstId, long secondId,
        int expectedSign)
    {
        var first = new QueueHead("Parts", firstId, firstPriority, T0.AddSeconds(-firstAgeSeconds));
        var second = new QueueHead("Parts", secondId, secondPriority, T0.AddSeconds(-secondAgeSeconds));

        Assert.Equal(expectedSign, Math.Sign(RoutingPolicy.CompareInQueueOrder(first, second)));
    }

    private static RoutableAgent Agent(string agentId, params (string Queue, int Rank)[] ranks) =>
        new(agentId, ranks.ToDictionary(r => r.Queue, r => r.Rank), Load: 0, FreeSlots: 1, IdleSince: T0);

    private static QueueHead Head(string queue, long emailId, int priority = 0, DateTimeOffset? enqueuedAt = null) =>
        new(queue, emailId, priority, enqueuedAt ?? T0);

    private static Dictionary<string, QueueHead> Heads(params QueueHead[] heads) =>
        heads.ToDictionary(head => head.Queue);

    private static Dictionary<string, IReadOnlyList<QueueHead>> Waiting(params QueueHead[] emails) =>
        emails.GroupBy(email => email.Queue)
            .ToDictionary(group => group.Key, group => (IReadOnlyList<QueueHead>)group.ToList());

    private static HashSet<string> Ids(params string[] agentIds) => new(agentIds, StringComparer.Ordinal);
}

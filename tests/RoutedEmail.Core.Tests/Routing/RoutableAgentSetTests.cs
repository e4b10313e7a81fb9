using CsCheck;
using RoutedEmail.Core.Routing;

namespace RoutedEmail.Core.Tests.Routing;

/// <summary>
/// Checks that <see cref="RoutingPolicy.ChooseNext(RoutableAgentSet, IReadOnlyDictionary{string, IReadOnlyList{QueueHead}})"/>
/// makes the same choice as the overload that looks at every agent of a list, on random agents and waiting lists
/// with ties, exclusions and escalated emails listed in two queues, and after random changes to the set. A failure
/// prints the CsCheck seed; set the environment variable <c>CsCheck_Seed</c> to replay it.
/// </summary>
public sealed class RoutableAgentSetTests
{
    private const int Iterations = 2000;

    private static readonly string[] Queues = ["Parts", "Billing", "Returns", "Overflow"];

    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    // Ranks 0 mean that the agent does not serve the queue. Few distinct values make ties between agents common.
    private static readonly Gen<AgentSpec> AgentGen = Gen.Select(
        Gen.Int[0, 3].Array[Queues.Length], Gen.Int[0, 2], Gen.Int[0, 2], Gen.Int[0, 2],
        (ranks, load, freeSlots, idleSeconds) => new AgentSpec(ranks, load, freeSlots, idleSeconds));

    private static readonly Gen<EmailSpec> EmailGen = Gen.Select(
        Gen.Int[0, Queues.Length - 1], Gen.Int[0, 1], Gen.Int[0, 2], Gen.Int[-1, Queues.Length - 1],
        Gen.Int[0, 255],
        (queue, priority, enqueuedSeconds, overflowQueue, excluded) =>
            new EmailSpec(queue, priority, enqueuedSeconds, overflowQueue, excluded));

    private static readonly Gen<Change> ChangeGen = Gen.Select(
        Gen.Int[0, 2], Gen.Int[0, 7], AgentGen, (kind, agent, spec) => new Change(kind, agent, spec));

    [Fact]
    public void ChooseNext_RandomInputs_MatchesAgentList()
    {
        var choices = 0;
        Gen.Select(AgentGen.Array[0, 8], EmailGen.Array[0, 10]).Sample(input =>
        {
            var agents = input.Item1.Select((spec, index) => spec.ToAgent(index)).ToList();
            var set = new RoutableAgentSet();
            foreach (var agent in agents)
            {
                set.Add(agent);
            }

            var waiting = BuildWaiting(input.Item2);
            if (AssertSameChoice(agents, set, waiting))
            {
                Interlocked.Increment(ref choices);
            }
        }, iter: Iterations);

        // Guards against generators that never let an agent target an email, which would make the run vacuous.
        Assert.True(choices > Iterations / 4, $"Only {choices} choices in {Iterations} runs.");
    }

    [Fact]
    public void Changes_RandomSequence_MatchAgentList()
    {
        Gen.Select(AgentGen.Array[0, 8], ChangeGen.Array[1, 30], EmailGen.Array[1, 10]).Sample(input =>
        {
            var (initial, changes, emails) = input;
            var reference = new Dictionary<string, RoutableAgent>(StringComparer.Ordinal);
            var set = new RoutableAgentSet();
            foreach (var agent in initial.Select((spec, index) => spec.ToAgent(index)))
            {
                reference[agent.AgentId] = agent;
                set.Add(agent);
            }

            var waiting = BuildWaiting(emails);
            foreach (var change in changes)
            {
                Apply(change, reference, set);
                Assert.Equal(
                    reference.Values.OrderBy(agent => agent.AgentId, StringComparer.Ordinal),
                    set.Agents.OrderBy(agent => agent.AgentId, StringComparer.Ordinal));
                Assert.Equal(
                    reference.Values.SelectMany(agent => agent.Ranks.Keys).Distinct().Order(StringComparer.Ordinal),
                    set.Queues.Order(StringComparer.Ordinal));
                AssertSameChoice([.. reference.Values], set, waiting);
            }
        }, iter: Iterations / 4);
    }

    [Fact]
    public void CountOffer_LastFreeSlot_RemovesAgent()
    {
        var set = new RoutableAgentSet();
        set.Add(new AgentSpec([1, 0, 0, 0], 0, 1, 0).ToAgent(0));

        set.CountOffer("agent-0");

        Assert.Null(set.Find("agent-0"));
        Assert.Empty(set.Agents);
        Assert.Empty(set.Queues);
    }

    [Fact]
    public void CountOffer_FreeSlotsLeft_CountsLoad()
    {
        var set = new RoutableAgentSet();
        set.Add(new AgentSpec([1, 2, 0, 0], 1, 2, 0).ToAgent(0));

        set.CountOffer("agent-0");

        var agent = set.Find("agent-0");
        Assert.NotNull(agent);
        Assert.Equal(2, agent.Load);
        Assert.Equal(1, agent.FreeSlots);
        Assert.Equal(["Billing", "Parts"], set.Queues.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Add_SameAgentTwice_Throws()
    {
        var set = new RoutableAgentSet();
        set.Add(new AgentSpec([1, 0, 0, 0], 0, 1, 0).ToAgent(0));

        Assert.Throws<ArgumentException>(() => set.Add(new AgentSpec([0, 1, 0, 0], 0, 1, 0).ToAgent(0)));
        Assert.Equal(["Parts"], set.Queues);
    }

    // Returns whether the two overloads chose an offer; fails when they differ.
    private static bool AssertSameChoice(
        List<RoutableAgent> agents, RoutableAgentSet set, Dictionary<string, IReadOnlyList<QueueHead>> waiting)
    {
        var fromList = RoutingPolicy.ChooseNext(agents, waiting);
        var fromSet = RoutingPolicy.ChooseNext(set, waiting);

        Assert.Equal(fromList?.Choice, fromSet?.Choice);
        Assert.Same(fromList?.Email, fromSet?.Email);
        return fromList is not null;
    }

    private static void Apply(Change change, Dictionary<string, RoutableAgent> reference, RoutableAgentSet set)
    {
        var agentId = $"agent-{change.Agent}";
        switch (change.Kind)
        {
            case 0 when !reference.ContainsKey(agentId):
                var added = change.Spec.ToAgent(change.Agent);
                reference[agentId] = added;
                set.Add(added);
                break;
            case 1:
                reference.Remove(agentId);
                set.Remove(agentId);
                break;
            case 2 when reference.TryGetValue(agentId, out var offered):
                // As the routing step does: an agent without a free slot leaves, the others carry one more email.
                if (offered.FreeSlots > 1)
                {
                    reference[agentId] = offered with { Load = offered.Load + 1, FreeSlots = offered.FreeSlots - 1 };
                }
                else
                {
                    reference.Remove(agentId);
                }

                set.CountOffer(agentId);
                break;
        }
    }

    // Each email is listed in its own queue and, when escalated, in an overflow queue, in queue order.
    private static Dictionary<string, IReadOnlyList<QueueHead>> BuildWaiting(EmailSpec[] emails)
    {
        var lists = new Dictionary<string, List<QueueHead>>(StringComparer.Ordinal);
        for (var index = 0; index < emails.Length; index++)
        {
            var spec = emails[index];
            var queue = Queues[spec.Queue];
            var excluded = Enumerable.Range(0, 8).Where(agent => (spec.Excluded >> agent & 1) == 1 && agent % 3 == 0)
                .Select(agent => $"agent-{agent}").ToHashSet(StringComparer.Ordinal);
            var email = new QueueHead(queue, index + 1, spec.Priority, Start.AddSeconds(spec.EnqueuedSeconds))
            {
                ExcludedAgentIds = excluded,
            };
            AddTo(lists, queue, email);
            if (spec.OverflowQueue >= 0 && spec.OverflowQueue != spec.Queue)
            {
                // The overflow queue's list has its own QueueHead for the same email, as the store reads it.
                AddTo(lists, Queues[spec.OverflowQueue], email with { });
            }
        }

        return lists.ToDictionary(
            pair => pair.Key,
            pair => (IReadOnlyList<QueueHead>)pair.Value.Order(Comparer<QueueHead>.Create(RoutingPolicy.CompareInQueueOrder))
                .ToList(),
            StringComparer.Ordinal);
    }

    private static void AddTo(Dictionary<string, List<QueueHead>> lists, string queue, QueueHead email)
    {
        if (!lists.TryGetValue(queue, out var list))
        {
            list = [];
            lists[queue] = list;
        }

        list.Add(email);
    }

    private sealed record AgentSpec(int[] Ranks, int Load, int FreeSlots, int IdleSeconds)
    {
        public RoutableAgent ToAgent(int index) => new(
            $"agent-{index}",
            Queues.Where((_, queue) => Ranks[queue] > 0)
                .ToDictionary(queue => queue, queue => Ranks[Array.IndexOf(Queues, queue)], StringComparer.Ordinal),
            Load, FreeSlots, Start.AddSeconds(IdleSeconds));
    }

    private sealed record EmailSpec(int Queue, int Priority, int EnqueuedSeconds, int OverflowQueue, int Excluded);

    private sealed record Change(int Kind, int Agent, AgentSpec Spec);
}

using RoutedEmail.Core.Routing;

namespace RoutedEmail.Core.Tests.Routing;

/// <summary>The kind of a simulated event, which sets the meaning of the numbers in <see cref="SimulationStep"/>.</summary>
public enum StepKind
{
    /// <summary>An email arrives: <c>A</c> picks the queue, <c>B</c> is its priority, <c>C</c> seconds pass first.</summary>
    Arrive,

    /// <summary>Agent <c>A</c> chooses Available.</summary>
    Available,

    /// <summary>Agent <c>A</c> goes Away, so its pending offers are withdrawn without a skip period.</summary>
    Away,

    /// <summary>Agent <c>A</c> accepts its pending offer picked by <c>B</c>.</summary>
    Accept,

    /// <summary>Agent <c>A</c> declines its pending offer picked by <c>B</c>, which starts a skip period.</summary>
    Decline,

    /// <summary>
    /// Agent <c>A</c>'s pending offer picked by <c>B</c> expires: it starts a skip period, the agent becomes
    /// Missed, and its other pending offers are withdrawn.
    /// </summary>
    Expire,

    /// <summary>Agent <c>A</c> completes its active email picked by <c>B</c>, with no wrap time.</summary>
    Complete,

    /// <summary>End of every skip period of one email, picked by <c>B</c> among the emails that have any.</summary>
    SkipEnds,
}

/// <summary>One simulated event. <c>A</c>, <c>B</c> and <c>C</c> are small numbers taken modulo what they pick from.</summary>
public readonly record struct SimulationStep(StepKind Kind, int A, int B, int C)
{
    public override string ToString() => $"{Kind}({A},{B},{C})";
}

/// <summary>A simulated agent's routing profile: its rank per queue (0 for a queue it does not serve) and maximum.</summary>
public sealed record SimulatedAgentProfile(int[] Ranks, int MaxConcurrentEmails)
{
    public override string ToString() => $"[{string.Join(",", Ranks)}] max {MaxConcurrentEmails}";
}

/// <summary>
/// An in-memory model of the routing service: emails in queues, pending offers, active emails and agents, with
/// every offer chosen by <see cref="RoutingPolicy"/>. It keeps each email state in its own collection, so that an
/// email lost or held twice shows up as a count other than one. Each check fails the test with the offending ids.
/// </summary>
public sealed class RoutingSimulation
{
    public static readonly string[] QueueNames = ["Parts", "Billing", "Returns"];

    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly SimulatedAgentProfile[] _profiles;
    private readonly Dictionary<long, Email> _emails = [];
    private readonly Dictionary<string, List<long>> _queued = QueueNames.ToDictionary(name => name, _ => new List<long>());
    private readonly Dictionary<long, Offer> _pendingOffers = [];
    private readonly Dictionary<string, List<long>> _active = [];
    private readonly HashSet<long> _completed = [];
    private readonly Dictionary<string, AgentState> _agents = [];
    private long _nextEmailId = 1;
    private long _nextOfferId = 1;
    private DateTimeOffset _now = Start;

    public RoutingSimulation(IReadOnlyList<SimulatedAgentProfile> profiles)
    {
        _profiles = [.. profiles];
        for (var index = 0; index < _profiles.Length; index++)
        {
            var agentId = AgentId(index);
            _agents[agentId] = new AgentState(_profiles[index]) { Status = AgentStatus.Offline, IdleSince = Start };
            _active[agentId] = [];
        }
    }

    private enum AgentStatus { Offline, Available, Away, Missed }

    /// <summary>Offers made so far, to show that a run exercised routing.</summary>
    public int OffersMade { get; private set; }

    /// <summary>Applies one event, routes until no offer is possible, and checks every invariant.</summary>
    public void Apply(SimulationStep step)
    {
        var agentId = AgentId(step.A % _profiles.Length);
        switch (step.Kind)
        {
            case StepKind.Arrive:
                Arrive(QueueNames[step.A % QueueNames.Length], step.B, step.C);
                break;
            case StepKind.Available:
                BecomeAvailable(agentId);
                break;
            case StepKind.Away:
                WithdrawOffersOf(agentId);
                _agents[agentId].Status = AgentStatus.Away;
                break;
            case StepKind.Accept:
                Accept(agentId, step.B);
                break;
            case StepKind.Decline:
                Decline(agentId, step.B);
                break;
            case StepKind.Expire:
                Expire(agentId, step.B);
                break;
            case StepKind.Complete:
                Complete(agentId, step.B);
                break;
            case StepKind.SkipEnds:
                EndSkips(step.B);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(step), step.Kind, "Unknown step kind.");
        }

        RouteUntilIdle();
        CheckInvariants();
    }

    private static string AgentId(int index) => $"agent-{index}";

    private void Arrive(string queue, int priority, int secondsBefore)
    {
        _now = _now.AddSeconds(secondsBefore);
        var email = new Email(_nextEmailId++, queue, priority, _now);
        _emails[email.Id] = email;
        _queued[queue].Add(email.Id);
    }

    private void BecomeAvailable(string agentId)
    {
        var agent = _agents[agentId];
        if (agent.Status != AgentStatus.Available)
        {
            agent.Status = AgentStatus.Available;
            agent.IdleSince = _now;
        }
    }

    private void Accept(string agentId, int pick)
    {
        if (PickOffer(agentId, pick) is { } offer)
        {
            _pendingOffers.Remove(offer.Id);
            _active[agentId].Add(offer.EmailId);
        }
    }

    private void Decline(string agentId, int pick)
    {
        if (PickOffer(agentId, pick) is { } offer)
        {
            ReturnToQueue(offer, skip: true);
        }
    }

    private void Expire(string agentId, int pick)
    {
        if (PickOffer(agentId, pick) is { } offer)
        {
            ReturnToQueue(offer, skip: true);
            WithdrawOffersOf(agentId);
            _agents[agentId].Status = AgentStatus.Missed;
        }
    }

    private void Complete(string agentId, int pick)
    {
        var active = _active[agentId];
        if (active.Count == 0)
        {
            return;
        }

        var emailId = active[pick % active.Count];
        active.Remove(emailId);
        _completed.Add(emailId);
        _agents[agentId].IdleSince = _now;
    }

    private void EndSkips(int pick)
    {
        var skipped = _emails.Values.Where(email => email.ExcludedAgentIds.Count > 0).OrderBy(email => email.Id).ToList();
        if (skipped.Count > 0)
        {
            skipped[pick % skipped.Count].ExcludedAgentIds.Clear();
        }
    }

    private Offer? PickOffer(string agentId, int pick)
    {
        var offers = _pendingOffers.Values.Where(offer => offer.AgentId == agentId).OrderBy(offer => offer.Id).ToList();
        return offers.Count == 0 ? null : offers[pick % offers.Count];
    }

    private void WithdrawOffersOf(string agentId)
    {
        foreach (var offer in _pendingOffers.Values.Where(offer => offer.AgentId == agentId).ToList())
        {
            ReturnToQueue(offer, skip: false);
        }
    }

    /// <summary>Puts an offered email back in its queue with its original priority and enqueue time.</summary>
    private void ReturnToQueue(Offer offer, bool skip)
    {
        _pendingOffers.Remove(offer.Id);
        var email = _emails[offer.EmailId];
        _queued[email.Queue].Add(email.Id);
        if (skip)
        {
            email.ExcludedAgentIds.Add(offer.AgentId);
        }

        _agents[offer.AgentId].IdleSince = _now;
    }

    private void RouteUntilIdle()
    {
        // Each offer takes one queued email, so there can be no more offers than emails.
        for (var round = 0; round <= _emails.Count; round++)
        {
            var choice = RoutingPolicy.ChooseNext(RoutableAgents(), WaitingLists());
            if (choice is not var (routing, head))
            {
                CheckNoOfferMissed();
                return;
            }

            MakeOffer(routing, head);
        }

        Assert.Fail($"Routing kept choosing offers after {_emails.Count + 1} rounds with {_emails.Count} emails.");
    }

    private void MakeOffer(RoutingChoice routing, QueueHead head)
    {
        Assert.Equal(routing.Queue, head.Queue);
        Assert.True(_agents.TryGetValue(routing.AgentId, out var agent), $"Unknown agent {routing.AgentId} chosen.");
        Assert.Equal(AgentStatus.Available, agent.Status);
        Assert.True(RankOf(routing.AgentId, head.Queue) > 0, $"{routing.AgentId} does not serve {head.Queue}.");
        Assert.True(_queued[head.Queue].Contains(head.EmailId), $"Email {head.EmailId} is not queued in {head.Queue}.");

        var expected = FirstAdmitted(head.Queue, routing.AgentId);
        Assert.True(expected == head.EmailId,
            $"Queue order broken: {routing.AgentId} was offered email {head.EmailId} of {head.Queue}, "
            + $"but email {expected} comes first among those that admit it.");

        _queued[head.Queue].Remove(head.EmailId);
        var offer = new Offer(_nextOfferId++, head.EmailId, routing.AgentId);
        _pendingOffers[offer.Id] = offer;
        OffersMade++;
    }

    /// <summary>
    /// Returns the id of the queue's first email, in priority desc, enqueue time and id order, that admits the agent,
    /// or null when there is none.
    /// </summary>
    private long? FirstAdmitted(string queue, string agentId) =>
        InQueueOrder(queue).Where(email => !email.ExcludedAgentIds.Contains(agentId)).Select(email => (long?)email.Id)
            .FirstOrDefault();

    private IEnumerable<Email> InQueueOrder(string queue) =>
        _queued[queue].Select(id => _emails[id])
            .OrderByDescending(email => email.Priority).ThenBy(email => email.EnqueuedAt).ThenBy(email => email.Id);

    /// <summary>Every Available agent, including those at their maximum, so the policy must skip full agents itself.</summary>
    private List<RoutableAgent> RoutableAgents()
    {
        var agents = new List<RoutableAgent>();
        for (var index = 0; index < _profiles.Length; index++)
        {
            var agentId = AgentId(index);
            var state = _agents[agentId];
            if (state.Status != AgentStatus.Available)
            {
                continue;
            }

            var ranks = QueueNames.Where(queue => RankOf(agentId, queue) > 0)
                .ToDictionary(queue => queue, queue => RankOf(agentId, queue));
            var load = LoadOf(agentId);
            agents.Add(new RoutableAgent(
                agentId, ranks, load, _profiles[index].MaxConcurrentEmails - load, state.IdleSince));
        }

        return agents;
    }

    private Dictionary<string, IReadOnlyList<QueueHead>> WaitingLists() =>
        QueueNames.Where(queue => _queued[queue].Count > 0).ToDictionary(
            queue => queue,
            queue => (IReadOnlyList<QueueHead>)[.. InQueueOrder(queue).Select(email => email.ToHead())]);

    private int RankOf(string agentId, string queue) =>
        _agents[agentId].Profile.Ranks[Array.IndexOf(QueueNames, queue)];

    private int LoadOf(string agentId) =>
        _pendingOffers.Values.Count(offer => offer.AgentId == agentId) + _active[agentId].Count;

    /// <summary>Checks that routing stopped only because no Available agent with a free slot has an email for it.</summary>
    private void CheckNoOfferMissed()
    {
        foreach (var agent in RoutableAgents().Where(agent => agent.FreeSlots > 0))
        {
            foreach (var queue in agent.Ranks.Keys)
            {
                var missed = FirstAdmitted(queue, agent.AgentId);
                Assert.True(missed is null,
                    $"Routing stopped, but {agent.AgentId} has {agent.FreeSlots} free slots and email {missed} "
                    + $"waits in {queue}, which it serves.");
            }
        }
    }

    private void CheckInvariants()
    {
        foreach (var group in _pendingOffers.Values.GroupBy(offer => offer.EmailId))
        {
            Assert.True(group.Count() == 1,
                $"Email {group.Key} has pending offers to {string.Join(", ", group.Select(offer => offer.AgentId))}.");
        }

        for (var index = 0; index < _profiles.Length; index++)
        {
            var agentId = AgentId(index);
            var load = LoadOf(agentId);
            Assert.True(load <= _profiles[index].MaxConcurrentEmails,
                $"{agentId} holds {load} emails, above its maximum of {_profiles[index].MaxConcurrentEmails}.");
        }

        var holders = _emails.Keys.ToDictionary(id => id, _ => new List<string>());
        foreach (var (queue, ids) in _queued)
        {
            ids.ForEach(id => holders[id].Add("Queued in " + queue));
        }

        foreach (var offer in _pendingOffers.Values)
        {
            holders[offer.EmailId].Add("Offered to " + offer.AgentId);
        }

        foreach (var (agentId, ids) in _active)
        {
            ids.ForEach(id => holders[id].Add("Active for " + agentId));
        }

        foreach (var id in _completed)
        {
            holders[id].Add("Completed");
        }

        foreach (var (id, states) in holders)
        {
            Assert.True(states.Count == 1, $"Email {id} is in {states.Count} states: [{string.Join(", ", states)}].");
        }
    }

    private sealed record Email(long Id, string Queue, int Priority, DateTimeOffset EnqueuedAt)
    {
        public HashSet<string> ExcludedAgentIds { get; } = new(StringComparer.Ordinal);

        public QueueHead ToHead() => new(Queue, Id, Priority, EnqueuedAt)
        {
            ExcludedAgentIds = new HashSet<string>(ExcludedAgentIds, StringComparer.Ordinal),
        };
    }

    private sealed record Offer(long Id, long EmailId, string AgentId);

    private sealed class AgentState(SimulatedAgentProfile profile)
    {
        public SimulatedAgentProfile Profile { get; } = profile;

        public AgentStatus Status { get; set; }

        public DateTimeOffset IdleSince { get; set; }
    }
}

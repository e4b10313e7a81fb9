using CsCheck;
using RoutedEmail.Core.Routing;

namespace RoutedEmail.Core.Tests.Routing;

/// <summary>
/// Random event sequences run through <see cref="RoutingSimulation"/>, which routes with <see cref="RoutingPolicy"/>
/// after every event and checks that no email is offered twice, lost or held twice, that no agent exceeds its
/// maximum, and that every offer takes the first email in queue order that admits the agent. A failure prints the
/// shrunk event sequence and the CsCheck seed; set the environment variable <c>CsCheck_Seed</c> to replay it.
/// </summary>
public sealed class RoutingPolicyPropertyTests
{
    private const int Iterations = 400;

    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static readonly Gen<SimulatedAgentProfile> ProfileGen = Gen.Select(
        Gen.Int[0, 3].Array[RoutingSimulation.QueueNames.Length],
        Gen.Int[1, 3],
        (ranks, max) => new SimulatedAgentProfile(ranks, max));

    private static readonly Gen<StepKind> KindGen = Gen.FrequencyConst(
        (5, StepKind.Arrive),
        (3, StepKind.Available),
        (1, StepKind.Away),
        (4, StepKind.Accept),
        (2, StepKind.Decline),
        (1, StepKind.Expire),
        (3, StepKind.Complete),
        (1, StepKind.SkipEnds));

    private static readonly Gen<SimulationStep> StepGen = Gen.Select(
        KindGen, Gen.Int[0, 7], Gen.Int[0, 7], Gen.Int[0, 2],
        (kind, a, b, c) => new SimulationStep(kind, a, kind == StepKind.Arrive ? b % 3 : b, c));

    private static readonly Gen<(SimulatedAgentProfile[] Profiles, SimulationStep[] Steps)> RunGen =
        Gen.Select(ProfileGen.Array[1, 4], StepGen.Array[1, 80]);

    [Fact]
    public void Simulation_RandomEvents_KeepInvariants()
    {
        var offers = 0;

        RunGen.Sample(
            run =>
            {
                var simulation = new RoutingSimulation(run.Profiles);
                foreach (var step in run.Steps)
                {
                    simulation.Apply(step);
                }

                Interlocked.Add(ref offers, simulation.OffersMade);
            },
            iter: Iterations,
            print: Describe);

        // Guards against generators that never let routing happen, which would make the run above vacuous.
        Assert.True(offers > Iterations, $"Only {offers} offers in {Iterations} runs.");
    }

    [Fact]
    public void ChooseNext_HeadsWithoutExclusions_MatchesWaitingLists()
    {
        var headGen = Gen.Select(Gen.Int[0, 2], Gen.Int[0, 3], Gen.Int[1, 50],
            (priority, seconds, id) => (Priority: priority, Seconds: seconds, Id: (long)id));
        var agentGen = Gen.Select(Gen.Int[0, 3].Array[RoutingSimulation.QueueNames.Length],
            Gen.Int[0, 2], Gen.Int[0, 2], Gen.Int[0, 3]);
        var inputGen = Gen.Select(agentGen.Array[0, 5], headGen.Array[RoutingSimulation.QueueNames.Length],
            Gen.Bool.Array[RoutingSimulation.QueueNames.Length]);

        inputGen.Sample(input =>
        {
            var (agentSpecs, headSpecs, present) = input;
            var agents = agentSpecs.Select((spec, index) => new RoutableAgent(
                $"agent-{index}",
                RoutingSimulation.QueueNames.Where((_, queue) => spec.Item1[queue] > 0)
                    .ToDictionary(queue => queue, queue => spec.Item1[Array.IndexOf(RoutingSimulation.QueueNames, queue)]),
                spec.Item2, spec.Item3, Start.AddSeconds(spec.Item4))).ToList();
            var heads = new Dictionary<string, QueueHead>();
            for (var queue = 0; queue < RoutingSimulation.QueueNames.Length; queue++)
            {
                if (present[queue])
                {
                    var name = RoutingSimulation.QueueNames[queue];
                    var spec = headSpecs[queue];
                    heads[name] = new QueueHead(name, spec.Id * 10 + queue, spec.Priority, Start.AddSeconds(spec.Seconds));
                }
            }

            var waiting = heads.ToDictionary(pair => pair.Key, pair => (IReadOnlyList<QueueHead>)[pair.Value]);

            var fromHeads = RoutingPolicy.ChooseNext(agents, heads);
            var fromWaiting = RoutingPolicy.ChooseNext(agents, waiting);

            Assert.Equal(fromWaiting?.Choice, fromHeads);
            if (fromWaiting is var (choice, email))
            {
                Assert.Same(heads[choice.Queue], email);
            }
        }, iter: Iterations);
    }

    private static string Describe((SimulatedAgentProfile[] Profiles, SimulationStep[] Steps) run) =>
        $"agents: {string.Join("; ", run.Profiles.Select((profile, index) => $"agent-{index} {profile}"))}"
        + $"{Environment.NewLine}steps: {string.Join(" ", run.Steps)}";
}

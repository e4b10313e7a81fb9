namespace RoutedEmail.Bench.Figures;

/// <summary>One scale run: how much waiting email, and how many agents and skill queues, the database holds.</summary>
/// <param name="WaitingEmails">Queued emails seeded into the database.</param>
/// <param name="Agents">Agents seeded, all Offline, besides the one agent that measures routing steps.</param>
/// <param name="Queues">Skill queues; the waiting emails are spread over them evenly.</param>
internal sealed record ScaleCase(int WaitingEmails, int Agents, int Queues);

/// <summary>
/// The sizes and times of a figures run: the full run, <c>--quick</c> (about two minutes), or
/// <c>--quick --smoke</c> (seconds per figure, only to check that the harness works).
/// </summary>
/// <param name="Name">"full", "quick" or "smoke".</param>
/// <param name="IngestWarmup">The unmeasured wrk run before each measured one.</param>
/// <param name="IngestDuration">Each measured wrk run.</param>
/// <param name="BatchSizes">Items per request, one baseline and one service run each.</param>
/// <param name="HubAgents">Agents connected to the hub in the routing latency run.</param>
/// <param name="LatencyWarmup">
/// The shortest unmeasured open-loop ingest before the measured one; it goes on until the server is warm.
/// </param>
/// <param name="LatencyDuration">The measured open-loop ingest.</param>
/// <param name="EmailsPerSecond">The open-loop ingest rate.</param>
/// <param name="SmallScale">The scale run that the large one is compared with.</param>
/// <param name="LargeScale">The scale run with the target's waiting emails, or fewer in a quick run.</param>
/// <param name="HugeScale">The 10,000,000-email run, or null when this run skips it.</param>
/// <param name="RoutingSteps">Routing steps measured per scale run.</param>
/// <param name="LatencyWarmupLimit">
/// The longest unmeasured open-loop ingest, after which the measured phase starts even if the server is not warm;
/// zero for no warm-up.
/// </param>
internal sealed record SuitePlan(
    string Name, TimeSpan IngestWarmup, TimeSpan IngestDuration, IReadOnlyList<int> BatchSizes, int HubAgents,
    TimeSpan LatencyWarmup, TimeSpan LatencyDuration, int EmailsPerSecond, ScaleCase SmallScale,
    ScaleCase LargeScale, ScaleCase? HugeScale, int RoutingSteps, TimeSpan LatencyWarmupLimit)
{
    /// <summary>The agents that the routing latency figure is defined with.</summary>
    public const int TargetHubAgents = 2000;

    /// <summary>The waiting emails that the routing step ratio and the start-up figure are defined with.</summary>
    public const int TargetWaitingEmails = 1_000_000;

    /// <summary>
    /// Chooses the plan from the options. Options given explicitly, such as --duration, win over the preset.
    /// </summary>
    public static SuitePlan From(BenchOptions options)
    {
        var small = new ScaleCase(1_000, 0, 1);
        var plan = options switch
        {
            // 20 agents cannot take 500 emails/s here, and a smoke run only checks that the harness works.
            { Smoke: true } => new SuitePlan("smoke", TimeSpan.Zero, TimeSpan.FromSeconds(1), [1, 100], 20,
                TimeSpan.Zero, TimeSpan.FromSeconds(2), 100, new ScaleCase(100, 0, 1), small, null, 10, TimeSpan.Zero),
            { Quick: true } => new SuitePlan("quick", TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5), [1, 100],
                200, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10), 500, small, new ScaleCase(100_000, 0, 1),
                null, 100, TimeSpan.FromSeconds(30)),
            _ => new SuitePlan("full", TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(10), [1, 10, 100, 1000],
                TargetHubAgents, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(20), 500, small,
                new ScaleCase(TargetWaitingEmails, 0, 1), new ScaleCase(10_000_000, 100_000, 50_000), 200,
                TimeSpan.FromSeconds(120)),
        };

        return plan with
        {
            IngestWarmup = options.WarmupSet ? options.Warmup : plan.IngestWarmup,
            IngestDuration = options.DurationSet ? options.Duration : plan.IngestDuration,
            BatchSizes = options.BatchSizesSet ? options.BatchSizes : plan.BatchSizes,
            HubAgents = options.HubAgents ?? plan.HubAgents,
            EmailsPerSecond = options.EmailsPerSecond ?? plan.EmailsPerSecond,
        };
    }
}

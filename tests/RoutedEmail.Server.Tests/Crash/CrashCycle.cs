using System.Diagnostics;

namespace RoutedEmail.Server.Tests.Crash;

/// <summary>The kind of moment a crash loop cycle kills the server at.</summary>
internal enum KillPoint
{
    /// <summary>After a number of acknowledged ingest batches.</summary>
    Ingest,

    /// <summary>Right after the n-th accept of the cycle is sent, by a REST or a hub agent.</summary>
    Accept,

    /// <summary>Right after the n-th complete of the cycle is sent, by a REST or a hub agent.</summary>
    Complete,

    /// <summary>At a time after the cycle started.</summary>
    Timer,

    /// <summary>
    /// From the output thread, the moment the first routing step after the n-th freed slot of the cycle logs that it
    /// began (see <see cref="RoutingStepWatch"/>).
    /// </summary>
    RoutingStep,
}

/// <summary>What one cycle of the crash loop did, for its line in the test output and the run's totals.</summary>
internal sealed record CycleReport(
    int Cycle, KillPoint Point, int Threshold, bool Reached, AgentChannel? Channel, bool StepInFlight,
    int StepsBegan, int FreedSlots, long ElapsedMs, int BatchesInFlight, int Batches, int Acknowledged,
    string RestAgents, string HubAgents)
{
    /// <summary>Describes the kill and the cycle's load in one line.</summary>
    public string Describe()
    {
        var where = Reached ? CrashCycle.Describe(Point, Threshold, Channel)
            : $"at the time limit, before {CrashCycle.Describe(Point, Threshold, null)}";
        var step = StepInFlight ? "inside a routing step" : "outside any routing step";
        return $"Cycle {Cycle}: killed {where}, {ElapsedMs} ms into the cycle, {step} ({StepsBegan} steps began, " +
            $"{FreedSlots} slots freed), with {BatchesInFlight} batches in flight. {Acknowledged} of {Batches} " +
            $"batches acknowledged, the others unanswered. REST agents: {RestAgents}. Hub agents: {HubAgents}.";
    }
}

/// <summary>
/// One cycle of the crash loop: ingest load, REST agents and the hub agents work until the cycle's kill point, the
/// server gets SIGKILL, and the ingest outcomes go into the ledger.
/// </summary>
/// <remarks>
/// Every third cycle, starting with the first, kills at a routing step and every third, starting with the second,
/// right after an accept. The others pick one of the four other kinds at random, and all thresholds come from the
/// seeded random generator.
/// </remarks>
internal static class CrashCycle
{
    private const int IngestWorkers = 2;
    private const int MaxRequestsPerCycle = 1000;

    // A cycle ends with a kill at its kill point, or at this time limit when the point was not reached.
    private static readonly TimeSpan MaxCycleTime = TimeSpan.FromSeconds(6);

    /// <summary>Runs the cycle and kills the server, and returns the report and the REST agents' errors.</summary>
    public static async Task<(CycleReport Report, IReadOnlyList<string> Errors)> RunAsync(
        ServerProcess server, CrashLoopTenant tenant, IngestLedger ledger, HubAgentLoad hubAgents, int cycle,
        Random random, string context)
    {
        var point = ChoosePoint(cycle, random);
        var threshold = point switch
        {
            KillPoint.Ingest => random.Next(20, 201),
            KillPoint.Accept or KillPoint.Complete => random.Next(1, 9),
            KillPoint.RoutingStep => random.Next(1, 5),
            _ => random.Next(200, 4001),
        };
        var delayAfterSignalMs = random.Next(3);
        var trigger = new KillTrigger(point, threshold);
        var hubBefore = (hubAgents.Accepts, hubAgents.Declines, hubAgents.Completes, hubAgents.Unanswered);

        using var http = server.CreateClient();
        var ingest = new IngestLoad(new TenantClient(http, tenant.Credentials), $"c{cycle}", random.Next());
        var restAgents = new AgentLoad(server.BaseAddress, tenant.RestAgentTokens, random.Next(), hubAgents.Ledger)
        {
            ActionSent = trigger.OnActionSent,
        };
        var watch = new RoutingStepWatch(
            server, point == KillPoint.RoutingStep ? threshold : 0, () => trigger.Signal.TrySetResult());
        hubAgents.ActionSent = trigger.OnActionSent;
        var elapsed = Stopwatch.StartNew();
        var ingestRunning = ingest.RunAsync(IngestWorkers, MaxRequestsPerCycle);
        var agentsRunning = restAgents.RunAsync();
        var reached = await WaitForKillPointAsync(point, threshold, ingest, trigger.Signal.Task, elapsed);
        if (reached && point != KillPoint.RoutingStep && delayAfterSignalMs > 0)
        {
            await Task.Delay(delayAfterSignalMs);
        }

        ingest.Stop();
        restAgents.Stop();
        hubAgents.ActionSent = null;
        var inFlight = ingest.InFlight;
        var killedAtMs = elapsed.ElapsedMilliseconds;
        server.Kill();
        var stepInFlight = await watch.StepInFlightAtEndAsync();
        await Task.WhenAll(ingestRunning, agentsRunning);

        var batches = ingest.Batches.ToList();
        var rejected = batches.FirstOrDefault(batch => batch.Outcome == BatchOutcome.Rejected);
        Assert.True(rejected is null,
            $"{context}: a valid batch was rejected before the kill with {rejected?.Detail}.");
        foreach (var batch in batches)
        {
            ledger.Record(batch.EntityIds, batch.Outcome == BatchOutcome.Acknowledged);
        }

        var report = new CycleReport(cycle, point, threshold, reached, trigger.Channel, stepInFlight, watch.Began,
            watch.FreedSlots, killedAtMs, inFlight, batches.Count, ingest.Acknowledged,
            $"{restAgents.Accepts} accepts, {restAgents.Declines} declines, {restAgents.Completes} completes",
            $"{hubAgents.Accepts - hubBefore.Accepts} accepts, {hubAgents.Declines - hubBefore.Declines} " +
            $"declines, {hubAgents.Completes - hubBefore.Completes} completes, " +
            $"{hubAgents.Unanswered - hubBefore.Unanswered} calls unanswered");
        return (report, restAgents.Errors);
    }

    /// <summary>Describes a kill point, with the channel of the action that reached it when there is one.</summary>
    public static string Describe(KillPoint point, int threshold, AgentChannel? channel)
    {
        var by = channel is null ? "" : $" of a {channel} agent";
        return point switch
        {
            KillPoint.Ingest => $"after {threshold} acknowledged batches",
            KillPoint.Accept => $"at accept {threshold}{by}",
            KillPoint.Complete => $"at complete {threshold}{by}",
            KillPoint.RoutingStep => $"as the routing step after freed slot {threshold} began",
            _ => $"at the chosen time ({threshold} ms)",
        };
    }

    private static KillPoint ChoosePoint(int cycle, Random random) => (cycle % 3) switch
    {
        1 => KillPoint.RoutingStep,
        2 => KillPoint.Accept,
        _ => (KillPoint)random.Next(4),
    };

    private static async Task<bool> WaitForKillPointAsync(
        KillPoint point, int threshold, IngestLoad ingest, Task signal, Stopwatch elapsed)
    {
        while (elapsed.Elapsed < MaxCycleTime)
        {
            var reached = point switch
            {
                KillPoint.Ingest => ingest.Acknowledged >= threshold,
                KillPoint.Timer => elapsed.ElapsedMilliseconds >= threshold,
                _ => signal.IsCompleted,
            };
            if (reached)
            {
                return true;
            }

            await Task.WhenAny(signal, Task.Delay(2));
        }

        return false;
    }

    /// <summary>Counts the cycle's accepts or completes and completes its signal at the chosen one.</summary>
    private sealed class KillTrigger(KillPoint point, int threshold)
    {
        private int _actions;
        private int _channel = -1;

        public TaskCompletionSource Signal { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The channel of the action that reached the kill point; null until one did.</summary>
        public AgentChannel? Channel => Volatile.Read(ref _channel) is var channel and >= 0
            ? (AgentChannel)channel
            : null;

        public void OnActionSent(AgentAction action, AgentChannel channel)
        {
            var actionPoint = action switch
            {
                AgentAction.Accept => KillPoint.Accept,
                AgentAction.Complete => KillPoint.Complete,
                _ => (KillPoint?)null,
            };
            if (actionPoint == point && Interlocked.Increment(ref _actions) == threshold)
            {
                Volatile.Write(ref _channel, (int)channel);
                Signal.TrySetResult();
            }
        }
    }
}

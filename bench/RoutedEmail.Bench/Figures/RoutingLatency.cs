using System.Globalization;
using System.Diagnostics;
using RoutedEmail.Server.Tests.Crash;

namespace RoutedEmail.Bench.Figures;

/// <summary>The figures of the routing latency run.</summary>
/// <param name="Agents">Agents connected to the hub.</param>
/// <param name="Sent">Measured emails sent, one per ingest request.</param>
/// <param name="Probe">The paired 200s and offers.</param>
/// <param name="SendRate">The achieved send rate of the measured phase, emails/s.</param>
/// <param name="MaxSendLag">The longest time a send started after its scheduled time.</param>
/// <param name="Elapsed">From the first scheduled send until the last offer, or the end of the wait.</param>
/// <param name="ServerCpu">The server's CPU time in the measured phase.</param>
/// <param name="ClientCpu">The harness's CPU time in the measured phase.</param>
/// <param name="Errors">Failed ingest requests and failed hub calls, in both phases.</param>
/// <param name="FirstError">The first of them, or null.</param>
internal sealed record LatencyResult(
    int Agents, long Sent, LatencyProbe Probe, double SendRate, TimeSpan MaxSendLag, TimeSpan Elapsed,
    TimeSpan ServerCpu, TimeSpan ClientCpu, long Errors, string? FirstError)
{
    /// <summary>Measured emails whose offer did not arrive before the wait ended.</summary>
    public long Missing => Sent - Probe.Recorded;

    /// <summary>The unmeasured phase before the measured one.</summary>
    public WarmupResult Warmup { get; init; } = WarmupResult.None;

    /// <summary>
    /// The server's CPU time per measured email: each email's ingest, routing step, offer push, accept and
    /// complete, as far as they ran before the wait ended. The load of other processes does not add to it, unlike
    /// to the latency.
    /// </summary>
    public TimeSpan ServerCpuPerEmail => ServerCpu / Math.Max(1, Sent);
}

/// <summary>The unmeasured phase of a routing latency run.</summary>
/// <param name="Elapsed">From the first scheduled send until the last response.</param>
/// <param name="Sent">Emails sent.</param>
/// <param name="JitSettled">
/// Whether the server's JIT compiler used less than <see cref="RoutingLatency.JitSettledShare"/> of a core over the
/// last <see cref="RoutingLatency.JitWindow"/> when the phase ended; false when it ended at the plan's limit.
/// </param>
/// <param name="JitShare">The JIT compiler's share of one core over that window.</param>
/// <param name="Drained">From the last response until every email of the phase had its offer.</param>
/// <param name="Undrained">Emails of the phase whose offer had not arrived when the wait for them ended.</param>
internal sealed record WarmupResult(
    TimeSpan Elapsed, long Sent, bool JitSettled, double JitShare, TimeSpan Drained, long Undrained)
{
    /// <summary>No warm-up, as in a smoke run.</summary>
    public static readonly WarmupResult None = new(TimeSpan.Zero, 0, false, 0, TimeSpan.Zero, 0);
}

/// <summary>
/// Routing latency: agents on the hub, each with a maximum of one email, take every offer (accept, then complete),
/// while an open-loop sender ingests one email per request at a fixed rate. Each measured email's latency runs
/// from the 200 OK of its ingest request to the arrival of its offer on the agent's hub connection.
/// </summary>
internal static class RoutingLatency
{
    /// <summary>The JIT compiler's share of one core below which the warm-up counts the server as warm.</summary>
    public const double JitSettledShare = 0.02;

    /// <summary>The time over which the warm-up measures the JIT compiler's share.</summary>
    public static readonly TimeSpan JitWindow = TimeSpan.FromSeconds(5);

    private const int SetupParallelism = 8;

    // How often the warm-up reads the server's JIT compilation time.
    private static readonly TimeSpan JitReadInterval = TimeSpan.FromSeconds(1);

    // After the last send, the run waits for the remaining offers until none has arrived for this long.
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Starts a server, connects the agents, runs the warm-up and the measured phase, and stops it.</summary>
    /// <exception cref="InvalidOperationException">The server did not start.</exception>
    /// <exception cref="HttpRequestException">A setup request failed.</exception>
    public static async Task<LatencyResult> RunAsync(SuitePlan plan, BenchOptions options, string runId)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("routed-email-bench-").FullName;
        try
        {
            await using var server = await ServerProcess.StartAsync(dataDirectory, options.ServerSettings);
            using var http = server.CreateClient();
            var tenant = await TenantClient.CreateTenantAsync(http, ServerProcess.AdminToken, "bench-hub", "prod");
            var sender = new OpenLoopSender(new TenantClient(http, tenant), plan.EmailsPerSecond);
            var errors = new ErrorCount();
            var setup = Stopwatch.StartNew();
            var offers = new OfferCount();
            var agents = await ConnectAgentsAsync(
                server.BaseAddress, http, tenant, plan.HubAgents, sender, offers, errors);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, 
                $"  {agents.Count} agents defined, signed in, connected and Available in " +
                $"{setup.Elapsed.TotalSeconds:F0} s"));
            try
            {
                var warmup = plan.LatencyWarmupLimit > TimeSpan.Zero
                    ? await WarmUpAsync(plan, runId, new JitMeter(http), sender, offers, errors)
                    : WarmupResult.None;
                var result = await MeasureAsync(plan, runId, server, sender, agents.Count, errors);
                return result with { Warmup = warmup };
            }
            finally
            {
                await Task.WhenAll(agents.Select(agent => agent.DisposeAsync().AsTask()));
            }
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    /// <summary>
    /// Sends at the measured rate until the server is warm, so that the measured phase measures the steady state of a
    /// server that has run for a while. The server counts as warm once its JIT compiler used less than
    /// <see cref="JitSettledShare"/> of a core over the last <see cref="JitWindow"/>: tiered compilation recompiles
    /// hot methods in the background, and on a 2-core machine it took a fifth of the server's CPU samples for
    /// tens of seconds after start. The phase lasts at least the plan's warm-up and at most its limit, and then
    /// waits until its backlog has drained, so the measured phase starts without one.
    /// </summary>
    private static async Task<WarmupResult> WarmUpAsync(
        SuitePlan plan, string runId, JitMeter jit, OpenLoopSender sender, OfferCount offers, ErrorCount errors)
    {
        using var stop = new CancellationTokenSource();
        var sending = sender.SendAsync($"{runId}-warmup", plan.LatencyWarmupLimit, null, errors, stop.Token);
        var started = Stopwatch.StartNew();
        var readings = new List<(TimeSpan At, TimeSpan Jit)> { (TimeSpan.Zero, await jit.ReadAsync()) };
        var (settled, share) = (false, 1.0);
        while (!sending.IsCompleted)
        {
            await Task.WhenAny(sending, Task.Delay(JitReadInterval));
            var now = started.Elapsed;
            readings.Add((now, await jit.ReadAsync()));
            var first = readings.FindLastIndex(reading => now - reading.At >= JitWindow);
            if (first < 0)
            {
                continue;
            }

            share = (readings[^1].Jit - readings[first].Jit) / (now - readings[first].At);
            settled = share < JitSettledShare;
            if (settled && now >= plan.LatencyWarmup)
            {
                await stop.CancelAsync();
                break;
            }
        }

        var send = await sending;
        var drained = Stopwatch.StartNew();
        var undrained = await WaitForOffersAsync(() => send.Sent - offers.Count);
        return new WarmupResult(send.Elapsed, send.Sent, settled, share, drained.Elapsed, undrained);
    }

    /// <summary>
    /// Waits until <paramref name="missing"/> returns zero or has not changed for <see cref="DrainTimeout"/>, and
    /// returns its last value.
    /// </summary>
    private static async Task<long> WaitForOffersAsync(Func<long> missing)
    {
        var (lastMissing, lastProgress) = (missing(), Stopwatch.StartNew());
        while (lastMissing > 0 && lastProgress.Elapsed < DrainTimeout)
        {
            await Task.Delay(10);
            var now = missing();
            if (now != lastMissing)
            {
                (lastMissing, lastProgress) = (now, Stopwatch.StartNew());
            }
        }

        return lastMissing;
    }

    private static async Task<LatencyResult> MeasureAsync(
        SuitePlan plan, string runId, ServerProcess server, OpenLoopSender sender, int agentCount,
        ErrorCount errors)
    {
        var probe = new LatencyProbe();
        sender.Probe = probe;
        var serverCpu = CpuMeter.ForProcesses([server.ProcessId]);
        using var self = Process.GetCurrentProcess();
        var (serverBefore, clientBefore) = (serverCpu.Read(), self.TotalProcessorTime);
        var elapsed = Stopwatch.StartNew();
        var send = await sender.SendAsync($"{runId}-measured", plan.LatencyDuration, probe, errors);

        // The open loop has stopped. A backlog can take long to drain, so the wait ends only when every measured
        // email has its offer or offers have stopped arriving.
        await WaitForOffersAsync(() => send.Sent - probe.Recorded);

        elapsed.Stop();
        self.Refresh();
        return new LatencyResult(agentCount, send.Sent, probe, send.Sent / send.Elapsed.TotalSeconds, send.MaxLag,
            elapsed.Elapsed, serverCpu.Read() - serverBefore, self.TotalProcessorTime - clientBefore, errors.Count,
            errors.First);
    }

    private static async Task<List<HubAgent>> ConnectAgentsAsync(
        Uri baseAddress, HttpClient http, TenantCredentials tenant, int count, OpenLoopSender sender,
        OfferCount offers, ErrorCount errors)
    {
        var agents = new HubAgent[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = SetupParallelism },
            async (i, _) =>
            {
                var agentId = $"agent-{i:D5}";
                var token = await HubAgent.DefineAndSignInAsync(http, tenant, agentId, TenantClient.SkillQueue);
                agents[i] = await HubAgent.ConnectAsync(baseAddress, agentId, token,
                    (agent, offer, arrived) => TakeOffer(agent, offer, arrived, sender, offers, errors));
                await agents[i].SetStatusAsync("Available");
            });
        return [.. agents];
    }

    // Runs on the hub connection's receive loop, so the accept and complete go on without blocking it.
    private static void TakeOffer(
        HubAgent agent, HubOffer offer, long arrived, OpenLoopSender sender, OfferCount offers, ErrorCount errors)
    {
        offers.Add();
        sender.Probe?.Offer(offer.EntityId, arrived);
        _ = Task.Run(async () =>
        {
            try
            {
                await agent.AcceptAndCompleteAsync(offer);
            }
            catch (Exception exception) when (exception is Microsoft.AspNetCore.SignalR.HubException
                                                  or InvalidOperationException or TaskCanceledException)
            {
                errors.Add($"agent {agent.AgentId}, offer {offer.OfferId}: {exception.Message}");
            }
        });
    }
}

/// <summary>Counts the offers that the hub agents received, from many threads.</summary>
internal sealed class OfferCount
{
    private long _count;

    /// <summary>The offers counted so far.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Counts one offer.</summary>
    public void Add() => Interlocked.Increment(ref _count);
}

/// <summary>Counts errors from many threads and keeps the first message.</summary>
internal sealed class ErrorCount
{
    private long _count;
    private string? _first;

    /// <summary>The errors so far.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>The first error's message, or null.</summary>
    public string? First => _first;

    /// <summary>Counts one error.</summary>
    public void Add(string message)
    {
        Interlocked.Increment(ref _count);
        Interlocked.CompareExchange(ref _first, message, null);
    }
}

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

    /// <summary>Emails sent in the warm-up and the measured phase together.</summary>
    public long SentInBothPhases { get; init; } = Sent;

    /// <summary>
    /// The server's CPU time from the start of the warm-up until the measured phase's last offer, user and system.
    /// </summary>
    public TimeSpan ServerCpuInBothPhases { get; init; } = ServerCpu;

    /// <summary>
    /// The server's CPU time per email over both phases: each email's ingest, routing step, offer push, accept and
    /// complete, as far as they ran before the wait ended. The load of other processes does not add to it, unlike
    /// to the latency.
    /// </summary>
    public TimeSpan ServerCpuPerEmail => ServerCpuInBothPhases / Math.Max(1, SentInBothPhases);
}

/// <summary>
/// Routing latency: agents on the hub, each with a maximum of one email, take every offer (accept, then complete),
/// while an open-loop sender ingests one email per request at a fixed rate. Each measured email's latency runs
/// from the 200 OK of its ingest request to the arrival of its offer on the agent's hub connection.
/// </summary>
internal static class RoutingLatency
{
    private const int SetupParallelism = 8;

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
            var agents = await ConnectAgentsAsync(server.BaseAddress, http, tenant, plan.HubAgents, sender, errors);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, 
                $"  {agents.Count} agents defined, signed in, connected and Available in " +
                $"{setup.Elapsed.TotalSeconds:F0} s"));
            try
            {
                var serverCpu = CpuMeter.ForProcesses([server.ProcessId]);
                var cpuBeforeWarmup = serverCpu.Read();
                var warmupSent = 0L;
                if (plan.LatencyWarmup > TimeSpan.Zero)
                {
                    warmupSent = (await sender.SendAsync($"{runId}-warmup", plan.LatencyWarmup, null, errors)).Sent;
                }

                var result = await MeasureAsync(plan, runId, server, sender, agents.Count, errors);
                return result with
                {
                    SentInBothPhases = warmupSent + result.Sent,
                    ServerCpuInBothPhases = serverCpu.Read() - cpuBeforeWarmup,
                };
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
        var (lastRecorded, lastProgress) = (probe.Recorded, Stopwatch.StartNew());
        while (probe.Recorded < send.Sent && lastProgress.Elapsed < DrainTimeout)
        {
            await Task.Delay(10);
            if (probe.Recorded != lastRecorded)
            {
                (lastRecorded, lastProgress) = (probe.Recorded, Stopwatch.StartNew());
            }
        }

        elapsed.Stop();
        self.Refresh();
        return new LatencyResult(agentCount, send.Sent, probe, send.Sent / send.Elapsed.TotalSeconds, send.MaxLag,
            elapsed.Elapsed, serverCpu.Read() - serverBefore, self.TotalProcessorTime - clientBefore, errors.Count,
            errors.First);
    }

    private static async Task<List<HubAgent>> ConnectAgentsAsync(
        Uri baseAddress, HttpClient http, TenantCredentials tenant, int count, OpenLoopSender sender,
        ErrorCount errors)
    {
        var agents = new HubAgent[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = SetupParallelism },
            async (i, _) =>
            {
                var agentId = $"agent-{i:D5}";
                var token = await HubAgent.DefineAndSignInAsync(http, tenant, agentId, TenantClient.SkillQueue);
                agents[i] = await HubAgent.ConnectAsync(baseAddress, agentId, token,
                    (agent, offer, arrived) => TakeOffer(agent, offer, arrived, sender, errors));
                await agents[i].SetStatusAsync("Available");
            });
        return [.. agents];
    }

    // Runs on the hub connection's receive loop, so the accept and complete go on without blocking it.
    private static void TakeOffer(
        HubAgent agent, HubOffer offer, long arrived, OpenLoopSender sender, ErrorCount errors)
    {
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

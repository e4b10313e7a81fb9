using System.Diagnostics;
using System.Text.Json.Nodes;
using RoutedEmail.Server.Tests.Crash;

namespace RoutedEmail.Server.Tests.Soak;

/// <summary>One sample of the soak: the server's gauges at its end and the latencies of the window before it.</summary>
/// <param name="At">The time since the traffic started.</param>
/// <param name="Gauges">The server process and its store at that time.</param>
/// <param name="Acknowledged">Emails acknowledged so far, every one of them retained in the database.</param>
/// <param name="Completed">Emails completed by agents so far.</param>
/// <param name="Window">The latencies recorded since the previous sample.</param>
internal sealed record SoakSample(
    TimeSpan At, ResourceGauges Gauges, long Acknowledged, long Completed, LatencyWindow Window);

/// <summary>The outcome of a soak run, before the checks.</summary>
/// <param name="Settings">The run's settings.</param>
/// <param name="Samples">Every sample, in time order.</param>
/// <param name="Counters">The run's counters after the drain.</param>
/// <param name="Sent">Ingest requests sent.</param>
/// <param name="Waiting">Emails still Queued in the skill queue after the drain, from the tenant's stats.</param>
/// <param name="UnpairedOffers">Acknowledged emails without an offer after the drain, or offers without a 200.</param>
internal sealed record SoakResult(
    SoakSettings Settings, IReadOnlyList<SoakSample> Samples, SoakCounters Counters, long Sent, int Waiting,
    int UnpairedOffers);

/// <summary>
/// The soak run against a running server. It sets up a tenant with a work code group and hub agents. For the set
/// duration it then sends steady open-loop ingest and a little API traffic, agents accept and complete every offer,
/// and the server is sampled every interval. After the traffic stops it waits until every acknowledged email is
/// completed.
/// </summary>
internal static class SoakRun
{
    private const string WorkCodeGroup = "Outcomes";
    private const string WorkCode = "Resolved";
    private const string AgentPassword = "password-soak-agent";

    // Long enough that a busy shared machine does not let offers expire, which the run counts as status resets.
    private const int OfferTimeoutSeconds = 30;

    // After the traffic stops, the drain ends when no email was completed for this long, or at the drain limit.
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    // A backlog that takes longer than this to drain means the agents did not keep up with the rate, which the
    // completion check then reports, instead of the run waiting for as long as the backlog takes.
    private static readonly TimeSpan DrainLimit = TimeSpan.FromMinutes(2);

    /// <summary>Runs the soak against the server and returns the samples and counters.</summary>
    /// <param name="settings">The run's length, rate and sample interval.</param>
    /// <param name="server">The server, started on a new store.</param>
    /// <param name="sampler">Reads the server's gauges.</param>
    /// <param name="log">Receives one line per sample and the setup and drain steps.</param>
    /// <exception cref="HttpRequestException">A setup request failed; the message contains the response.</exception>
    public static async Task<SoakResult> RunAsync(
        SoakSettings settings, ServerProcess server, ProcessSampler sampler, Action<string> log)
    {
        using var http = server.CreateClient();
        var tenant = await CreateTenantAsync(http);
        var latency = new WindowedLatency();
        var counters = new SoakCounters();
        var agents = new List<SoakAgent>();
        try
        {
            if (settings.ResultsPath is not null)
            {
                await File.WriteAllTextAsync(settings.ResultsPath, SoakReport.Header + Environment.NewLine);
            }

            for (var i = 0; i < settings.Agents; i++)
            {
                var agentId = $"soak-agent-{i}";
                var token = await DefineAgentAsync(http, tenant, agentId);
                agents.Add(await SoakAgent.ConnectAsync(
                    server.BaseAddress, agentId, token, WorkCode, latency, counters));
            }

            log($"{agents.Count} hub agents connected and Available; sending {settings.EmailsPerSecond} emails/s " +
                $"for {settings.Duration.TotalMinutes:F0} min, sampling every " +
                $"{settings.SampleInterval.TotalSeconds:F0} s");
            var traffic = new SoakTraffic(new TenantClient(http, tenant), http, latency, counters);
            var samples = await RunTrafficAsync(settings, traffic, tenant, sampler, latency, counters, log);

            await traffic.WaitForResponsesAsync(DrainTimeout);
            await DrainAsync(counters, log);
            var waiting = await TenantClient.CountWaitingAsync(http, ServerProcess.AdminToken, tenant);
            return new SoakResult(settings, samples, counters, traffic.Sent, waiting, latency.Unpaired);
        }
        finally
        {
            await Task.WhenAll(agents.Select(agent => agent.DisposeAsync().AsTask()));
        }
    }

    private static async Task<List<SoakSample>> RunTrafficAsync(
        SoakSettings settings, SoakTraffic traffic, TenantCredentials tenant, ProcessSampler sampler,
        WindowedLatency latency, SoakCounters counters, Action<string> log)
    {
        var samples = new List<SoakSample>();
        using var stop = new CancellationTokenSource();
        var elapsed = Stopwatch.StartNew();
        latency.Cut();
        var sending = Task.Run(() => traffic.SendAsync(settings.EmailsPerSecond, stop.Token));
        var reading = Task.Run(() => traffic.ReadApiAsync(tenant, stop.Token));
        try
        {
            var sampleCount = (int)(settings.Duration / settings.SampleInterval);
            for (var i = 1; i <= sampleCount; i++)
            {
                var due = settings.SampleInterval * i;
                if (due > elapsed.Elapsed)
                {
                    await Task.Delay(due - elapsed.Elapsed);
                }

                var sample = new SoakSample(elapsed.Elapsed, await sampler.ReadAsync(), counters.Acknowledged,
                    counters.Completed, latency.Cut());
                samples.Add(sample);
                var row = SoakReport.FormatRow(sample);
                log(row);
                if (settings.ResultsPath is not null)
                {
                    // Each row is written at once, so a run that is stopped early still leaves its samples.
                    await File.AppendAllTextAsync(settings.ResultsPath, row + Environment.NewLine);
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(sending, reading);
        }

        return samples;
    }

    private static async Task DrainAsync(SoakCounters counters, Action<string> log)
    {
        var lastCompleted = counters.Completed;
        var lastProgress = Stopwatch.StartNew();
        var draining = Stopwatch.StartNew();
        while (counters.Completed < counters.Acknowledged && lastProgress.Elapsed < DrainTimeout
               && draining.Elapsed < DrainLimit)
        {
            await Task.Delay(100);
            if (counters.Completed != lastCompleted)
            {
                (lastCompleted, lastProgress) = (counters.Completed, Stopwatch.StartNew());
            }
        }

        log($"drained: {counters.Completed} of {counters.Acknowledged} acknowledged emails completed");
    }

    private static async Task<TenantCredentials> CreateTenantAsync(HttpClient http)
    {
        var tenant = await TenantClient.CreateTenantAsync(http, ServerProcess.AdminToken, "soak", "prod");
        await PutAsync(http, tenant, $"work-code-groups/{WorkCodeGroup}", new { codes = new[] { WorkCode } });
        await PutAsync(http, tenant, $"skill-queues/{TenantClient.SkillQueue}", new
        {
            offerTimeoutSeconds = OfferTimeoutSeconds,
            workCodeGroups = new[] { WorkCodeGroup },
            workCodeRequired = true,
        });
        return tenant;
    }

    // Defines the agent with a maximum of one email and no wrap time, so a complete frees it at once.
    private static async Task<string> DefineAgentAsync(HttpClient http, TenantCredentials tenant, string agentId)
    {
        await PutAsync(http, tenant, $"agents/{agentId}", new
        {
            displayName = agentId,
            password = AgentPassword,
            maxConcurrentEmails = 1,
            skillQueues = new[] { new { name = TenantClient.SkillQueue, rank = 1 } },
            wrapSeconds = 0,
        });
        return await TenantClient.SignInAgentAsync(http, tenant, agentId, AgentPassword);
    }

    private static Task<JsonObject> PutAsync(HttpClient http, TenantCredentials tenant, string path, object body) =>
        TenantClient.SendTenantAdminAsync(http, ServerProcess.AdminToken, tenant, HttpMethod.Put, path, body);
}

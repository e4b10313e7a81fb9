using System.Diagnostics;
using System.Globalization;
using RoutedEmail.Server.Tests.Crash;

namespace RoutedEmail.Bench.Figures;

/// <summary>The figures of one scale run.</summary>
/// <param name="Scale">The seeded sizes.</param>
/// <param name="SeedTime">How long the bulk seed took.</param>
/// <param name="StartTime">From starting the process until <c>/healthz</c> returned 200.</param>
/// <param name="StepTimes">One routing step time per measured step, in order.</param>
/// <param name="CompleteTimes">
/// Per step, the round trip of the Complete call alone, which is part of the step time. The offer may arrive
/// before Complete returns, because the router runs while the hub reads the returned snapshot.
/// </param>
/// <param name="PeakRssBytes">The server's peak resident set size (VmHWM), read just before it was stopped.</param>
/// <param name="DatabaseBytes">The size of the database file after the seed.</param>
internal sealed record ScaleResult(
    ScaleCase Scale, TimeSpan SeedTime, TimeSpan StartTime, IReadOnlyList<TimeSpan> StepTimes,
    IReadOnlyList<TimeSpan> CompleteTimes, long PeakRssBytes, long DatabaseBytes)
{
    /// <summary>The mean routing step time.</summary>
    public TimeSpan MeanStep => StepTimes.Count == 0
        ? TimeSpan.Zero
        : TimeSpan.FromTicks((long)StepTimes.Average(step => step.Ticks));

    /// <summary>The mean round trip of the Complete call.</summary>
    public TimeSpan MeanComplete => CompleteTimes.Count == 0
        ? TimeSpan.Zero
        : TimeSpan.FromTicks((long)CompleteTimes.Average(time => time.Ticks));

    /// <summary>The median routing step time.</summary>
    public TimeSpan MedianStep =>
        StepTimes.Count == 0 ? TimeSpan.Zero : StepTimes.Order().ElementAt(StepTimes.Count / 2);
}

/// <summary>
/// One scale run. First the server creates the schema, a tenant, one agent and one template email, and stops. Then
/// the seed adds the waiting emails, agents and queues in bulk. The server starts again on the seeded database and
/// is timed until ready, and the one agent measures routing steps over the hub.
/// </summary>
/// <remarks>
/// A routing step is measured from the agent's side: from calling Complete on its email, which frees its only slot
/// and wakes the router, until the next offer arrives on its hub connection. So each sample contains the complete's
/// transaction, one routing step with its unattended-queue check, and the push. The accept before it is not timed.
/// </remarks>
internal static class ScaleRun
{
    private const string AgentId = "measuring-agent";
    private const string TemplateEntityId = "scale-template";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan OfferTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs the scale case and returns its figures.</summary>
    /// <exception cref="InvalidOperationException">The server did not start, or an offer did not arrive.</exception>
    /// <exception cref="HttpRequestException">A setup request failed.</exception>
    public static async Task<ScaleResult> RunAsync(ScaleCase scale, int steps, BenchOptions options)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("routed-email-bench-").FullName;
        try
        {
            var token = await PrepareAsync(dataDirectory, options);
            var seedTime = ScaleSeeder.Seed(dataDirectory, scale, AgentId, TemplateEntityId);
            var databaseBytes = new FileInfo(Path.Combine(dataDirectory, ScaleSeeder.DatabaseFileName)).Length;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, 
                $"  {scale.WaitingEmails:N0} waiting emails, {scale.Agents:N0} agents, {scale.Queues:N0} queues: " +
                $"seeded in {seedTime.TotalSeconds:F1} s, database {databaseBytes / 1e6:F0} MB"));

            var started = Stopwatch.StartNew();
            await using var server = await ServerProcess.StartAsync(
                dataDirectory, options.ServerSettings, startTimeout: StartTimeout);
            var startTime = started.Elapsed;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    ready in {startTime.TotalSeconds:F2} s, " +
                $"peak RSS so far {ReadPeakRss(server.ProcessId) / 1e6:F0} MB"));
            try
            {
                var (stepTimes, completeTimes) = await MeasureStepsAsync(server.BaseAddress, token, steps);
                return new ScaleResult(scale, seedTime, startTime, stepTimes, completeTimes,
                    ReadPeakRss(server.ProcessId), databaseBytes);
            }
            catch (Exception exception) when (exception is HttpRequestException
                                                  or Microsoft.AspNetCore.SignalR.HubException)
            {
                throw new InvalidOperationException(
                    $"The agent failed on the hub: {exception.Message}{Environment.NewLine}The server's last " +
                    $"output:{Environment.NewLine}{server.RecentOutput}", exception);
            }
        }
        finally
        {
            if (options.KeepData)
            {
                Console.WriteLine($"    data directory kept: {dataDirectory}");
            }
            else
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }

    // Lets the server create the schema and the template rows, then stops it. Returns the agent's token, which
    // stays valid across restarts.
    private static async Task<string> PrepareAsync(string dataDirectory, BenchOptions options)
    {
        await using var server = await ServerProcess.StartAsync(dataDirectory, options.ServerSettings);
        using var http = server.CreateClient();
        var tenant = await TenantClient.CreateTenantAsync(http, ServerProcess.AdminToken, "bench-scale", "prod");
        var token = await HubAgent.DefineAndSignInAsync(http, tenant, AgentId, TenantClient.SkillQueue);
        var client = new TenantClient(http, tenant);
        using var response = await client.IngestAsync(client.BuildBody([TemplateEntityId]));
        response.EnsureSuccessStatusCode();
        return token;
    }

    private static async Task<(List<TimeSpan> Steps, List<TimeSpan> Completes)> MeasureStepsAsync(
        Uri baseAddress, string token, int steps)
    {
        var offers = System.Threading.Channels.Channel.CreateUnbounded<(HubOffer Offer, long Arrived)>();
        await using var agent = await HubAgent.ConnectAsync(
            baseAddress, AgentId, token, (_, offer, arrived) => offers.Writer.TryWrite((offer, arrived)));
        await agent.SetStatusAsync("Available");
        var (current, _) = await ReadOfferAsync(offers.Reader);
        var (stepTimes, completeTimes) = (new List<TimeSpan>(), new List<TimeSpan>());
        for (var step = 0; step < steps; step++)
        {
            await agent.AcceptAsync(current);
            var freed = Stopwatch.GetTimestamp();
            await agent.CompleteAsync(current);
            completeTimes.Add(Stopwatch.GetElapsedTime(freed));
            (current, var arrived) = await ReadOfferAsync(offers.Reader);
            stepTimes.Add(Stopwatch.GetElapsedTime(freed, arrived));
        }

        return (stepTimes, completeTimes);
    }

    private static async Task<(HubOffer Offer, long Arrived)> ReadOfferAsync(
        System.Threading.Channels.ChannelReader<(HubOffer Offer, long Arrived)> reader)
    {
        using var timeout = new CancellationTokenSource(OfferTimeout);
        try
        {
            return await reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new InvalidOperationException(
                $"No offer arrived on the hub within {OfferTimeout.TotalSeconds} s of the agent freeing up, although " +
                "its queue has waiting email. Check the server's log for a failed routing step.");
        }
    }

    /// <summary>Reads VmHWM, the peak resident set size, of a process from /proc; 0 where /proc is missing.</summary>
    public static long ReadPeakRss(int processId)
    {
        var status = $"/proc/{processId}/status";
        if (!File.Exists(status))
        {
            return 0;
        }

        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        var kilobytes = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        return kilobytes is null ? 0 : long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
    }
}

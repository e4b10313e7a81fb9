using System.Globalization;
using RoutedEmail.Server.Tests.Crash;

namespace RoutedEmail.Bench.Figures;

/// <summary>The wrk runs of the baseline and of the service, one per batch size each.</summary>
/// <param name="Baseline">The baseline app's runs.</param>
/// <param name="Service">The real service's runs, in the same order.</param>
internal sealed record IngestRuns(IReadOnlyList<WrkResult> Baseline, IReadOnlyList<WrkResult> Service)
{
    /// <summary>Failed requests in every measured run, both apps together.</summary>
    public long Errors => Baseline.Sum(run => run.Errors) + Service.Sum(run => run.Errors);
}

/// <summary>
/// The ingest figures: the baseline app and then the real service, one after the other and never at once, each
/// under the same wrk load (one thread, the same connections and duration, new entityIds in every request).
/// </summary>
internal static class IngestComparison
{
    /// <summary>The minimum of service ÷ baseline requests/s with one item per request.</summary>
    public const double SingleItemTarget = 0.5;

    /// <summary>The minimum of service ÷ baseline items/s with 100 items per request.</summary>
    public const double BatchTarget = 0.3;

    /// <summary>Measures both apps for each batch size of the plan.</summary>
    /// <exception cref="InvalidOperationException">A process did not start, or wrk failed.</exception>
    public static async Task<IngestRuns> RunAsync(SuitePlan plan, BenchOptions options, string runId)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("routed-email-bench-").FullName;
        try
        {
            List<WrkResult> baseline;
            await using (var app = await ServerProcess.StartAsync(
                             Path.Combine(dataDirectory, "baseline"), null, FindBaselineAssembly()))
            {
                var anyTenant = new TenantCredentials("bench", "prod", "baseline-ignores-the-key");
                baseline = await MeasureAsync(
                    app.BaseAddress, anyTenant, plan, options, $"{runId}-baseline", app.ProcessId);
            }

            List<WrkResult> service;
            await using (var server = await ServerProcess.StartAsync(
                             Path.Combine(dataDirectory, "server"), options.ServerSettings))
            {
                using var http = server.CreateClient();
                var tenant = await TenantClient.CreateTenantAsync(http, ServerProcess.AdminToken, "bench", "prod");
                service = await MeasureAsync(
                    server.BaseAddress, tenant, plan, options, $"{runId}-service", server.ProcessId);
            }

            return new IngestRuns(baseline, service);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    /// <summary>Returns the two ingest figures, for the batch sizes that the run measured.</summary>
    public static IEnumerable<Figure> ToFigures(IngestRuns runs)
    {
        for (var i = 0; i < runs.Baseline.Count; i++)
        {
            var (baseline, service) = (runs.Baseline[i], runs.Service[i]);
            var note = $"service {Figure.Format(service.ItemsPerSecond)} items/s, " +
                $"baseline {Figure.Format(baseline.ItemsPerSecond)} items/s";
            if (baseline.BatchSize == 1)
            {
                yield return Figure.AtLeast("ingest 1-item requests/s ÷ baseline",
                    service.RequestsPerSecond / baseline.RequestsPerSecond, "", SingleItemTarget, note);
            }
            else if (baseline.BatchSize == 100)
            {
                yield return Figure.AtLeast("ingest 100-item items/s ÷ baseline",
                    service.ItemsPerSecond / baseline.ItemsPerSecond, "", BatchTarget, note);
            }
        }
    }

    private static async Task<List<WrkResult>> MeasureAsync(
        Uri baseAddress, TenantCredentials tenant, SuitePlan plan, BenchOptions options, string prefix,
        int processId)
    {
        var results = new List<WrkResult>();
        var cpuMeter = CpuMeter.ForProcesses([processId]);
        foreach (var batchSize in plan.BatchSizes)
        {
            if (plan.IngestWarmup > TimeSpan.Zero)
            {
                await WrkRunner.RunAsync(
                    baseAddress, tenant, $"{prefix}-warmup-{batchSize}", batchSize, options.Workers,
                    plan.IngestWarmup);
            }

            var cpuBefore = cpuMeter.Read();
            var result = await WrkRunner.RunAsync(
                baseAddress, tenant, $"{prefix}-{batchSize}", batchSize, options.Workers, plan.IngestDuration);
            var cpuPerRequest = (cpuMeter.Read() - cpuBefore) / Math.Max(1, result.Requests);
            results.Add(result with { CpuPerRequest = cpuPerRequest });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, 
                $"  {prefix[(prefix.LastIndexOf('-') + 1)..]}, {batchSize} items/request: " +
                $"{result.RequestsPerSecond:F0} requests/s, {result.ItemsPerSecond:F0} items/s, " +
                $"p50 {result.P50.TotalMilliseconds:F1} ms, p99 {result.P99.TotalMilliseconds:F1} ms, " +
                $"{result.Non2xx} non-2xx, {result.SocketErrors} socket errors, " +
                $"{cpuPerRequest.TotalMicroseconds:F0} µs of its CPU per request"));
        }

        return results;
    }

    // The baseline's dll, built in the same configuration as this harness, beside the server's under bench/.
    private static string FindBaselineAssembly()
    {
        var server = ServerProcess.FindServerAssembly();
        var framework = Path.GetFileName(Path.GetDirectoryName(server)!);
        var configuration = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(server))!);
        var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(server)!, "..", "..", "..", "..", ".."));
        var baseline = Path.Combine(root, "bench", "RoutedEmail.Baseline", "bin", configuration, framework,
            "RoutedEmail.Baseline.dll");
        return File.Exists(baseline)
            ? baseline
            : throw new FileNotFoundException(
                $"The baseline app {baseline} was not found. Build bench/RoutedEmail.Bench, which builds it too.");
    }
}

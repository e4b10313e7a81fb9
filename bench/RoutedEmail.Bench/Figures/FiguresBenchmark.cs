using System.Globalization;
using System.Text.Json.Nodes;

namespace RoutedEmail.Bench.Figures;

/// <summary>
/// The default mode: measures every figure of docs/benchmarks.md on one node with SQLite, prints one line per
/// figure, writes the results as JSON and draws the charts. A smoke run writes both to a temporary directory, so
/// the test command leaves the repository unchanged.
/// </summary>
internal static class FiguresBenchmark
{
    /// <summary>The environment variable with the short commit id, which bench/run sets.</summary>
    public const string CommitVariable = "ROUTED_EMAIL_BENCH_COMMIT";

    /// <summary>Runs the figures and returns the exit code: 0 when everything was measured, else 1.</summary>
    public static async Task<int> RunAsync(BenchOptions options)
    {
        var plan = SuitePlan.From(options);
        var startedAt = TimeProvider.System.GetUtcNow();
        var commit = Environment.GetEnvironmentVariable(CommitVariable) is { Length: > 0 } id ? id : "unknown";
        var runId = $"run-{startedAt.ToUnixTimeSeconds()}";
        Console.WriteLine($"figures run: {plan.Name}; every line below says where it differs from the definition");
        var figures = new List<Figure>();
        var json = new JsonObject
        {
            ["startedAt"] = startedAt.ToString("O"),
            ["commit"] = commit,
            ["mode"] = plan.Name,
        };
        var failures = new List<string>();

        var groups = options.FigureGroups;
        json["figureGroups"] =
            new JsonArray([.. groups.Order(StringComparer.Ordinal).Select(group => (JsonNode)group)]);
        if (groups.Contains("ingest"))
        {
            await MeasureIngestAsync(plan, options, runId, figures, json, failures);
        }

        if (groups.Contains("latency"))
        {
            await MeasureLatencyAsync(plan, options, runId, figures, json, failures);
        }
        if (groups.Contains("scale"))
        {
            Console.WriteLine("scale: bulk-seeded databases, one agent measuring routing steps over the hub");
            var scale = await ScaleFigures.RunAsync(plan, options, failures);
            figures.AddRange(scale.Figures);
            json["scale"] = scale.Json;
        }

        Console.WriteLine();
        Console.WriteLine("figures (name: value, target: verdict (how the run differs and details)):");
        figures.ForEach(figure => Console.WriteLine(figure));
        json["figures"] = ResultsFile.ToJson(figures);
        WriteOutputs(plan, options.ChartsTo, json, startedAt, commit, failures);

        foreach (var failure in failures)
        {
            Console.Error.WriteLine(failure);
        }

        return failures.Count == 0 ? 0 : 1;
    }

    private static async Task MeasureIngestAsync(
        SuitePlan plan, BenchOptions options, string runId, List<Figure> figures, JsonObject json,
        List<string> failures)
    {
        Console.WriteLine("ingest: baseline, then the service, under wrk");
        var ingest = await TryAsync(() => IngestComparison.RunAsync(plan, options, runId), failures);
        if (ingest is not null)
        {
            figures.AddRange(IngestComparison.ToFigures(ingest).Select(figure => Annotate(figure, plan)));
            json["ingest"] = ToJson(ingest);
            if (ingest.Errors > 0)
            {
                failures.Add($"{ingest.Errors} ingest requests failed (non-2xx or socket errors) under wrk.");
            }
        }
    }

    private static async Task MeasureLatencyAsync(
        SuitePlan plan, BenchOptions options, string runId, List<Figure> figures, JsonObject json,
        List<string> failures)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"routing latency: {plan.HubAgents} hub agents, {plan.EmailsPerSecond} emails/s open loop"));
        var latency = await TryAsync(() => RoutingLatency.RunAsync(plan, options, runId), failures);
        if (latency is not null)
        {
            var (latencyFigures, problems) = LatencyFigures.Evaluate(latency, plan);
            figures.AddRange(latencyFigures);
            failures.AddRange(problems);
            json["routingLatency"] = LatencyFigures.ToJson(latency);
        }
    }

    /// <summary>Adds "quick run" or "smoke run" to a figure's note when the run is not the full one.</summary>
    public static Figure Annotate(Figure figure, SuitePlan plan, string? difference = null)
    {
        var parts = new List<string>();
        if (figure.Note is not null)
        {
            parts.Add(figure.Note);
        }

        if (difference is not null)
        {
            parts.Add(difference);
        }

        if (plan.Name != "full")
        {
            parts.Add($"{plan.Name} run");
        }

        return figure with { Note = parts.Count == 0 ? null : string.Join("; ", parts) };
    }

    private static async Task<T?> TryAsync<T>(Func<Task<T>> measure, List<string> failures)
        where T : class
    {
        try
        {
            return await measure();
        }
        catch (Exception exception)
            when (exception is InvalidOperationException or HttpRequestException or FileNotFoundException
                      or System.ComponentModel.Win32Exception)
        {
            // A process did not start, a setup request failed or wrk is missing; the message names it.
            failures.Add(exception.Message);
            Console.Error.WriteLine(exception.Message);
            return null;
        }
    }

    private static JsonArray ToJson(IngestRuns runs) =>
    [
        .. runs.Baseline.Zip(runs.Service).Select(pair => (JsonNode)new JsonObject
        {
            ["itemsPerRequest"] = pair.First.BatchSize,
            ["baselineRequestsPerSecond"] = Math.Round(pair.First.RequestsPerSecond),
            ["serviceRequestsPerSecond"] = Math.Round(pair.Second.RequestsPerSecond),
            ["baselineItemsPerSecond"] = Math.Round(pair.First.ItemsPerSecond),
            ["serviceItemsPerSecond"] = Math.Round(pair.Second.ItemsPerSecond),
            ["serviceP50Ms"] = Math.Round(pair.Second.P50.TotalMilliseconds, 2),
            ["serviceP99Ms"] = Math.Round(pair.Second.P99.TotalMilliseconds, 2),
            ["baselineCpuPerRequestUs"] = RoundMicroseconds(pair.First.CpuPerRequest),
            ["serviceCpuPerRequestUs"] = RoundMicroseconds(pair.Second.CpuPerRequest),
            ["errors"] = pair.First.Errors + pair.Second.Errors,
        }),
    ];

    private static double? RoundMicroseconds(TimeSpan? time) =>
        time is { } value ? Math.Round(value.TotalMicroseconds) : null;

    // Quick and full runs write into the repository. A smoke run only checks that writing and drawing work, so it
    // writes into a temporary directory, except the charts when --charts-to names a directory.
    private static void WriteOutputs(
        SuitePlan plan, string? chartsTo, JsonObject json, DateTimeOffset startedAt, string commit,
        List<string> failures)
    {
        var root = FindRepositoryRoot();
        var smokeDirectory = plan.Name == "smoke"
            ? Directory.CreateTempSubdirectory("routed-email-bench-output-").FullName
            : null;
        try
        {
            const string Deleted = "deleted at the end, because a smoke run keeps no files";
            var results = ResultsFile.Write(
                smokeDirectory ?? Path.Combine(root, "bench", "history"), json, startedAt, commit);
            Console.WriteLine(smokeDirectory is null
                ? $"results: {results}"
                : $"results: {Path.GetFileName(results)} written, {Deleted}");
            var charts = chartsTo ?? smokeDirectory ?? Path.Combine(root, "docs", "images");
            foreach (var chart in Charts.Draw(charts, json))
            {
                Console.WriteLine(charts == smokeDirectory
                    ? $"chart: {Path.GetFileName(chart)} drawn, {Deleted}"
                    : $"chart: {chart}");
            }
        }
        catch (Exception exception) when (exception is InvalidOperationException or DllNotFoundException
                                              or TypeInitializationException)
        {
            // The results are written first, so a chart that fails, such as without SkiaSharp's native library,
            // loses no figure.
            failures.Add($"The charts could not be drawn: {exception.Message}");
        }
        finally
        {
            if (smokeDirectory is not null)
            {
                Directory.Delete(smokeDirectory, recursive: true);
            }
        }
    }

    /// <summary>
    /// Draws the charts of an earlier run from its results file into a directory, by default docs/images, replacing
    /// the charts of the same names there.
    /// </summary>
    /// <returns>
    /// The exit code: 0, 1 when the file is not a results file or has nothing to chart, or 2 when it does not exist.
    /// </returns>
    public static int DrawCharts(string resultsFile, string? chartsTo)
    {
        if (!File.Exists(resultsFile))
        {
            Console.Error.WriteLine($"Option --charts-from: file {resultsFile} not found. Pass a results file under " +
                "bench/history, such as the newest bench/history/<date>-<time>-<commit>.json.");
            return 2;
        }

        try
        {
            var run = JsonNode.Parse(File.ReadAllText(resultsFile))!.AsObject();
            var charts = Charts.Draw(chartsTo ?? Path.Combine(FindRepositoryRoot(), "docs", "images"), run);
            if (charts.Count == 0)
            {
                Console.Error.WriteLine($"The results file {resultsFile} has no ingest or routing latency figures, " +
                    "so there is no chart to draw. Pass a file of a run that measured them.");
                return 1;
            }

            foreach (var chart in charts)
            {
                Console.WriteLine($"chart: {chart}");
            }

            return 0;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException
                                              or System.Text.Json.JsonException or InvalidOperationException
                                              or FormatException)
        {
            Console.Error.WriteLine($"The charts of {resultsFile} could not be drawn. Pass a file that a figures " +
                $"run wrote under bench/history. The error: {exception.Message}");
            return 1;
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null;
             directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RoutedEmail.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException(
            $"No directory above {AppContext.BaseDirectory} contains RoutedEmail.slnx, so the results have nowhere " +
            "to go. Run the harness from the repository's build output, as bench/run does.");
    }
}

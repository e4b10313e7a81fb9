using System.Globalization;
using System.Text.Json.Nodes;

namespace RoutedEmail.Bench.Figures;

/// <summary>Runs the scale cases of a plan and turns them into figures.</summary>
internal static class ScaleFigures
{
    /// <summary>The maximum ratio of the routing step time with many waiting emails to that with few.</summary>
    public const double StepRatioTarget = 2;

    /// <summary>The maximum time from start to ready with the target's waiting emails, in seconds.</summary>
    public const double StartTargetSeconds = 10;

    /// <summary>Runs the small, large and, when planned, huge case; a failed case adds to the failures.</summary>
    public static async Task<(List<Figure> Figures, JsonArray Json)> RunAsync(
        SuitePlan plan, BenchOptions options, List<string> failures)
    {
        var small = await TryRunAsync(plan.SmallScale, plan, options, failures);
        var large = await TryRunAsync(plan.LargeScale, plan, options, failures);
        var figures = new List<Figure>();
        var difference = plan.LargeScale.WaitingEmails == SuitePlan.TargetWaitingEmails
            ? null
            : string.Create(CultureInfo.InvariantCulture, 
                $"{plan.LargeScale.WaitingEmails:N0} waiting emails instead of {SuitePlan.TargetWaitingEmails:N0}");
        if (small is not null && large is not null)
        {
            var note = string.Create(CultureInfo.InvariantCulture, 
                $"mean {large.MeanStep.TotalMilliseconds:F2} ms against {small.MeanStep.TotalMilliseconds:F2} ms " +
                $"with {small.Scale.WaitingEmails:N0}; medians {large.MedianStep.TotalMilliseconds:F2} and " +
                $"{small.MedianStep.TotalMilliseconds:F2} ms; {large.StepTimes.Count} steps each");
            // The full and quick runs compare with 1,000 waiting emails, a smoke run with 100.
            var name = string.Create(CultureInfo.InvariantCulture,
                $"routing step, many waiting ÷ {small.Scale.WaitingEmails:N0} waiting");
            figures.Add(FiguresBenchmark.Annotate(Figure.AtMost(name,
                large.MeanStep / small.MeanStep, "", StepRatioTarget, note), plan, difference));
        }

        if (large is not null)
        {
            figures.Add(FiguresBenchmark.Annotate(Figure.AtMost("start to ready, many waiting emails",
                large.StartTime.TotalSeconds, "s", StartTargetSeconds), plan, difference));
            figures.Add(FiguresBenchmark.Annotate(new Figure("server peak RSS, many waiting emails",
                large.PeakRssBytes / 1e6, "MB", "none", null), plan, difference));
        }

        var results = new List<ScaleResult?> { small, large };
        if (plan.HugeScale is { } huge)
        {
            var result = await TryRunAsync(huge, plan, options, failures);
            results.Add(result);
            figures.Add(result is null
                ? new Figure("10,000,000 waiting, 100,000 agents, 50,000 queues", 0, "MB", "works; memory reported",
                    false, "the run failed; see the error below")
                : new Figure("10,000,000 waiting, 100,000 agents, 50,000 queues: peak RSS", result.PeakRssBytes / 1e6,
                    "MB", "works; memory reported", true, string.Create(CultureInfo.InvariantCulture, 
                        $"ready in {result.StartTime.TotalSeconds:F1} s, routing step mean " +
                        $"{result.MeanStep.TotalMilliseconds:F1} ms, database {result.DatabaseBytes / 1e9:F1} GB")));
        }

        return (figures, [.. results.OfType<ScaleResult>().Select(result => (JsonNode)ToJson(result))]);
    }

    private static async Task<ScaleResult?> TryRunAsync(
        ScaleCase scale, SuitePlan plan, BenchOptions options, List<string> failures)
    {
        try
        {
            var result = await ScaleRun.RunAsync(scale, plan.RoutingSteps, options);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, 
                $"    routing step mean " +
                $"{result.MeanStep.TotalMilliseconds:F2} ms, median {result.MedianStep.TotalMilliseconds:F2} ms, " +
                $"max {result.StepTimes.DefaultIfEmpty().Max().TotalMilliseconds:F2} ms, " +
                $"of which the Complete call {result.MeanComplete.TotalMilliseconds:F2} ms; " +
                $"peak RSS {result.PeakRssBytes / 1e6:F0} MB"));
            return result;
        }
        catch (Exception exception) when (exception is InvalidOperationException or HttpRequestException
                                              or Microsoft.Data.Sqlite.SqliteException
                                              or Microsoft.AspNetCore.SignalR.HubException)
        {
            var message = string.Create(CultureInfo.InvariantCulture,
                $"scale run with {scale.WaitingEmails:N0} waiting emails failed: {exception.Message}");
            failures.Add(message);
            Console.Error.WriteLine(message);
            return null;
        }
    }

    private static JsonObject ToJson(ScaleResult result) => new()
    {
        ["waitingEmails"] = result.Scale.WaitingEmails,
        ["agents"] = result.Scale.Agents,
        ["queues"] = result.Scale.Queues,
        ["seedSeconds"] = Math.Round(result.SeedTime.TotalSeconds, 1),
        ["databaseBytes"] = result.DatabaseBytes,
        ["startSeconds"] = Math.Round(result.StartTime.TotalSeconds, 3),
        ["steps"] = result.StepTimes.Count,
        ["stepMeanMs"] = Math.Round(result.MeanStep.TotalMilliseconds, 3),
        ["stepMedianMs"] = Math.Round(result.MedianStep.TotalMilliseconds, 3),
        ["completeMeanMs"] = Math.Round(result.MeanComplete.TotalMilliseconds, 3),

        // Every step in order, so that a mean far above the median can be traced to the steps that raised it.
        ["stepTimesMs"] = new JsonArray(
            [.. result.StepTimes.Select(step => (JsonNode)Math.Round(step.TotalMilliseconds, 3))]),
        ["peakRssBytes"] = result.PeakRssBytes,
    };
}

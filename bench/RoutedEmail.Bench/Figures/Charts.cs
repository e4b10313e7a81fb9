using System.Globalization;
using System.Text.Json.Nodes;
using ScottPlot;

namespace RoutedEmail.Bench.Figures;

/// <summary>
/// Draws the charts of docs/benchmarks.md with ScottPlot 5, which renders through SkiaSharp and the native library
/// of SkiaSharp.NativeAssets.Linux.NoDependencies, so it needs no system fonts or graphics packages.
/// </summary>
internal static class Charts
{
    private const int Width = 800;
    private const int Height = 450;

    // The smallest value drawn: 0.01 ms or 0.01 items/s, so that a zero still has a place on a log axis.
    private const double Floor = 0.01;

    /// <summary>
    /// Draws the charts of a figures run from its results JSON, those it has data for, and returns their paths. A
    /// full run's charts are <c>routing-latency.png</c> and <c>ingest-throughput.png</c>; other runs add their
    /// mode, such as <c>routing-latency-quick.png</c>, so a quick run leaves the full run's charts in place.
    /// </summary>
    public static List<string> Draw(string directory, JsonObject run)
    {
        // A value built in memory from an int cannot be read as a double, but a parsed one can, so a run that was
        // just measured is read the same way as a results file.
        run = JsonNode.Parse(run.ToJsonString())!.AsObject();
        var mode = Read<string>(run, "mode");
        var suffix = mode == "full" ? "" : "-" + mode;
        var startedAt = DateTimeOffset.Parse(Read<string>(run, "startedAt"), CultureInfo.InvariantCulture);
        var title = $"{startedAt:yyyy-MM-dd HH:mm} UTC, commit {run["commit"]}, {mode} run";
        var paths = new List<string>();
        if (run["routingLatency"] is JsonObject latency)
        {
            paths.Add(DrawLatency(directory, latency, "Routing latency, " + title, $"routing-latency{suffix}.png"));
        }

        if (run["ingest"] is JsonArray ingest)
        {
            paths.Add(DrawThroughput(directory, ingest, "Ingest throughput, " + title, $"ingest-throughput{suffix}.png"));
        }

        return paths;
    }

    // Draws latency per percentile as bars on a log scale, with the p50 and p99 targets as dashed lines, so that
    // both milliseconds and seconds stay readable.
    private static string DrawLatency(string directory, JsonObject latency, string title, string fileName)
    {
        (string Label, string Key)[] points =
            [("p50", "p50Ms"), ("p90", "p90Ms"), ("p99", "p99Ms"), ("p99.9", "p999Ms"), ("max", "maxMs")];
        var values = points.Select(point => Read<double>(latency, point.Key)).ToArray();
        var plot = new Plot();
        var bottom = SetLogTicks(plot.Axes.Left, Math.Min(1, values.Min()), Math.Max(10, values.Max()) * 3);
        var bars = plot.Add.Bars(values.Select(Log).ToArray());
        for (var i = 0; i < bars.Bars.Count; i++)
        {
            bars.Bars[i].ValueBase = bottom;
            bars.Bars[i].Label = Figure.Format(values[i]) + " ms";
        }

        bars.ValueLabelStyle.FontSize = 14;
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, points.Length).Select(i => (double)i)],
            [.. points.Select(point => point.Label)]);
        AddTarget(plot, 2, "p50 target 2 ms");
        AddTarget(plot, 10, "p99 target 10 ms");
        plot.Title(title);
        plot.YLabel("ms from the 200 OK to the offer (log scale)");
        plot.ShowLegend(Alignment.UpperLeft);
        return Save(plot, directory, fileName);
    }

    // Draws items/s against items per request for the baseline and the service, on log scales.
    private static string DrawThroughput(string directory, JsonArray ingest, string title, string fileName)
    {
        var points = ingest.OfType<JsonObject>().ToList();
        var sizes = points.Select(point => Read<double>(point, "itemsPerRequest")).ToArray();
        var baseline = points.Select(point => Read<double>(point, "baselineItemsPerSecond")).ToArray();
        var service = points.Select(point => Read<double>(point, "serviceItemsPerSecond")).ToArray();
        var plot = new Plot();
        AddSeries(plot, sizes, baseline, "baseline (parse only)");
        AddSeries(plot, sizes, service, "service (SQLite, durable)");
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. sizes.Select(Log)], [.. sizes.Select(size => size.ToString(CultureInfo.InvariantCulture))]);
        var all = baseline.Concat(service).ToList();
        SetLogTicks(plot.Axes.Left, all.Min() / 2, all.Max() * 2);
        plot.Title(title);
        plot.XLabel("items per request (log scale)");
        plot.YLabel("items/s (log scale)");
        plot.ShowLegend(Alignment.LowerRight);
        return Save(plot, directory, fileName);
    }

    private static void AddSeries(Plot plot, double[] sizes, double[] itemsPerSecond, string label)
    {
        var scatter = plot.Add.Scatter(sizes.Select(Log).ToArray(), itemsPerSecond.Select(Log).ToArray());
        scatter.LegendText = label;
        scatter.MarkerSize = 8;
        scatter.LineWidth = 2;
    }

    private static T Read<T>(JsonObject json, string key) =>
        json[key] is JsonValue value && value.TryGetValue<T>(out var read)
            ? read
            : throw new InvalidOperationException($"The results JSON has no {typeof(T).Name} \"{key}\".");

    private static void AddTarget(Plot plot, double milliseconds, string label)
    {
        var line = plot.Add.HorizontalLine(Log(milliseconds));
        line.LinePattern = LinePattern.Dashed;
        line.LegendText = label;
    }

    // Puts ticks at the powers of 10 around the bounds, labelled with the values, on an axis that plots log10 of
    // them, and returns the lowest tick.
    private static double SetLogTicks(ScottPlot.IAxis axis, double min, double max)
    {
        var low = Math.Floor(Log(min));
        var high = Math.Ceiling(Log(max));
        var positions = Enumerable.Range((int)low, (int)(high - low) + 1).Select(power => (double)power).ToArray();
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            positions, [.. positions.Select(power => Label(Math.Pow(10, power)))]);
        axis.Min = low;
        axis.Max = high;
        return low;
    }

    private static double Log(double value) => Math.Log10(Math.Max(value, Floor));

    private static string Label(double value) =>
        value.ToString(value < 1 ? "0.###" : "#,0.##", CultureInfo.InvariantCulture);

    private static string Save(Plot plot, string directory, string fileName)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, fileName);
        plot.SavePng(path, Width, Height);
        return path;
    }
}

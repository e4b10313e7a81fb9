using System.Globalization;
using System.Text.Json.Nodes;

namespace RoutedEmail.Bench.Figures;

/// <summary>Turns a routing latency run into figures, and checks whether the harness limited it.</summary>
internal static class LatencyFigures
{
    /// <summary>The p50 target in milliseconds.</summary>
    public const double P50TargetMs = 2;

    /// <summary>The p99 target in milliseconds.</summary>
    public const double P99TargetMs = 10;

    /// <summary>Returns the figures and the problems that make the run invalid, such as missing offers.</summary>
    public static (List<Figure> Figures, List<string> Problems) Evaluate(LatencyResult result, SuitePlan plan)
    {
        var cores = Environment.ProcessorCount;
        var clientShare = result.ClientCpu / result.Elapsed;
        var serverShare = result.ServerCpu / result.Elapsed;
        var setup = result.Agents < SuitePlan.TargetHubAgents
            ? $"{result.Agents} agents, not {SuitePlan.TargetHubAgents}"
            : $"{result.Agents} agents";
        var rate = string.Create(CultureInfo.InvariantCulture, $"{result.SendRate:F0} emails/s sent");
        var cpu = string.Create(CultureInfo.InvariantCulture, 
            $"server CPU {serverShare:P0}, harness CPU {clientShare:P0} of one core, {cores} cores");
        var warm = DescribeWarmup(result.Warmup);
        if (warm is not null)
        {
            Console.WriteLine($"  warm-up: {warm}");
        }

        Console.WriteLine($"  {result.Sent} measured emails, {result.Probe.Recorded} offers paired, {rate}, {cpu}; " +
            $"{result.Probe.OffersBeforeAcknowledgement} offers arrived before their 200 and count as 0 ms");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  server CPU per email: {result.ServerCpuPerEmail.TotalMilliseconds:F2} ms " +
            $"({result.ServerCpu.TotalSeconds:F1} s in {result.Elapsed.TotalSeconds:F1} s measured and drained)"));

        var problems = new List<string>();
        if (result.Errors > 0)
        {
            problems.Add($"routing latency: {result.Errors} ingest requests or hub calls failed; the first: " +
                result.FirstError);
        }

        if (result.Missing > 0)
        {
            problems.Add($"routing latency: {result.Missing} of {result.Sent} measured emails got no offer on the " +
                "hub, and no offer arrived in the last 10 s of the wait, so the percentiles leave them out.");
        }

        // On a saturated machine, a harness that takes a large share may be what limits the figure.
        var saturated = clientShare + serverShare >= 0.9 * cores;
        var harnessLimited = saturated && clientShare >= 0.5;
        var lagging = result.SendRate < 0.95 * plan.EmailsPerSecond;
        if (harnessLimited || lagging)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, 
                $"  WARNING: the harness may be the bottleneck: {cpu}, {rate} of {plan.EmailsPerSecond}, " +
                $"the longest send lag {result.MaxSendLag.TotalMilliseconds:F1} ms."));
        }

        var coldWarning = result.Warmup is { Sent: > 0, JitSettled: false }
            ? "; the server's JIT compiler was still busy when the measured phase began"
            : "";
        var note = $"{setup}; {rate}; {cpu}" + (harnessLimited || lagging ? "; harness may be the bottleneck" : "") +
            coldWarning;
        var figures = new List<Figure>
        {
            FiguresBenchmark.Annotate(Figure.AtMost("routing latency p50",
                result.Probe.Percentile(50).TotalMilliseconds, "ms", P50TargetMs, note), plan),
            FiguresBenchmark.Annotate(Figure.AtMost("routing latency p99",
                result.Probe.Percentile(99).TotalMilliseconds, "ms", P99TargetMs), plan),
            FiguresBenchmark.Annotate(new("routing latency p99.9",
                result.Probe.Percentile(99.9).TotalMilliseconds, "ms", "none", null), plan),
            FiguresBenchmark.Annotate(new("routing latency max",
                result.Probe.Max().TotalMilliseconds, "ms", "none", null), plan),
            FiguresBenchmark.Annotate(new("request sent to offer p50",
                result.Probe.PercentileFromSend(50).TotalMilliseconds, "ms", "none", null,
                "from sending the ingest request, so its own time is included"), plan),
            FiguresBenchmark.Annotate(new("request sent to offer p99",
                result.Probe.PercentileFromSend(99).TotalMilliseconds, "ms", "none", null), plan),
        };
        return (figures, problems);
    }

    /// <summary>Describes the warm-up for the output, or returns null when the run had none.</summary>
    private static string? DescribeWarmup(WarmupResult warmup)
    {
        if (warmup.Sent == 0)
        {
            return null;
        }

        var jit = warmup.JitSettled
            ? $"until the server's JIT compiler used under {RoutingLatency.JitSettledShare:P0} of a core for " +
              $"{RoutingLatency.JitWindow.TotalSeconds:F0} s"
            : $"the limit, with the server's JIT compiler still at {warmup.JitShare:P0} of a core";
        var drain = warmup.Undrained == 0
            ? $"its offers all arrived {warmup.Drained.TotalSeconds:F1} s after the last response"
            : $"{warmup.Undrained} of its emails got no offer";
        return string.Create(CultureInfo.InvariantCulture,
            $"{warmup.Elapsed.TotalSeconds:F0} s and {warmup.Sent} emails, {jit}; {drain}");
    }

    /// <summary>Converts the run to JSON for the results file.</summary>
    public static JsonObject ToJson(LatencyResult result) => new()
    {
        ["agents"] = result.Agents,
        ["sent"] = result.Sent,
        ["paired"] = result.Probe.Recorded,
        ["offersBefore200"] = result.Probe.OffersBeforeAcknowledgement,
        ["sendRate"] = Math.Round(result.SendRate, 1),
        ["maxSendLagMs"] = Math.Round(result.MaxSendLag.TotalMilliseconds, 2),
        ["p50Ms"] = Math.Round(result.Probe.Percentile(50).TotalMilliseconds, 3),
        ["p90Ms"] = Math.Round(result.Probe.Percentile(90).TotalMilliseconds, 3),
        ["p99Ms"] = Math.Round(result.Probe.Percentile(99).TotalMilliseconds, 3),
        ["p999Ms"] = Math.Round(result.Probe.Percentile(99.9).TotalMilliseconds, 3),
        ["maxMs"] = Math.Round(result.Probe.Max().TotalMilliseconds, 3),
        ["sendToOfferP50Ms"] = Math.Round(result.Probe.PercentileFromSend(50).TotalMilliseconds, 3),
        ["sendToOfferP99Ms"] = Math.Round(result.Probe.PercentileFromSend(99).TotalMilliseconds, 3),
        ["serverCpuShare"] = Math.Round(result.ServerCpu / result.Elapsed, 3),
        ["serverCpuPerEmailMs"] = Math.Round(result.ServerCpuPerEmail.TotalMilliseconds, 3),
        ["elapsedSeconds"] = Math.Round(result.Elapsed.TotalSeconds, 2),
        ["clientCpuShare"] = Math.Round(result.ClientCpu / result.Elapsed, 3),
        ["errors"] = result.Errors,
        ["warmupSeconds"] = Math.Round(result.Warmup.Elapsed.TotalSeconds, 1),
        ["warmupEmails"] = result.Warmup.Sent,
        ["warmupJitSettled"] = result.Warmup.JitSettled,
        ["warmupJitShare"] = Math.Round(result.Warmup.JitShare, 4),
        ["warmupDrainSeconds"] = Math.Round(result.Warmup.Drained.TotalSeconds, 2),
        ["warmupUndrained"] = result.Warmup.Undrained,
    };
}

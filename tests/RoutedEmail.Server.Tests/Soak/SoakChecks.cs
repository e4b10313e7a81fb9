using System.Globalization;

namespace RoutedEmail.Server.Tests.Soak;

/// <summary>The verdict of one soak check.</summary>
/// <param name="Name">What the check tests.</param>
/// <param name="Passed">Whether the run met the limit.</param>
/// <param name="Enforced">Whether a failure fails the run, or is only reported.</param>
/// <param name="Detail">The measured values and the limit.</param>
internal sealed record SoakCheck(string Name, bool Passed, bool Enforced, string Detail);

/// <summary>
/// Applies <see cref="SoakThresholds"/> to a <see cref="SoakResult"/>: correctness (every acknowledged email
/// completed, no errors), flat memory, file descriptors and threads after the warm-up, database growth explained by
/// the retained emails, flat CPU time per email, a bounded WAL, and p99 latencies within twice the first minute's.
/// </summary>
internal static class SoakChecks
{
    private const double MiB = 1 << 20;

    /// <summary>Evaluates every check. A run needs two samples after the warm-up for the trend checks.</summary>
    public static IReadOnlyList<SoakCheck> Evaluate(SoakResult result)
    {
        var checks = new List<SoakCheck>();
        AddCorrectnessChecks(result, checks);

        var warmup = result.Samples.Where(sample => sample.At <= SoakThresholds.Warmup + Tolerance(result)).ToList();
        var later = result.Samples.Skip(warmup.Count).ToList();
        if (warmup.Count == 0 || later.Count < 2)
        {
            checks.Add(new SoakCheck("enough samples", false, true,
                $"{later.Count} samples after the {SoakThresholds.Warmup.TotalSeconds:F0} s warm-up, and the trend " +
                "checks need at least 2. Run for at least 2 minutes, with a sample interval of at most half " +
                "of the time after the warm-up"));
            return checks;
        }

        var earlier = later.Take(later.Count / 2).ToList();
        var last = later.Skip(later.Count / 2).ToList();
        checks.Add(CheckTrend("RSS stays flat", earlier, last, sample => sample.Gauges.RssBytes,
            SoakThresholds.RssSlackBytes, value => $"{value / MiB:F1} MiB"));
        checks.Add(CheckTrend("file descriptors stay flat", earlier, last, sample => sample.Gauges.FileDescriptors,
            SoakThresholds.FileDescriptorSlack, value => value.ToString("F0", CultureInfo.InvariantCulture)));
        checks.Add(CheckTrend("threads stay flat", earlier, last, sample => sample.Gauges.Threads,
            SoakThresholds.ThreadSlack, value => value.ToString("F0", CultureInfo.InvariantCulture)));
        checks.Add(CheckBytesPerEmail(warmup[^1], earlier[^1], last[^1]));
        checks.Add(CheckCpuPerEmail(warmup[^1], earlier[^1], last[^1]));
        if (result.Samples.Any(sample => sample.Gauges.WalBytes is not null))
        {
            checks.Add(CheckWal(result.Samples));
        }

        var baseline = WindowedLatency.Merge(warmup.Select(sample => sample.Window));
        checks.Add(CheckLatency("ingest p99 within 2x of the first minute", later, baseline.Ingest,
            window => window.Ingest, result.Settings.EnforceLatency));
        checks.Add(CheckLatency("routing p99 within 2x of the first minute", later, baseline.Routing,
            window => window.Routing, result.Settings.EnforceLatency));
        return checks;
    }

    // A sample due at the end of the warm-up is taken a little after it, and still belongs to it.
    private static TimeSpan Tolerance(SoakResult result) => result.Settings.SampleInterval / 2;

    private static void AddCorrectnessChecks(SoakResult result, List<SoakCheck> checks)
    {
        var counters = result.Counters;
        var firstError = counters.FirstErrors.Count > 0 ? "; first: " + counters.FirstErrors[0] : "";
        checks.Add(new SoakCheck("no errors", counters.Errors == 0, true,
            $"{counters.Errors} failed requests or hub calls{firstError}"));
        checks.Add(new SoakCheck("every email acknowledged", counters.Acknowledged == result.Sent, true,
            $"{counters.Acknowledged} of {result.Sent} ingest requests returned 200 SUCCESS"));
        checks.Add(new SoakCheck("every acknowledged email completed", counters.Completed == counters.Acknowledged,
            true, $"{counters.Completed} of {counters.Acknowledged} completed after the drain"));
        checks.Add(new SoakCheck("queue empty after the drain", result.Waiting == 0, true,
            $"{result.Waiting} emails still Queued"));
        checks.Add(new SoakCheck("every offer paired with its 200", result.UnpairedOffers == 0, true,
            $"{result.UnpairedOffers} emails with a 200 and no offer, or an offer and no 200 (such as a second " +
            "offer after an expired one)"));
    }

    private static SoakCheck CheckTrend(
        string name, List<SoakSample> earlier, List<SoakSample> last, Func<SoakSample, double> gauge, double slack,
        Func<double, string> format)
    {
        var earlierMedian = Median(earlier.Select(gauge));
        var lastMedian = Median(last.Select(gauge));
        var limit = (earlierMedian * (1 + SoakThresholds.TrendMargin)) + slack;
        return new SoakCheck(name, lastMedian <= limit, true,
            $"median {format(earlierMedian)} in the earlier half after the warm-up, {format(lastMedian)} in the " +
            $"later half; limit {format(limit)}");
    }

    private static SoakCheck CheckBytesPerEmail(SoakSample start, SoakSample middle, SoakSample end)
    {
        var earlier = BytesPerEmail(start, middle);
        var later = BytesPerEmail(middle, end);
        var limit = (earlier * SoakThresholds.MaxBytesPerEmailRatio) + SoakThresholds.BytesPerEmailSlack;
        return new SoakCheck("database grows only with retained emails", later <= limit, true,
            string.Create(CultureInfo.InvariantCulture,
                $"{earlier:F0} bytes per new email in the earlier half after the warm-up, {later:F0} in the later " +
                $"half; limit {limit:F0}"));
    }

    private static double BytesPerEmail(SoakSample from, SoakSample to)
    {
        var emails = Math.Max(1, to.Acknowledged - from.Acknowledged);
        return (to.Gauges.DatabaseBytes - from.Gauges.DatabaseBytes) / (double)emails;
    }

    private static SoakCheck CheckCpuPerEmail(SoakSample start, SoakSample middle, SoakSample end)
    {
        var earlier = CpuMillisecondsPerEmail(start, middle);
        var later = CpuMillisecondsPerEmail(middle, end);
        var limit = (earlier * SoakThresholds.MaxCpuPerEmailRatio) + SoakThresholds.CpuPerEmailSlack.TotalMilliseconds;
        return new SoakCheck("CPU time per email stays flat", later <= limit, true,
            string.Create(CultureInfo.InvariantCulture,
                $"{earlier:F2} ms of server CPU per new email in the earlier half after the warm-up, {later:F2} ms " +
                $"in the later half; limit {limit:F2} ms"));
    }

    private static double CpuMillisecondsPerEmail(SoakSample from, SoakSample to)
    {
        var emails = Math.Max(1, to.Acknowledged - from.Acknowledged);
        return (to.Gauges.CpuTime - from.Gauges.CpuTime).TotalMilliseconds / emails;
    }

    private static SoakCheck CheckWal(IReadOnlyList<SoakSample> samples)
    {
        var max = samples.Max(sample => sample.Gauges.WalBytes ?? 0);
        return new SoakCheck("WAL stays bounded", max <= SoakThresholds.MaxWalBytes, true,
            $"largest WAL file {max / MiB:F1} MiB; limit {SoakThresholds.MaxWalBytes / MiB:F0} MiB");
    }

    private static SoakCheck CheckLatency(
        string name, List<SoakSample> later, HdrHistogram.LongHistogram baseline,
        Func<LatencyWindow, HdrHistogram.LongHistogram> select, bool enforced)
    {
        var baselineP99 = LatencyWindow.P99(baseline);
        if (baselineP99 is null)
        {
            return new SoakCheck(name, false, enforced, "no latency was recorded in the first minute");
        }

        var reference = baselineP99.Value > SoakThresholds.MinLatencyBaseline
            ? baselineP99.Value
            : SoakThresholds.MinLatencyBaseline;
        var limit = reference * SoakThresholds.MaxLatencyRatio;
        var over = later
            .Select(sample => (sample.At, P99: LatencyWindow.P99(select(sample.Window))))
            .Where(window => window.P99 is null || window.P99 > limit)
            .ToList();
        var worst = later.Max(sample => LatencyWindow.P99(select(sample.Window)) ?? TimeSpan.Zero);
        var detail = string.Create(CultureInfo.InvariantCulture,
            $"first minute {baselineP99.Value.TotalMilliseconds:F1} ms, worst later window " +
            $"{worst.TotalMilliseconds:F1} ms; limit {limit.TotalMilliseconds:F1} ms");
        if (over.Count > 0)
        {
            detail += string.Create(CultureInfo.InvariantCulture,
                $"; {over.Count} windows over it or empty, the first ending at {over[0].At.TotalSeconds:F0} s");
        }

        return new SoakCheck(name, over.Count == 0, enforced, detail);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}

using System.Diagnostics;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Soak;

/// <summary>
/// Checks that the soak's checks find each kind of degradation in hand-made samples, so a passing soak means
/// something: a steady leak of memory, descriptors or threads, a database that outgrows its emails, a large WAL and
/// a slow later window.
/// </summary>
[Trait(TestStore.Trait, TestStore.Independent)]
public sealed class SoakChecksTests
{
    private const long MiB = 1 << 20;
    private const int SampleCount = 12;
    private const int EmailsPerSample = 200;

    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    [Fact]
    public void Checks_FlatRun_AllPass()
    {
        var checks = Evaluate(BuildSamples(_ => Gauges()));

        Assert.All(checks, check => Assert.True(check.Passed, $"{check.Name}: {check.Detail}"));
    }

    [Fact]
    public void Checks_GrowingRss_FailsRssCheck()
    {
        var checks = Evaluate(BuildSamples(i => Gauges() with { RssBytes = (200 + (30 * i)) * MiB }));

        Assert.False(Find(checks, "RSS stays flat").Passed);
        Assert.True(Find(checks, "threads stay flat").Passed);
    }

    [Fact]
    public void Checks_GrowingDescriptors_FailsDescriptorCheck()
    {
        var checks = Evaluate(BuildSamples(i => Gauges() with { FileDescriptors = 300 + (40 * i) }));

        Assert.False(Find(checks, "file descriptors stay flat").Passed);
    }

    [Fact]
    public void Checks_GrowingThreads_FailsThreadCheck()
    {
        var checks = Evaluate(BuildSamples(i => Gauges() with { Threads = 20 + (5 * i) }));

        Assert.False(Find(checks, "threads stay flat").Passed);
    }

    [Fact]
    public void Checks_DatabaseOutgrowsEmails_FailsGrowthCheck()
    {
        // 1 KiB per email at first, then 4 KiB per email from the tenth sample on.
        var checks = Evaluate(BuildSamples(i => Gauges() with
        {
            DatabaseBytes = (i * EmailsPerSample * 1024L) + (Math.Max(0, i - 9) * EmailsPerSample * 3072L),
        }));

        Assert.False(Find(checks, "database grows only with retained emails").Passed);
    }

    [Fact]
    public void Checks_CpuPerEmailGrows_FailsCpuCheck()
    {
        // 3 ms of CPU per email at first, then 3 ms more for every later sample: a scan of a growing table.
        var checks = Evaluate(BuildSamples(i => Gauges() with
        {
            CpuTime = TimeSpan.FromMilliseconds(Enumerable.Range(1, i).Sum(n => (3 + (3 * Math.Max(0, n - 6))) *
                EmailsPerSample)),
        }));

        Assert.False(Find(checks, "CPU time per email stays flat").Passed);
        Assert.True(Find(checks, "RSS stays flat").Passed);
    }

    [Fact]
    public void Checks_LargeWal_FailsWalCheck()
    {
        var checks = Evaluate(BuildSamples(i => Gauges() with { WalBytes = i == 9 ? 100 * MiB : 4 * MiB }));

        Assert.False(Find(checks, "WAL stays bounded").Passed);
    }

    [Fact]
    public void Checks_SlowLaterWindow_FailsLatencyCheck()
    {
        var samples = BuildSamples(_ => Gauges(), slowWindow: 10);

        var checks = Evaluate(samples);

        Assert.False(Find(checks, "routing p99 within 2x of the first minute").Passed);
        Assert.True(Find(checks, "ingest p99 within 2x of the first minute").Passed);
    }

    [Fact]
    public void Checks_LostEmail_FailsCompletionCheck()
    {
        var counters = new SoakCounters();
        counters.CountAcknowledged();
        counters.CountAcknowledged();
        counters.CountCompleted();

        var checks = Evaluate(BuildSamples(_ => Gauges()), counters, sent: 2);

        Assert.False(Find(checks, "every acknowledged email completed").Passed);
        Assert.True(Find(checks, "every email acknowledged").Passed);
    }

    private static ResourceGauges Gauges() =>
        new(RssBytes: 200 * MiB, FileDescriptors: 300, Threads: 20, DataDirectoryBytes: 10 * MiB,
            WalBytes: 4 * MiB, DatabaseBytes: 0, CpuTime: TimeSpan.Zero);

    // Builds one sample every 10 seconds for 2 minutes, with 1 KiB of database and 3 ms of CPU per email unless the
    // gauges set other values. Every window has ingest and routing latencies of 10 to 20 ms, except that the routing latencies
    // of the slow window, if any, are 200 ms.
    private static List<SoakSample> BuildSamples(Func<int, ResourceGauges> gauges, int? slowWindow = null)
    {
        var latency = new WindowedLatency();
        var samples = new List<SoakSample>();
        for (var i = 1; i <= SampleCount; i++)
        {
            for (var email = 0; email < 100; email++)
            {
                var entityId = $"w{i}-{email}";
                var start = Stopwatch.GetTimestamp();
                var acknowledged = start + Ticks(10 + (email % 10));
                var routing = slowWindow == i ? 200 : 10 + (email % 10);
                latency.Acknowledge(entityId, start, acknowledged);
                latency.Offer(entityId, acknowledged + Ticks(routing));
            }

            var sampleGauges = gauges(i);
            if (sampleGauges.DatabaseBytes == 0)
            {
                sampleGauges = sampleGauges with { DatabaseBytes = i * EmailsPerSample * 1024L };
            }

            if (sampleGauges.CpuTime == TimeSpan.Zero)
            {
                sampleGauges = sampleGauges with { CpuTime = TimeSpan.FromMilliseconds(i * EmailsPerSample * 3) };
            }

            var emails = (long)i * EmailsPerSample;
            samples.Add(new SoakSample(Interval * i, sampleGauges, emails, emails, latency.Cut()));
        }

        return samples;
    }

    private static long Ticks(int milliseconds) => Stopwatch.Frequency * milliseconds / 1000;

    private static IReadOnlyList<SoakCheck> Evaluate(
        List<SoakSample> samples, SoakCounters? counters = null, long? sent = null)
    {
        var settings = new SoakSettings(TimeSpan.FromMinutes(2), 20, 8, Interval, EnforceLatency: true, null);
        if (counters is null)
        {
            counters = new SoakCounters();
            for (var i = 0; i < samples[^1].Acknowledged; i++)
            {
                counters.CountAcknowledged();
                counters.CountCompleted();
            }
        }

        var result = new SoakResult(settings, samples, counters, sent ?? counters.Acknowledged, Waiting: 0,
            UnpairedOffers: 0);
        return SoakChecks.Evaluate(result);
    }

    private static SoakCheck Find(IReadOnlyList<SoakCheck> checks, string name) =>
        checks.SingleOrDefault(check => check.Name == name)
        ?? throw new InvalidOperationException($"No check named \"{name}\" among: " +
            string.Join(", ", checks.Select(check => check.Name)));
}

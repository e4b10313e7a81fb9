using RoutedEmail.Server.Tests.Crash;

namespace RoutedEmail.Server.Tests.Soak;

/// <summary>
/// The shape of one soak run: how long it runs, how much traffic it sends, how often it samples the server and
/// whether the p99 check fails the run. <see cref="FromEnvironment"/> reads the run of <c>scripts/soak</c>; without
/// its variables the run is the suite's 2-minute version.
/// </summary>
/// <param name="Duration">How long the steady traffic runs.</param>
/// <param name="EmailsPerSecond">The open-loop ingest rate, one email per request.</param>
/// <param name="Agents">Hub agents that accept and complete every offer, each with a maximum of one email.</param>
/// <param name="SampleInterval">The time between two samples of the server process, and the latency window.</param>
/// <param name="EnforceLatency">
/// Whether a later window's p99 above <see cref="SoakThresholds.MaxLatencyRatio"/> times the first minute's fails
/// the run, or is only reported.
/// </param>
/// <param name="ResultsPath">A file to write the sample table and the check results to, or null.</param>
internal sealed record SoakSettings(
    TimeSpan Duration, int EmailsPerSecond, int Agents, TimeSpan SampleInterval, bool EnforceLatency,
    string? ResultsPath)
{
    /// <summary>The environment variable with the run's length in whole minutes. The suite's default is 2.</summary>
    public const string MinutesVariable = "ROUTED_EMAIL_SOAK_MINUTES";

    /// <summary>The environment variable with the ingest rate in emails per second; the suite uses 20.</summary>
    public const string RateVariable = "ROUTED_EMAIL_SOAK_RATE";

    /// <summary>The environment variable with the sample interval in seconds. The suite's default is 10.</summary>
    public const string IntervalVariable = "ROUTED_EMAIL_SOAK_INTERVAL_SECONDS";

    /// <summary>The environment variable with the number of hub agents; the suite uses 8.</summary>
    public const string AgentsVariable = "ROUTED_EMAIL_SOAK_AGENTS";

    /// <summary>The environment variable that, set to 1, makes the p99 check fail the run.</summary>
    public const string EnforceLatencyVariable = "ROUTED_EMAIL_SOAK_ENFORCE_LATENCY";

    /// <summary>The environment variable with the path of the results file.</summary>
    public const string ResultsVariable = "ROUTED_EMAIL_SOAK_RESULTS";

    private const int DefaultMinutes = 2;
    private const int DefaultEmailsPerSecond = 20;
    private const int DefaultIntervalSeconds = 10;
    private const int DefaultAgents = 8;

    /// <summary>Whether <c>scripts/soak</c> (or a person) asked for a run by setting the length.</summary>
    public static bool Requested => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(MinutesVariable));

    /// <summary>Reads the settings from the environment, with the suite's defaults for unset variables.</summary>
    /// <exception cref="InvalidOperationException">A variable is not a positive integer.</exception>
    public static SoakSettings FromEnvironment()
    {
        var minutes = CrashRecoveryTests.ReadSetting(MinutesVariable, DefaultMinutes);
        var rate = CrashRecoveryTests.ReadSetting(RateVariable, DefaultEmailsPerSecond);
        var interval = CrashRecoveryTests.ReadSetting(IntervalVariable, DefaultIntervalSeconds);
        var agents = CrashRecoveryTests.ReadSetting(AgentsVariable, DefaultAgents);
        var enforce = Environment.GetEnvironmentVariable(EnforceLatencyVariable) == "1";
        var results = Environment.GetEnvironmentVariable(ResultsVariable);
        return new SoakSettings(TimeSpan.FromMinutes(minutes), rate, agents, TimeSpan.FromSeconds(interval),
            enforce, string.IsNullOrWhiteSpace(results) ? null : results);
    }
}

/// <summary>The limits the soak checks apply, with the reason for each.</summary>
internal static class SoakThresholds
{
    /// <summary>
    /// The first minute is the warm-up: JIT compilation, tiered recompilation, the thread pool, connection pools and
    /// the page cache all grow then, so the trend checks ignore it and the latency baseline is taken from it.
    /// </summary>
    public static readonly TimeSpan Warmup = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The relative margin of the trend checks. The samples after the warm-up are split into an earlier and a later
    /// half, and the later half's median of each gauge may exceed the earlier half's median by this fraction plus the
    /// gauge's absolute slack. Medians ignore the few samples that a garbage collection or a burst of work lifts or
    /// drops, which would tilt a least-squares slope, yet a steady leak moves the whole later half up.
    /// </summary>
    public const double TrendMargin = 0.10;

    /// <summary>The absolute slack of the resident set size (RSS) trend, in bytes: 16 MiB.</summary>
    public const long RssSlackBytes = 16L << 20;

    /// <summary>The absolute slack of the file descriptor trend, because sockets of requests come and go.</summary>
    public const int FileDescriptorSlack = 16;

    /// <summary>The absolute slack of the thread trend, because the thread pool adds and retires threads.</summary>
    public const int ThreadSlack = 6;

    /// <summary>
    /// The maximum ratio of the marginal database bytes per email in the later half to the earlier half. Every
    /// email is retained for at least 24 hours, so the database grows with each one, but by a steady amount.
    /// </summary>
    public const double MaxBytesPerEmailRatio = 1.5;

    /// <summary>
    /// The absolute slack of the bytes-per-email check: 512 bytes per email, because B-tree pages fill and split
    /// in steps that are large for a short window of a few hundred emails.
    /// </summary>
    public const double BytesPerEmailSlack = 512;

    /// <summary>
    /// The maximum size of SQLite's write-ahead log file in bytes: 64 MiB. SQLite checkpoints it every 1,000 pages
    /// (about 4 MiB) by default, and the file is reused after a checkpoint, so a larger one means checkpoints starve.
    /// </summary>
    public const long MaxWalBytes = 64L << 20;

    /// <summary>
    /// The maximum ratio of the server's CPU time per new email in the later half to the earlier half. Work that
    /// grows with the stored data, such as a query that scans a whole table, makes each email cost more over time.
    /// </summary>
    public const double MaxCpuPerEmailRatio = 1.5;

    /// <summary>
    /// The absolute slack of the CPU-per-email check: 1 ms per email, because neighbours on a shared machine and
    /// garbage collections shift a few hundred milliseconds of CPU time between short windows.
    /// </summary>
    public static readonly TimeSpan CpuPerEmailSlack = TimeSpan.FromMilliseconds(1);

    /// <summary>The maximum ratio of a later window's p99 latency to the first minute's.</summary>
    public const double MaxLatencyRatio = 2.0;

    /// <summary>
    /// The smallest baseline the latency ratio is taken against: 5 ms. A first-minute p99 of 1 ms would otherwise
    /// make one scheduling delay of a few milliseconds fail the run.
    /// </summary>
    public static readonly TimeSpan MinLatencyBaseline = TimeSpan.FromMilliseconds(5);
}

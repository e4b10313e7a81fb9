using System.Diagnostics;
using System.Globalization;
using RoutedEmail.Server.Tests.Crash;

namespace RoutedEmail.Bench.Figures;

/// <summary>The figures of one wrk run, from the line that bench/wrk/ingest.lua prints when wrk is done.</summary>
/// <param name="BatchSize">Items per request.</param>
/// <param name="Requests">Completed requests, whatever their status.</param>
/// <param name="Elapsed">The run's wall-clock time as wrk measured it.</param>
/// <param name="Non2xx">Responses with a status outside 2xx and 3xx.</param>
/// <param name="SocketErrors">Connect, read, write and timeout errors together.</param>
/// <param name="P50">The median latency.</param>
/// <param name="P99">The 99th percentile latency.</param>
internal sealed record WrkResult(
    int BatchSize, long Requests, TimeSpan Elapsed, long Non2xx, long SocketErrors, TimeSpan P50, TimeSpan P99)
{
    /// <summary>Requests per second that did not fail.</summary>
    public double RequestsPerSecond => (Requests - Non2xx) / Elapsed.TotalSeconds;

    /// <summary>Items per second in requests that did not fail.</summary>
    public double ItemsPerSecond => RequestsPerSecond * BatchSize;

    /// <summary>Every failed request: a non-2xx status or a socket error.</summary>
    public long Errors => Non2xx + SocketErrors;

    /// <summary>
    /// The CPU time (user and system) that the measured app used per request over the run, or null when it was
    /// not measured.
    /// </summary>
    public TimeSpan? CpuPerRequest { get; init; }
}

/// <summary>Runs wrk from the Debian package with one thread and bench/wrk/ingest.lua.</summary>
internal static class WrkRunner
{
    private const string ResultMarker = "wrk-result ";

    /// <summary>Finds bench/wrk/ingest.lua above the running assembly.</summary>
    /// <exception cref="FileNotFoundException">No parent directory contains it.</exception>
    public static string FindScript()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null;
             directory = directory.Parent)
        {
            var script = Path.Combine(directory.FullName, "bench", "wrk", "ingest.lua");
            if (File.Exists(script))
            {
                return script;
            }
        }

        throw new FileNotFoundException(
            "bench/wrk/ingest.lua was not found above " + AppContext.BaseDirectory + ". Run the harness from the " +
            "repository's build output, as bench/run does.");
    }

    /// <summary>Runs wrk for <paramref name="duration"/> against the ingest path and returns its figures.</summary>
    /// <param name="baseAddress">The loopback address of the baseline or the server.</param>
    /// <param name="tenant">The tenant whose headers and codes the bodies carry.</param>
    /// <param name="prefix">The entityId prefix, unique per run.</param>
    /// <param name="batchSize">Items per request.</param>
    /// <param name="connections">Open connections, each with one request in flight.</param>
    /// <param name="duration">How long wrk sends, at least one second.</param>
    /// <exception cref="InvalidOperationException">wrk failed or printed no result line.</exception>
    public static async Task<WrkResult> RunAsync(
        Uri baseAddress, TenantCredentials tenant, string prefix, int batchSize, int connections, TimeSpan duration)
    {
        var seconds = Math.Max(1, (int)Math.Round(duration.TotalSeconds));
        var info = new ProcessStartInfo("wrk")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments =
        [
            "--threads", "1", "--connections", connections.ToString(CultureInfo.InvariantCulture),
            "--duration", $"{seconds}s", "--timeout", "30s", "--script", FindScript(),
            new Uri(baseAddress, TenantClient.IngestPath).ToString(), "--", prefix,
            batchSize.ToString(CultureInfo.InvariantCulture), tenant.CompanyCode, tenant.Environment, tenant.ApiKey,
        ];
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)
            ?? throw new InvalidOperationException("wrk did not start. Install it with apt-get install -y wrk.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = await output;
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(ResultMarker, StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
        {
            throw new InvalidOperationException(
                $"wrk exited with code {process.ExitCode} without a result line. Its output:{Environment.NewLine}" +
                text + await errors);
        }

        return Parse(line, batchSize);
    }

    private static WrkResult Parse(string line, int batchSize)
    {
        var fields = line[ResultMarker.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(field => field.Split('='))
            .ToDictionary(pair => pair[0], pair => long.Parse(pair[1], CultureInfo.InvariantCulture));
        return new WrkResult(batchSize, fields["requests"], Microseconds(fields["duration_us"]), fields["non2xx"],
            fields["connect"] + fields["read"] + fields["write"] + fields["timeout"],
            Microseconds(fields["p50_us"]), Microseconds(fields["p99_us"]));
    }

    private static TimeSpan Microseconds(long value) => TimeSpan.FromTicks(value * 10);
}

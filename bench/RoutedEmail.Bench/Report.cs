using System.Globalization;

namespace RoutedEmail.Bench;

/// <summary>Prints the benchmark's settings and figures as a Markdown table, ready to paste into a record.</summary>
internal static class Report
{
    /// <summary>Prints the settings and the table header.</summary>
    public static void PrintHeader(BenchOptions options, string serverAssembly)
    {
        var settings = options.ServerSettings.Count == 0
            ? "none"
            : string.Join(", ", options.ServerSettings.Select(setting => $"{setting.Key}={setting.Value}"));
        Console.WriteLine($"server: {serverAssembly}");
        Console.WriteLine($"extra server settings: {settings}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"workers: {options.Workers}, measured: {options.Duration.TotalSeconds} s, " +
            $"warm-up: {options.Warmup.TotalSeconds} s per batch size"));
        Console.WriteLine("CPU columns: CPU time over wall-clock time, so 100% is one core fully busy.");
        Console.WriteLine();
        Console.WriteLine(
            "| items/request | requests | errors | seconds | requests/s | items/s | p50 ms | p99 ms | server CPU | " +
            "client CPU |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    }

    /// <summary>Prints one table row, and the first error under the table when there was one.</summary>
    public static void PrintRow(LoadResult result)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {result.BatchSize} | {result.Requests} | {result.Errors} | {result.Elapsed.TotalSeconds:F1} | " +
            $"{result.RequestsPerSecond:F0} | {result.ItemsPerSecond:F0} | " +
            $"{result.Percentile(0.50).TotalMilliseconds:F1} | {result.Percentile(0.99).TotalMilliseconds:F1} | " +
            $"{CpuShare(result.ServerCpu, result.Elapsed)} | {CpuShare(result.ClientCpu, result.Elapsed)} |"));
        if (result.FirstError is not null)
        {
            Console.Error.WriteLine($"First error with {result.BatchSize} items per request: {result.FirstError}");
        }
    }

    private static string CpuShare(TimeSpan cpu, TimeSpan elapsed) =>
        string.Create(CultureInfo.InvariantCulture, $"{100 * cpu / elapsed:F0}%");
}

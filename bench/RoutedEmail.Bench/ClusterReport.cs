using System.Globalization;

namespace RoutedEmail.Bench;

/// <summary>Prints the PostgreSQL mode's settings and figures as Markdown tables, ready to paste into a record.</summary>
internal static class ClusterReport
{
    /// <summary>Prints the settings of the run.</summary>
    public static void PrintHeader(
        BenchOptions options, string serverAssembly, string postgresVersion, bool databaseCpuMeasured)
    {
        var settings = options.ServerSettings.Count == 0
            ? "none"
            : string.Join(", ", options.ServerSettings.Select(setting => $"{setting.Key}={setting.Value}"));
        Console.WriteLine($"server: {serverAssembly}");
        Console.WriteLine($"extra server settings: {settings}");
        Console.WriteLine($"database: {postgresVersion}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"nodes: 1, then {options.Nodes} on one new database each time; ingest workers: {options.Workers}, " +
            $"measured: {options.Duration.TotalSeconds} s, warm-up: {options.Warmup.TotalSeconds} s per " +
            $"batch size"));
        var warmupEmails = options.Warmup > TimeSpan.Zero ? Math.Max(1, options.RoutedEmails / 2) : 0;
        Console.WriteLine($"routing: {options.Agents} agents, {options.RoutedEmails} emails measured after " +
            $"{warmupEmails} unmeasured");
        Console.WriteLine("CPU columns: CPU time over wall-clock time, so 100% is one core fully busy. Server CPU " +
            "is the sum over the nodes." + (databaseCpuMeasured
                ? " Database CPU is the PostgreSQL server's processes."
                : " Database CPU is not measured, because the cluster was not started by scripts/postgres."));
    }

    /// <summary>Prints the heading of one node count.</summary>
    public static void PrintNodesHeading(int nodes)
    {
        Console.WriteLine();
        Console.WriteLine(nodes == 1 ? "#### 1 node" : $"#### {nodes} nodes, requests spread over them in turn");
    }

    /// <summary>Prints the header of the ingest table.</summary>
    public static void PrintIngestHeader()
    {
        Console.WriteLine();
        Console.WriteLine(
            "| items/request | requests | errors | seconds | requests/s | items/s | p50 ms | p99 ms | server CPU | " +
            "database CPU | client CPU |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    }

    /// <summary>Prints one ingest row, and the first error under the table when there was one.</summary>
    public static void PrintIngestRow(LoadResult result)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {result.BatchSize} | {result.Requests} | {result.Errors} | {result.Elapsed.TotalSeconds:F1} | " +
            $"{result.RequestsPerSecond:F0} | {result.ItemsPerSecond:F0} | " +
            $"{result.Percentile(0.50).TotalMilliseconds:F1} | {result.Percentile(0.99).TotalMilliseconds:F1} | " +
            $"{CpuShare(result.ServerCpu, result.Elapsed)} | {CpuShare(result.DatabaseCpu, result.Elapsed)} | " +
            $"{CpuShare(result.ClientCpu, result.Elapsed)} |"));
        if (result.FirstError is not null)
        {
            Console.Error.WriteLine($"First error with {result.BatchSize} items per request: {result.FirstError}");
        }
    }

    /// <summary>Prints the first error of an unmeasured ingest warm-up, if it had one.</summary>
    public static void PrintWarmupError(LoadResult warmup)
    {
        if (warmup.FirstError is not null)
        {
            Console.Error.WriteLine($"First of {warmup.Errors} errors in the warm-up with {warmup.BatchSize} items " +
                $"per request: {warmup.FirstError}");
        }
    }

    /// <summary>Prints the header of the routing table.</summary>
    public static void PrintRoutingHeader()
    {
        Console.WriteLine();
        Console.WriteLine(
            "| agents | emails | completed | errors | seconds | emails/s | agent requests/s | empty polls | " +
            "server CPU | database CPU | client CPU |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    }

    /// <summary>Prints one routing row, and the first error under the table when there was one.</summary>
    public static void PrintRoutingRow(RoutingResult result)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {result.Agents} | {result.Emails} | {result.Completed} | {result.Errors} | " +
            $"{result.Elapsed.TotalSeconds:F1} | {result.EmailsPerSecond:F0} | {result.AgentRequestsPerSecond:F0} | " +
            $"{result.EmptyPolls} | {CpuShare(result.ServerCpu, result.Elapsed)} | " +
            $"{CpuShare(result.DatabaseCpu, result.Elapsed)} | {CpuShare(result.ClientCpu, result.Elapsed)} |"));
        PrintRoutingError("measured", result);
    }

    /// <summary>Prints the first error of a routing round, if it had one.</summary>
    public static void PrintRoutingError(string round, RoutingResult result)
    {
        if (result.FirstError is not null)
        {
            Console.Error.WriteLine($"First error of the {round} routing round: {result.FirstError}");
        }
    }

    /// <summary>Prints one line per figure: its value on one node, on several nodes, and their ratio.</summary>
    public static void PrintComparison(ClusterFigures single, ClusterFigures several)
    {
        Console.WriteLine();
        Console.WriteLine($"#### {several.Nodes} nodes against 1 node");
        Console.WriteLine();
        Console.WriteLine($"| figure | 1 node | {several.Nodes} nodes | ratio |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        foreach (var (one, many) in single.Ingest.Zip(several.Ingest))
        {
            var items = one.BatchSize == 1 ? "1 item" : $"{one.BatchSize} items";
            PrintFigure($"ingest items/s, {items} per request", one.ItemsPerSecond, many.ItemsPerSecond);
        }

        PrintFigure($"routed emails/s, {single.Routing.Agents} agents polling",
            single.Routing.EmailsPerSecond, several.Routing.EmailsPerSecond);
    }

    private static void PrintFigure(string figure, double single, double several) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {figure} | {single:F0} | {several:F0} | {several / single:F2} |"));

    private static string CpuShare(TimeSpan? cpu, TimeSpan elapsed) =>
        cpu is { } used ? string.Create(CultureInfo.InvariantCulture, $"{100 * used / elapsed:F0}%") : "n/a";
}

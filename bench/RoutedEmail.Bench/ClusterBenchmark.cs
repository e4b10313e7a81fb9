using Npgsql;
using RoutedEmail.Server.Tests.Crash;

namespace RoutedEmail.Bench;

/// <summary>The measured figures of one node count.</summary>
/// <param name="Nodes">The number of nodes that shared the database.</param>
/// <param name="Ingest">One measured ingest result per batch size.</param>
/// <param name="Routing">The measured routing round.</param>
/// <param name="Errors">Errors in every phase of this node count, warm-ups included.</param>
internal sealed record ClusterFigures(int Nodes, IReadOnlyList<LoadResult> Ingest, RoutingResult Routing, long Errors);

/// <summary>
/// The PostgreSQL mode: measures ingest and routing on one node, then on several nodes that share one database, and
/// prints each figure for both with their ratio. Each node count gets a new database and new nodes.
/// </summary>
internal static class ClusterBenchmark
{
    /// <summary>The environment variable with a superuser connection string to the database <c>postgres</c>.</summary>
    public const string ConnectionStringVariable = "ROUTED_EMAIL_TEST_POSTGRES";

    /// <summary>The environment variable with the directory of a cluster that <c>scripts/postgres</c> started.</summary>
    public const string ClusterDirectoryVariable = "ROUTED_EMAIL_TEST_POSTGRES_DIR";

    /// <summary>Runs the benchmark and returns the exit code: 0 when every request succeeded, else 1.</summary>
    public static async Task<int> RunAsync(BenchOptions options)
    {
        var adminConnectionString = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (string.IsNullOrEmpty(adminConnectionString))
        {
            Console.Error.WriteLine($"--postgres needs {ConnectionStringVariable}, a superuser connection string to " +
                "the database postgres. Run bench/run --postgres, which starts a throwaway cluster and sets it.");
            return 1;
        }

        var databaseCpu = CpuMeter.ForPostgresCluster(Environment.GetEnvironmentVariable(ClusterDirectoryVariable));
        try
        {
            var serverAssembly = ServerProcess.FindServerAssembly();
            var version = await BenchDatabase.ReadServerVersionAsync(adminConnectionString);
            ClusterReport.PrintHeader(options, serverAssembly, version, databaseCpu is not null);

            var single = await MeasureAsync(options, 1, adminConnectionString, serverAssembly, databaseCpu);
            var several = await MeasureAsync(
                options, options.Nodes, adminConnectionString, serverAssembly, databaseCpu);
            ClusterReport.PrintComparison(single, several);

            var errors = single.Errors + several.Errors;
            if (errors > 0)
            {
                Console.Error.WriteLine(
                    $"{errors} requests or rounds failed, so the figures are not valid. The first of each phase is " +
                    "printed above.");
                return 1;
            }

            return 0;
        }
        catch (Exception exception)
            when (exception is InvalidOperationException or HttpRequestException or NpgsqlException)
        {
            // A node failed to start, a setup request failed, or the database could not be created or dropped.
            Console.Error.WriteLine(exception.Message);
            return 1;
        }
    }

    private static async Task<ClusterFigures> MeasureAsync(
        BenchOptions options, int nodeCount, string adminConnectionString, string serverAssembly,
        CpuMeter? databaseCpu)
    {
        await using var database = await BenchDatabase.CreateAsync(adminConnectionString);
        var settings = new Dictionary<string, string>(options.ServerSettings, StringComparer.OrdinalIgnoreCase)
        {
            ["Storage:Provider"] = "Postgres",
            ["Storage:ConnectionString"] = database.ConnectionString,
        };
        var dataRoot = Directory.CreateTempSubdirectory("routed-email-bench-").FullName;
        var servers = new List<ServerProcess>();
        var nodes = new List<HttpClient>();
        try
        {
            // Every node gets its own data directory, as on separate machines, and the same explicit admin token.
            for (var node = 0; node < nodeCount; node++)
            {
                var dataDirectory = Directory.CreateDirectory(Path.Combine(dataRoot, $"node-{node}")).FullName;
                servers.Add(await ServerProcess.StartAsync(dataDirectory, settings, serverAssembly));
                nodes.Add(servers[^1].CreateClient());
            }

            var serverCpu = CpuMeter.ForProcesses([.. servers.Select(server => server.ProcessId)]);
            ClusterReport.PrintNodesHeading(nodeCount);
            var (ingest, ingestErrors) = await MeasureIngestAsync(options, nodes, serverCpu, databaseCpu);
            var (routing, routingErrors) = await MeasureRoutingAsync(options, nodes, serverCpu, databaseCpu);
            return new ClusterFigures(nodeCount, ingest, routing, ingestErrors + routingErrors);
        }
        finally
        {
            nodes.ForEach(node => node.Dispose());
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }

            Directory.Delete(dataRoot, recursive: true);
        }
    }

    private static async Task<(IReadOnlyList<LoadResult> Results, long Errors)> MeasureIngestAsync(
        BenchOptions options, List<HttpClient> nodes, CpuMeter serverCpu, CpuMeter? databaseCpu)
    {
        var tenant = await TenantClient.CreateTenantAsync(nodes[0], ServerProcess.AdminToken, "bench", "prod");
        var clients = nodes.Select(node => new TenantClient(node, tenant)).ToArray();
        var load = new ClosedLoopLoad(clients, options.Workers, serverCpu, databaseCpu);

        ClusterReport.PrintIngestHeader();
        var results = new List<LoadResult>();
        var errors = 0L;
        foreach (var batchSize in options.BatchSizes)
        {
            if (options.Warmup > TimeSpan.Zero)
            {
                var warmup = await load.RunAsync(batchSize, options.Warmup);
                errors += warmup.Errors;
                ClusterReport.PrintWarmupError(warmup);
            }

            var result = await load.RunAsync(batchSize, options.Duration);
            errors += result.Errors;
            results.Add(result);
            ClusterReport.PrintIngestRow(result);
        }

        return (results, errors);
    }

    private static async Task<(RoutingResult Result, long Errors)> MeasureRoutingAsync(
        BenchOptions options, List<HttpClient> nodes, CpuMeter serverCpu, CpuMeter? databaseCpu)
    {
        using var routing = await RoutingLoad.CreateAsync(
            nodes, ServerProcess.AdminToken, options.Agents, serverCpu, databaseCpu);
        var errors = 0L;
        if (options.Warmup > TimeSpan.Zero)
        {
            var warmup = await routing.RunAsync(Math.Max(1, options.RoutedEmails / 2));
            errors += warmup.Errors;
            ClusterReport.PrintRoutingError("warm-up", warmup);
        }

        ClusterReport.PrintRoutingHeader();
        var result = await routing.RunAsync(options.RoutedEmails);
        errors += result.Errors;
        ClusterReport.PrintRoutingRow(result);
        return (result, errors);
    }
}

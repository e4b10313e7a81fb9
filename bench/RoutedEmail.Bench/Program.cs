using RoutedEmail.Bench;
using RoutedEmail.Bench.Figures;
using RoutedEmail.Server.Tests.Crash;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

var (options, error) = BenchOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(error);
    return 2;
}

if (options.Postgres)
{
    return await ClusterBenchmark.RunAsync(options);
}

if (options.Commits)
{
    return CommitBenchmark.Run(options);
}

if (options.ChartsFrom is not null)
{
    return FiguresBenchmark.DrawCharts(options.ChartsFrom, options.ChartsTo);
}

if (!options.ClosedLoop)
{
    return await FiguresBenchmark.RunAsync(options);
}

var dataDirectory = Directory.CreateTempSubdirectory("routed-email-bench-").FullName;
try
{
    var serverAssembly = ServerProcess.FindServerAssembly();
    await using var server = await ServerProcess.StartAsync(dataDirectory, options.ServerSettings, serverAssembly);
    using var http = server.CreateClient();
    var tenant = await TenantClient.CreateTenantAsync(http, ServerProcess.AdminToken, "bench", "prod");
    var load = new ClosedLoopLoad(
        [new TenantClient(http, tenant)], options.Workers, CpuMeter.ForProcesses([server.ProcessId]));

    Report.PrintHeader(options, serverAssembly);
    var errors = 0L;
    foreach (var batchSize in options.BatchSizes)
    {
        if (options.Warmup > TimeSpan.Zero)
        {
            errors += (await load.RunAsync(batchSize, options.Warmup)).Errors;
        }

        var result = await load.RunAsync(batchSize, options.Duration);
        errors += result.Errors;
        Report.PrintRow(result);
    }

    if (errors > 0)
    {
        Console.Error.WriteLine(
        $"{errors} requests failed or returned something other than 200 SUCCESS, so the figures are not valid.");
        return 1;
    }

    return 0;
}
catch (Exception exception) when (exception is InvalidOperationException or HttpRequestException)
{
    // The server failed to start or to set up the tenant; the message contains its output or response.
    Console.Error.WriteLine(exception.Message);
    return 1;
}
finally
{
    Directory.Delete(dataDirectory, recursive: true);
}

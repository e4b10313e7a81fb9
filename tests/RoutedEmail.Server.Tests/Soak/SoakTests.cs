using RoutedEmail.Server.Tests.Crash;
using RoutedEmail.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RoutedEmail.Server.Tests.Soak;

/// <summary>
/// The bounded soak: the built server runs as a child process under steady ingest, hub agents and API reads, while
/// its memory, file descriptors, threads, database size and latencies are sampled from outside. The suite runs it
/// for 2 minutes at 20 emails/s; <c>scripts/soak</c> runs it for longer through the variables of
/// <see cref="SoakSettings"/>.
/// </summary>
/// <remarks>
/// In the suite the p99 check is reported but does not fail the test, because a shared 2-core machine delays single
/// requests by more than the latencies measured here. <c>scripts/soak</c> enforces it.
/// </remarks>
[Collection(nameof(CrashCollection))]
public sealed class SoakTests(ITestOutputHelper output)
{
    [SoakFact]
    public async Task Soak_SteadyTraffic_ResourcesStayFlat()
    {
        var settings = SoakSettings.FromEnvironment();
        var store = TestStore.IsPostgres ? "PostgreSQL" : "SQLite";
        var dataDirectory = Directory.CreateTempSubdirectory("routed-email-soak-").FullName;
        var passed = false;
        try
        {
            var serverSettings = new Dictionary<string, string> { ["Logging:LogLevel:Default"] = "Warning" };
            string? connectionString = null;
            if (TestStore.IsPostgres)
            {
                connectionString = await TestStore.ConnectionStringForAsync(dataDirectory);
                serverSettings["Storage:Provider"] = "Postgres";
                serverSettings["Storage:ConnectionString"] = connectionString;
            }

            await using var server = await ServerProcess.StartAsync(dataDirectory, serverSettings);
            var sampler = new ProcessSampler(server.ProcessId, dataDirectory, connectionString);
            output.WriteLine(SoakReport.Header);
            var result = await SoakRun.RunAsync(settings, server, sampler, output.WriteLine);

            var checks = SoakChecks.Evaluate(result);
            var report = SoakReport.Format(result, checks, store);
            output.WriteLine(report);
            if (settings.ResultsPath is not null)
            {
                await File.WriteAllTextAsync(settings.ResultsPath, report);
            }

            var failed = checks.Where(check => check.Enforced && !check.Passed).ToList();
            Assert.True(failed.Count == 0,
                "Soak checks failed: " + string.Join("; ", failed.Select(check => $"{check.Name}: {check.Detail}")) +
                $". Server output:\n{server.RecentOutput}");
            passed = true;
        }
        finally
        {
            if (passed)
            {
                await TestStore.DropAsync(dataDirectory);
                Directory.Delete(dataDirectory, recursive: true);
            }
            else
            {
                output.WriteLine($"The data directory {dataDirectory} is kept for inspection.");
            }
        }
    }
}

/// <summary>
/// The soak test's attribute. It runs in the SQLite pass of the suite, and is skipped in the PostgreSQL pass unless
/// <c>scripts/soak --store Postgres</c> (or <see cref="SoakSettings.MinutesVariable"/>) asked for the run, so the
/// suite spends 2 minutes on it, not 4.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SoakFactAttribute : FactAttribute
{
    public SoakFactAttribute()
    {
        if (TestStore.IsPostgres && !SoakSettings.Requested)
        {
            Skip = $"The suite soaks SQLite only; set {SoakSettings.MinutesVariable} or run scripts/soak " +
                "--store Postgres to soak PostgreSQL.";
        }
    }
}

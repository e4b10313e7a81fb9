using System.Diagnostics;
using System.Net;
using RoutedEmail.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RoutedEmail.Server.Tests.Crash;

/// <summary>
/// Stops the PostgreSQL server under a running node: ingest must return 503 in the ingest error shape with a
/// <c>Retry-After</c>, <c>/healthz</c> must report not ready, and once PostgreSQL runs again the same node process
/// must recover by itself and keep every acknowledged email.
/// </summary>
/// <remarks>
/// The test starts a cluster of its own, because it stops it; the shared cluster of the run is never stopped. It needs
/// the PostgreSQL binaries but no <c>ROUTED_EMAIL_TEST_STORE</c>, so it runs in the SQLite pass of the suite.
/// </remarks>
[Collection(nameof(CrashCollection))]
public sealed class DatabaseDownTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task Postgres_ServerStopped_503ThenRecoversWithoutRestart()
    {
        await using var cluster = await ThrowawayPostgres.StartAsync();
        var dataDirectory = Directory.CreateTempSubdirectory("routed-email-database-down-").FullName;
        var settings = new Dictionary<string, string>
        {
            ["Storage:Provider"] = "Postgres",
            ["Storage:ConnectionString"] = cluster.ConnectionString,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        try
        {
            await using var server = await ServerProcess.StartAsync(dataDirectory, settings);
            using var http = server.CreateClient();
            var tenant = await TenantClient.CreateTenantAsync(http, ServerProcess.AdminToken, "database-down", "prod");
            var client = new TenantClient(http, tenant);
            string[] before = ["before-1", "before-2", "before-3"];
            using (var response = await client.IngestAsync(client.BuildBody(before)))
            {
                await IngestAssert.SucceededAsync(response);
            }

            await cluster.StopServerAsync();

            using (var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
                Assert.Equal(TimeSpan.FromSeconds(5), health.Headers.RetryAfter?.Delta);
            }

            using (var ingest = await client.IngestAsync(client.BuildBody(["during-outage"])))
            {
                var message = await IngestAssert.RejectedAsync(ingest, HttpStatusCode.ServiceUnavailable);
                Assert.Contains("nothing of the request was stored", message, StringComparison.Ordinal);
                Assert.Equal(TimeSpan.FromSeconds(5), ingest.Headers.RetryAfter?.Delta);
            }

            await cluster.StartServerAsync();
            var recovery = Stopwatch.StartNew();
            await WaitUntilHealthyAsync(http);
            output.WriteLine($"/healthz returned 200 {recovery.ElapsedMilliseconds} ms after PostgreSQL started.");
            using (var response = await client.IngestAsync(client.BuildBody(["after-outage"])))
            {
                await IngestAssert.SucceededAsync(response);
            }

            // The requests above went to the first process's address, and that process still runs, so it recovered
            // without a restart.
            using (var process = Process.GetProcessById(server.ProcessId))
            {
                Assert.False(process.HasExited, "The server process exited during the outage.");
            }

            foreach (var entityId in before.Append("after-outage"))
            {
                Assert.True(await client.FindEmailAsync(entityId) is not null,
                    $"{entityId} was acknowledged but is not found after PostgreSQL came back.");
            }

            Assert.Null(await client.FindEmailAsync("during-outage"));
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static async Task WaitUntilHealthyAsync(HttpClient http)
    {
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            using var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
            if (health.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            Assert.True(elapsed.Elapsed < RecoveryTimeout,
                $"/healthz still returns {(int)health.StatusCode} {RecoveryTimeout.TotalSeconds} s after PostgreSQL " +
                "started again; expected the node to recover without a restart.");
            await Task.Delay(200);
        }
    }
}

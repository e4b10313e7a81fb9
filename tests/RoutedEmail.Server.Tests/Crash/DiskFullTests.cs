using System.Diagnostics;
using System.Net;
using RoutedEmail.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RoutedEmail.Server.Tests.Crash;

/// <summary>
/// Runs the server on SQLite with its data directory on a small tmpfs that the test fills: ingest must return 503 in
/// the ingest error shape with a <c>Retry-After</c>, keep every acknowledged email, and succeed again by itself once
/// the space returns, without a restart.
/// </summary>
[Collection(nameof(CrashCollection))]
public sealed class DiskFullTests(ITestOutputHelper output)
{
    // Room for the migrated database and its write-ahead log; the test fills the rest.
    private const long TmpfsBytes = 32L * 1024 * 1024;

    private const int BatchesBeforeFull = 20;
    private const int MaxBatchesUntilFull = 5000;
    private const int BatchesWhileFull = 20;
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(30);

    [TmpfsFact]
    public async Task Ingest_DiskFull_503ThenRecoversWithoutRestart()
    {
        await using var tmpfs = await TmpfsMount.CreateAsync(TmpfsBytes);
        var dataDirectory = Directory.CreateDirectory(Path.Combine(tmpfs.Path, "data")).FullName;
        var settings = new Dictionary<string, string> { ["Logging:LogLevel:Default"] = "Warning" };
        await using var server = await ServerProcess.StartAsync(dataDirectory, settings);
        using var http = server.CreateClient();
        var tenant = await TenantClient.CreateTenantAsync(http, ServerProcess.AdminToken, "disk-full", "prod");
        var client = new TenantClient(http, tenant);
        var acknowledged = new List<string>();

        for (var batch = 0; batch < BatchesBeforeFull; batch++)
        {
            var entityIds = Enumerable.Range(0, 10).Select(item => $"before-b{batch}-i{item}").ToArray();
            using var response = await client.IngestAsync(client.BuildBody(entityIds));
            await IngestAssert.SucceededAsync(response);
            acknowledged.AddRange(entityIds);
        }

        var filled = tmpfs.Fill();
        output.WriteLine($"Filled the {TmpfsBytes} byte tmpfs with {filled} bytes.");
        var (full, batches) = await IngestUntilRejectedAsync(client, acknowledged);
        Assert.True(full is not null,
            $"Ingest still succeeded after {MaxBatchesUntilFull} batches on a full file system; expected 503.");
        output.WriteLine($"The first 503 came after {batches} acknowledged batches.");
        await AssertUnavailableAsync(full!);

        // Further batches while the disk stays full get 503 or, when freed pages suffice, success, never another error.
        for (var i = 0; i < BatchesWhileFull; i++)
        {
            var entityIds = new[] { $"full-{i}" };
            using var response = await client.IngestAsync(client.BuildBody(entityIds));
            var body = await response.Content.ReadAsStringAsync();
            if (body == TenantClient.SuccessBody)
            {
                acknowledged.AddRange(entityIds);
                continue;
            }

            await AssertUnavailableAsync(response);
        }

        // Reads need no space, so the node stays in the balancer and serves them; only writes get 503. The probe
        // still gives the monitor the reason.
        using (var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            var report = await health.Content.ReadAsStringAsync();
            Assert.StartsWith("Degraded: ", report, StringComparison.Ordinal);
            Assert.Contains("disk is full", report, StringComparison.Ordinal);
        }

        // Every 503 above failed the same way. The first is logged with its stack trace, the others are counted
        // into the next one logged, at most one a minute, and the storage layer leaves them to the server.
        var logged = server.RecentOutput.Split('\n').Count(line => line.Contains("[4007]", StringComparison.Ordinal));
        Assert.InRange(logged, 1, 2);
        Assert.DoesNotContain("[1101]", server.RecentOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("[1102]", server.RecentOutput, StringComparison.Ordinal);

        await AssertStoredAsync(client, acknowledged, "while the disk is full");
        tmpfs.Free();
        var recoveredAfter = await IngestUntilAcknowledgedAsync(client, "after-free-1");
        acknowledged.Add("after-free-1");
        output.WriteLine($"Ingest succeeded again {recoveredAfter.TotalMilliseconds:F0} ms after the space returned.");
        await AssertStoredAsync(client, acknowledged, "after the space returned");

        // The acknowledged emails must be in the database files, not only in the memory of the process that
        // acknowledged them.
        server.Kill();
        await using var restarted = await ServerProcess.StartAsync(dataDirectory, settings);
        using var restartedHttp = restarted.CreateClient();
        await AssertStoredAsync(new TenantClient(restartedHttp, tenant), acknowledged, "after a restart");
    }

    private static async Task<(HttpResponseMessage? Full, int Batches)> IngestUntilRejectedAsync(
        TenantClient client, List<string> acknowledged)
    {
        for (var batch = 0; batch < MaxBatchesUntilFull; batch++)
        {
            var entityIds = Enumerable.Range(0, 10).Select(item => $"fill-b{batch}-i{item}").ToArray();
            var response = await client.IngestAsync(client.BuildBody(entityIds));
            var body = await response.Content.ReadAsStringAsync();
            if (body != TenantClient.SuccessBody)
            {
                return (response, batch);
            }

            response.Dispose();
            acknowledged.AddRange(entityIds);
        }

        return (null, MaxBatchesUntilFull);
    }

    private static async Task AssertUnavailableAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var message = await IngestAssert.RejectedAsync(response, HttpStatusCode.ServiceUnavailable);
            Assert.Contains("nothing of the request was stored", message, StringComparison.Ordinal);
            Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        }
    }

    // Re-sends one batch, as a client honouring Retry-After would, until it is acknowledged.
    private static async Task<TimeSpan> IngestUntilAcknowledgedAsync(TenantClient client, string entityId)
    {
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            using var response = await client.IngestAsync(client.BuildBody([entityId]));
            var body = await response.Content.ReadAsStringAsync();
            if (body == TenantClient.SuccessBody)
            {
                return elapsed.Elapsed;
            }

            Assert.True(elapsed.Elapsed < RecoveryTimeout,
                $"Ingest still returns {(int)response.StatusCode} {body} {RecoveryTimeout.TotalSeconds} s after " +
                "the space returned; expected the service to recover by itself.");
            await Task.Delay(200);
        }
    }

    private static async Task AssertStoredAsync(TenantClient client, List<string> acknowledged, string when)
    {
        var missing = new List<string>();
        foreach (var entityId in acknowledged)
        {
            if (await client.FindEmailAsync(entityId) is null)
            {
                missing.Add(entityId);
            }
        }

        Assert.True(missing.Count == 0,
            $"{missing.Count} of {acknowledged.Count} acknowledged entity ids are not found {when}, such as " +
            string.Join(", ", missing.Take(5)));
    }
}

using System.Net;
using System.Net.Http.Json;
using Npgsql;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

/// <summary>
/// A node whose PostgreSQL server cannot be reached, at start or later, returns 503 meanwhile and recovers by itself
/// once the server can be reached. It runs against PostgreSQL in both runs of the suite.
/// </summary>
public sealed class StartupUnavailableTests
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task Postgres_UnreachableAtStart_503ThenReady()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("routed-email-test-").FullName;
        var database = new NpgsqlConnectionStringBuilder(await TestStore.ConnectionStringForAsync(dataDirectory));
        await using var proxy = LoopbackProxy.Reserve(database.Port);
        database.Port = proxy.Port;
        var settings = new Dictionary<string, string>
        {
            ["Storage:Provider"] = "Postgres",
            ["Storage:ConnectionString"] = database.ConnectionString,
        };
        try
        {
            // A start that waited for the database would never return, so the wait is bounded.
            await using var server = await TestServer.StartAsync(dataDirectory, settings: settings)
                .WaitAsync(TimeSpan.FromSeconds(30));
            using var client = server.CreateClient();

            using var health = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
            using var admin = await server.Admin.GetAsync(new Uri("/api/v1/tenants", UriKind.Relative));

            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, admin.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(5), admin.Headers.RetryAfter?.Delta);
            proxy.Start();
            await WaitUntilReadyAsync(client);
            using var created = await server.Admin.PostAsJsonAsync("/api/v1/tenants",
                new { companyCode = "late-start", environment = "prod", secretsRegion = "us-east-1" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        finally
        {
            await TestStore.DropAsync(dataDirectory);
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Postgres_UnreachableAfterStart_503ThenRecovers()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("routed-email-test-").FullName;
        var database = new NpgsqlConnectionStringBuilder(await TestStore.ConnectionStringForAsync(dataDirectory));
        await using var proxy = LoopbackProxy.Reserve(database.Port);
        database.Port = proxy.Port;
        var settings = new Dictionary<string, string>
        {
            ["Storage:Provider"] = "Postgres",
            ["Storage:ConnectionString"] = database.ConnectionString,
        };
        proxy.Start();
        try
        {
            await using var server = await TestServer.StartAsync(dataDirectory, settings: settings);
            var scenario = await Scenario.CreateAsync(server);
            using var client = server.CreateClient();
            await proxy.StopAsync();

            using var health = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
            using var admin = await server.Admin.GetAsync(new Uri(scenario.TenantPath, UriKind.Relative));
            using var ingest = await scenario.IngestAsync(Scenario.Body(scenario.Item("e-outage")));

            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(5), health.Headers.RetryAfter?.Delta);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, admin.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(5), admin.Headers.RetryAfter?.Delta);
            Assert.Contains("cannot reach its database", await admin.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ingest.StatusCode);
            var body = await ingest.Content.ReadFromJsonAsync<IngestErrorBody>();
            Assert.Equal("ERROROCCURRED", body!.ResponseEnum);
            Assert.Contains("nothing of the request was stored", body.ErrorMessage);

            proxy.Start();
            await WaitUntilReadyAsync(client);
            await scenario.IngestAcceptedAsync(scenario.Item("e-after"));
            Assert.Null(await scenario.FindEmailAsync("e-outage"));
        }
        finally
        {
            await TestStore.DropAsync(dataDirectory);
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private sealed record IngestErrorBody(string ResponseEnum, string ErrorMessage);

    /// <summary>Polls <c>/healthz</c> until it returns 200. The migrator's retries back off up to 30 seconds.</summary>
    private static async Task WaitUntilReadyAsync(HttpClient client)
    {
        using var timeout = new CancellationTokenSource(ReadyTimeout);
        while (true)
        {
            using var health = await client.GetAsync(new Uri("/healthz", UriKind.Relative), CancellationToken.None);
            if (health.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            try
            {
                await Task.Delay(100, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"/healthz still answers {(int)health.StatusCode} after {ReadyTimeout.TotalSeconds} s.");
            }
        }
    }
}

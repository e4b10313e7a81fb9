using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RoutedEmail.Server.Tests.Infrastructure;
using RoutedEmail.Storage.Sql;
using RoutedEmail.Storage.Sqlite;

namespace RoutedEmail.Server.Tests;

/// <summary>
/// The liveness probe <c>/livez</c>, which never touches the database, and the readiness probe <c>/healthz</c>, which
/// fails while the database cannot be used or lacks a migration.
/// </summary>
public sealed class HealthProbeTests
{
    [Fact]
    public async Task Livez_Started_Returns200()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();

        using var response = await client.GetAsync(new Uri("/livez", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// A node whose PostgreSQL server cannot be reached at start is alive but not ready. It runs against PostgreSQL in
    /// both runs of the suite, as the other start-up tests do.
    /// </summary>
    [Fact]
    public async Task Livez_PostgresUnreachableAtStart_200WhileHealthz503()
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
            await using var server = await TestServer.StartAsync(dataDirectory, settings: settings)
                .WaitAsync(TimeSpan.FromSeconds(30));
            using var client = server.CreateClient();

            using var live = await client.GetAsync(new Uri("/livez", UriKind.Relative));
            using var ready = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
            using var metrics = await client.GetAsync(new Uri("/metrics", UriKind.Relative));

            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Equal("Unhealthy: Storage is not initialized yet.", await ready.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        }
        finally
        {
            await TestStore.DropAsync(dataDirectory);
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    /// <summary>
    /// The database file is replaced by a folder and the idle pooled connections are closed, so every new connection
    /// fails to open it, as when the file system is gone. Putting the file back makes the node ready again.
    /// </summary>
    [SqliteFact]
    public async Task Healthz_SqliteFileUnavailable_503ThenRecovers()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        var file = Path.Combine(server.DataDirectory, SqliteDatabase.FileName);
        var away = file + ".away";
        File.Move(file, away);
        Directory.CreateDirectory(file);
        SqliteConnection.ClearAllPools();
        try
        {
            using var ready = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
            using var live = await client.GetAsync(new Uri("/livez", UriKind.Relative));

            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(5), ready.Headers.RetryAfter?.Delta);
            Assert.Equal("Unhealthy: The database is unavailable.", await ready.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }
        finally
        {
            Directory.Delete(file);
            File.Move(away, file);
            SqliteConnection.ClearAllPools();
        }

        using var recovered = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
    }

    [Fact]
    public async Task Healthz_MigrationNotRecorded_503NamesCount()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        using (var connection = server.Services.GetRequiredService<SqlDatabase>().Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText =
                "DELETE FROM schemaversions WHERE scriptname = (SELECT MAX(scriptname) FROM schemaversions)";
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        using var ready = await client.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var body = await ready.Content.ReadAsStringAsync();
        Assert.Matches(@"^Unhealthy: The database records (\d+) of this build's \d+ migration scripts\.", body);
    }
}

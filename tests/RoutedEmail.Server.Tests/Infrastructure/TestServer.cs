using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace RoutedEmail.Server.Tests.Infrastructure;

/// <summary>
/// The real service on Kestrel at a free loopback port, with its own data directory and its own database in the
/// store that <see cref="TestStore"/> selects. Each test creates its own server, so no test depends on another's
/// data.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    public const string AdminToken = "test-admin-token-0123456789abcdef0123456789";

    private readonly WebApplication _app;
    private readonly bool _ownsDirectory;

    private TestServer(
        WebApplication app, string dataDirectory, bool ownsDirectory, FakeTimeProvider? time, string adminToken)
    {
        _app = app;
        _ownsDirectory = ownsDirectory;
        DataDirectory = dataDirectory;
        Time = time;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.Single();
        BaseAddress = new Uri(address);
        Admin = CreateClient();
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
    }

    public Uri BaseAddress { get; }

    public string DataDirectory { get; }

    /// <summary>The fake clock when the server was started with one, otherwise null.</summary>
    public FakeTimeProvider? Time { get; }

    /// <summary>A client that sends the admin token.</summary>
    public HttpClient Admin { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a server. Pass a data directory to restart on the files of an earlier server.</summary>
    /// <param name="dataDirectory">An existing data directory, or null for a new temporary one.</param>
    /// <param name="time">A fake clock for the service, or null for the system clock.</param>
    /// <param name="settings">Configuration keys such as <c>Ingest:IdempotencyWindow</c> and their values.</param>
    /// <param name="adminToken">
    /// The <c>Admin:Token</c> setting, or null to leave it unset so that the service generates the token file; the
    /// <see cref="Admin"/> client then sends the file's token.
    /// </param>
    /// <param name="services">Changes to the service's registrations, applied after its own.</param>
    public static async Task<TestServer> StartAsync(
        string? dataDirectory = null, FakeTimeProvider? time = null, IDictionary<string, string>? settings = null,
        string? adminToken = AdminToken, Action<IServiceCollection>? services = null)
    {
        SuiteLog.RegisterSecret(adminToken, "admin token");
        var ownsDirectory = dataDirectory is null;
        dataDirectory ??= Directory.CreateTempSubdirectory("routed-email-test-").FullName;
        var args = new List<string>
        {
            "--urls", "http://127.0.0.1:0",
            "--Storage:DataDirectory", dataDirectory,
        };
        args.AddRange(await TestStore.SettingsForAsync(dataDirectory));
        if (adminToken is not null)
        {
            args.AddRange(["--Admin:Token", adminToken]);
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            args.Add($"--{key}");
            args.Add(value);
        }

        var app = RoutedEmailApp.Build([.. args], builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            SuiteLog.AddTo(builder.Logging);
            if (time is not null)
            {
                builder.Services.AddSingleton<TimeProvider>(time);
            }

            services?.Invoke(builder.Services);
        });
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            await DeleteDirectoryAsync(dataDirectory, ownsDirectory);
            throw;
        }

        adminToken ??= (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "admin-token"))).Trim();
        SuiteLog.RegisterSecret(adminToken, "admin token");
        return new TestServer(app, dataDirectory, ownsDirectory, time, adminToken);
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress };

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await DeleteDirectoryAsync(DataDirectory, _ownsDirectory);
    }

    private static async Task DeleteDirectoryAsync(string dataDirectory, bool ownsDirectory)
    {
        if (ownsDirectory)
        {
            await TestStore.DropAsync(dataDirectory);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}

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
/// The real service on Kestrel at a free loopback port, with its own SQLite data directory. Each test creates its
/// own server, so no test depends on another's data.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    public const string AdminToken = "test-admin-token-0123456789abcdef0123456789";

    private readonly WebApplication _app;
    private readonly bool _ownsDirectory;

    private TestServer(WebApplication app, string dataDirectory, bool ownsDirectory, FakeTimeProvider? time)
    {
        _app = app;
        _ownsDirectory = ownsDirectory;
        DataDirectory = dataDirectory;
        Time = time;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.Single();
        BaseAddress = new Uri(address);
        Admin = CreateClient();
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
    }

    public Uri BaseAddress { get; }

    public string DataDirectory { get; }

    /// <summary>The fake clock when the server was started with one, otherwise null.</summary>
    public FakeTimeProvider? Time { get; }

    /// <summary>A client that sends the admin token.</summary>
    public HttpClient Admin { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a server. Pass a data directory to restart on the files of an earlier server.</summary>
    public static async Task<TestServer> StartAsync(
        string? dataDirectory = null, FakeTimeProvider? time = null, IDictionary<string, string>? settings = null)
    {
        var ownsDirectory = dataDirectory is null;
        dataDirectory ??= Directory.CreateTempSubdirectory("routed-email-test-").FullName;
        var args = new List<string>
        {
            "--urls", "http://127.0.0.1:0",
            "--Storage:DataDirectory", dataDirectory,
            "--Admin:Token", AdminToken,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            args.Add($"--{key}");
            args.Add(value);
        }

        var app = RoutedEmailApp.Build([.. args], builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            if (time is not null)
            {
                builder.Services.AddSingleton<TimeProvider>(time);
            }
        });
        await app.StartAsync();
        return new TestServer(app, dataDirectory, ownsDirectory, time);
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress };

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsDirectory)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}

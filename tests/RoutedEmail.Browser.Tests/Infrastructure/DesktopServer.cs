using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server;

namespace RoutedEmail.Browser.Tests.Infrastructure;

/// <summary>
/// The real service, built in process as <c>dotnet run</c> builds it, on a fixed loopback port with a SQLite file
/// in its own data directory. Stopping and starting again on the same directory and port is a server restart for
/// the desktop.
/// </summary>
public sealed class DesktopServer : IAsyncDisposable
{
    public const string AdminToken = "browser-test-admin-token-0123456789abcdef0123";

    private readonly FakeTimeProvider? _time;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private WebApplication? _app;

    private DesktopServer(
        string dataDirectory, int port, FakeTimeProvider? time, IReadOnlyDictionary<string, string>? settings)
    {
        DataDirectory = dataDirectory;
        Port = port;
        _time = time;
        _settings = settings ?? new Dictionary<string, string>();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        Admin = new HttpClient { BaseAddress = BaseAddress };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
    }

    public string DataDirectory { get; }

    public int Port { get; }

    public Uri BaseAddress { get; }

    /// <summary>A client that sends the admin token.</summary>
    public HttpClient Admin { get; }

    /// <summary>Starts a server on a new data directory and a free loopback port.</summary>
    /// <param name="time">A fake clock for the service, or null for the system clock.</param>
    /// <param name="settings">Configuration keys such as <c>Dashboard:SampleInterval</c> and their values.</param>
    public static async Task<DesktopServer> StartAsync(
        FakeTimeProvider? time = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        var directory = Directory.CreateTempSubdirectory("routed-email-browser-").FullName;
        var server = new DesktopServer(directory, FreePort(), time, settings);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the service on this server's data directory and port, after a stop.</summary>
    public async Task StartAgainAsync()
    {
        List<string> args =
        [
            "--urls", BaseAddress.ToString().TrimEnd('/'),
            "--Storage:Provider", "Sqlite",
            "--Storage:DataDirectory", DataDirectory,
            "--Admin:Token", AdminToken,
        ];
        foreach (var (key, value) in _settings)
        {
            args.AddRange(["--" + key, value]);
        }

        var app = RoutedEmailApp.Build([.. args], builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Warning);

            // NOTE: a stop with a desktop connected sometimes took the host's whole shutdown timeout (30 seconds by
            // default), probably because the desktop reconnected while the server stopped. This keeps tests short.
            builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(3));
            if (_time is not null)
            {
                builder.Services.AddSingleton<TimeProvider>(_time);
            }
        });
        await app.StartAsync();
        _app = app;
    }

    /// <summary>Stops the service and closes its connections; the data directory stays.</summary>
    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Admin.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(DataDirectory, recursive: true);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

using System.Globalization;
using RoutedEmail.Aws.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Crash;

/// <summary>
/// A PostgreSQL cluster of one test's own, made with <c>scripts/postgres start</c>, that the test may stop and start
/// again on the same port, unlike the shared cluster of the run. Disposing stops and deletes it; the script's watcher
/// also does so if the test process is killed first.
/// </summary>
internal sealed class ThrowawayPostgres : IAsyncDisposable
{
    private const string ConnectionStringExport = "ROUTED_EMAIL_TEST_POSTGRES";
    private const string DirectoryExport = "ROUTED_EMAIL_TEST_POSTGRES_DIR";

    private readonly string _script;
    private readonly string _directory;
    private readonly int _port;

    private ThrowawayPostgres(string script, string directory, string connectionString)
    {
        _script = script;
        _directory = directory;
        ConnectionString = connectionString;
        _port = int.Parse(File.ReadAllText(Path.Combine(directory, "port")).Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>The superuser's connection string to the cluster's <c>postgres</c> database.</summary>
    public string ConnectionString { get; }

    /// <summary>Creates and starts a cluster on a free loopback port.</summary>
    /// <exception cref="InvalidOperationException">The script failed; the message contains its output.</exception>
    public static async Task<ThrowawayPostgres> StartAsync()
    {
        var script = FindScript();
        var processId = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var result = await ExternalProcess.RunAsync("bash", [script, "start", "--stop-with", processId]);
        Check(result, "scripts/postgres start");
        var exports = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Trim())
            .Where(line => line.StartsWith("export ", StringComparison.Ordinal)
                && line.Contains('=', StringComparison.Ordinal))
            .ToDictionary(line => line["export ".Length..line.IndexOf('=', StringComparison.Ordinal)],
                line => line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim('\''), StringComparer.Ordinal);
        return new ThrowawayPostgres(script, exports[DirectoryExport], exports[ConnectionStringExport]);
    }

    /// <summary>
    /// Stops the server with a fast shutdown, which ends every open session, and waits until it is down.
    /// </summary>
    public async Task StopServerAsync() =>
        Check(await RunPgCtlAsync("--mode=fast", "--wait", "stop"), "pg_ctl stop");

    /// <summary>Starts the stopped server again on its port and waits until it accepts connections.</summary>
    public async Task StartServerAsync() =>
        Check(await RunPgCtlAsync("--log=" + Path.Combine(_directory, "server.log"), "--wait", "--timeout=60",
            "-o", "-p " + _port.ToString(CultureInfo.InvariantCulture), "start"), "pg_ctl start");

    /// <summary>Stops the cluster and deletes its directory.</summary>
    public async ValueTask DisposeAsync() =>
        Check(await ExternalProcess.RunAsync("bash", [_script, "stop", _directory]), "scripts/postgres stop");

    // scripts/postgres runs the server as the postgres user when this process is root, so pg_ctl must too. The
    // binaries are where the script finds them.
    private Task<ProcessResult> RunPgCtlAsync(params string[] arguments)
    {
        var binaries = Environment.GetEnvironmentVariable("PG_BIN") is { Length: > 0 } pgBin
            ? pgBin
            : "/usr/lib/postgresql/15/bin";
        var pgCtl = new List<string>
        {
            Path.Combine(binaries, "pg_ctl"),
            "--pgdata=" + Path.Combine(_directory, "data"),
        };
        pgCtl.AddRange(arguments);
        return Environment.IsPrivilegedProcess
            ? ExternalProcess.RunAsync("runuser", ["-u", "postgres", "--", .. pgCtl])
            : ExternalProcess.RunAsync(pgCtl[0], pgCtl.Skip(1));
    }

    private static void Check(ProcessResult result, string command)
    {
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{command} failed with exit code {result.ExitCode}: {result.StandardError}{result.StandardOutput}");
        }
    }

    private static string FindScript()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null;
             directory = directory.Parent)
        {
            var script = Path.Combine(directory.FullName, "scripts", "postgres");
            if (File.Exists(script))
            {
                return script;
            }
        }

        throw new InvalidOperationException($"No scripts/postgres was found above {AppContext.BaseDirectory}.");
    }
}

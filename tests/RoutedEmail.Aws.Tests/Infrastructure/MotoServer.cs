using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RoutedEmail.Aws.Tests.Infrastructure;

/// <summary>
/// A moto_server emulator process on a free 127.0.0.1 port, killed on dispose, on test process exit, and when the
/// test process dies without either (see <see cref="Script"/>).
/// </summary>
/// <remarks>
/// How moto 5.2 treats <c>INITIAL_NO_AUTH_ACTION_COUNT</c>, checked by hand against moto_server: the variable is
/// read from the environment at start, and no other <c>MOTO_*</c> setting is needed. Every service action (IAM,
/// STS and Secrets Manager calls alike) counts, whatever its outcome, and the count is global to the process.
/// Requests to <c>/moto-api/</c> do not count, so the readiness check spends none. The first N actions run
/// unchecked. From action N+1 on, moto recomputes each SigV4 signature with botocore and checks the caller's IAM
/// policies. It loads no AWS managed policies, so the user gets an inline policy. A wrong secret key gives
/// <c>SignatureDoesNotMatch</c> and an unknown key id <c>InvalidClientTokenId</c>, both as HTTP 403 with an XML
/// body even for JSON services. Moto does not check the signing time against its clock.
/// </remarks>
internal sealed class MotoServer : IAsyncDisposable
{
    public const string Region = "us-east-1";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    // The shell keeps our standard input open and moto's process id. When the test process closes that input, or
    // dies and the kernel closes it, the watcher's read returns and it stops moto. The shell exits with moto's
    // status once moto exits, for whatever reason, after stopping and reaping the watcher.
    private const string Script =
        """
        exec 3<&0
        moto_server -H 127.0.0.1 -p "$1" </dev/null &
        moto=$!
        ( read -r _ <&3; kill "$moto" 2>/dev/null ) &
        watcher=$!
        wait "$moto"
        status=$?
        kill "$watcher" 2>/dev/null
        wait "$watcher"
        exit "$status"
        """;

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private int _disposed;
    private volatile bool _stopped;

    private MotoServer(Process process, int port)
    {
        _process = process;
        Port = port;
        Endpoint = new Uri($"http://127.0.0.1:{port}/");
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    public int Port { get; }

    public Uri Endpoint { get; }

    /// <summary>
    /// True once the shell, and so moto, has exited, including after <see cref="DisposeAsync"/>.
    /// </summary>
    public bool HasExited => _stopped || _process.HasExited;

    /// <summary>
    /// Starts moto and waits until it responds. A port lost to another process is retried with a new one.
    /// </summary>
    /// <param name="initialNoAuthActionCount">The actions moto runs before it checks signatures, or null for
    /// never.</param>
    public static async Task<MotoServer> StartAsync(int? initialNoAuthActionCount)
    {
        for (var attempt = 1; ; attempt++)
        {
            var server = Launch(FreePort(), initialNoAuthActionCount);
            try
            {
                await server.WaitUntilReadyAsync();
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3 && server.HasExited)
            {
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>
    /// Starts moto on a given port, such as the port of an emulator that was stopped, so that clients configured
    /// with its endpoint reach the new one. Its state starts empty.
    /// </summary>
    public static async Task<MotoServer> StartOnPortAsync(int port, int? initialNoAuthActionCount)
    {
        var server = Launch(port, initialNoAuthActionCount);
        try
        {
            await server.WaitUntilReadyAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Stops moto through the watcher, and kills the whole process tree if it is not gone in 5 seconds.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        CloseStandardInput();
        using (var timeout = new CancellationTokenSource(StopTimeout))
        {
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Kill();
                await _process.WaitForExitAsync();
            }
        }

        _stopped = true;
        _process.Dispose();
    }

    private static MotoServer Launch(int port, int? initialNoAuthActionCount)
    {
        var startInfo = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // With sh -c, the word after the script becomes $0 and the port $1.
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(Script);
        startInfo.ArgumentList.Add("moto-server");
        startInfo.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));

        foreach (var (name, value) in ExternalProcess.IsolatedAwsEnvironment())
        {
            startInfo.Environment[name] = value;
        }

        if (initialNoAuthActionCount is { } count)
        {
            startInfo.Environment["INITIAL_NO_AUTH_ACTION_COUNT"] = count.ToString(CultureInfo.InvariantCulture);
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start /bin/sh.");
        var server = new MotoServer(process, port);
        process.OutputDataReceived += server.OnOutput;
        process.ErrorDataReceived += server.OnOutput;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    private async Task WaitUntilReadyAsync()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    $"moto_server on port {Port} exited with code {_process.ExitCode}: {Output()}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri(Endpoint, "moto-api/"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // No response yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException(
            $"moto_server on port {Port} did not answer within {StartTimeout.TotalSeconds} seconds: {Output()}");
    }

    private void CloseStandardInput()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The shell has already exited and closed its end.
        }
    }

    private void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // The process has already exited.
        }
    }

    // The test process is exiting, so there is no time to wait for a graceful stop.
    private void OnProcessExit(object? sender, EventArgs e)
    {
        CloseStandardInput();
        Kill();
    }

    private void OnOutput(object sender, DataReceivedEventArgs e)
    {
        lock (_output)
        {
            _output.AppendLine(e.Data);
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

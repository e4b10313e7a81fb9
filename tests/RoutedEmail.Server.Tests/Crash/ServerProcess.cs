using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace RoutedEmail.Server.Tests.Crash;

/// <summary>
/// The built server running as a child process (<c>dotnet RoutedEmail.Server.dll</c>) on a free loopback port, with
/// a data directory that the caller owns, so a later process can restart on the same files. Disposing kills the
/// process if it still runs, so a failed test leaves no server behind.
/// </summary>
/// <remarks>The benchmark project compiles this file too, so it uses nothing from xunit.</remarks>
internal sealed class ServerProcess : IAsyncDisposable
{
    /// <summary>The admin token of every child process. The server rejects tokens shorter than 32 characters.</summary>
    public const string AdminToken = "crash-admin-token-0123456789abcdef0123456789";

    private const string ServerAssemblyName = "RoutedEmail.Server.dll";
    private const string ListeningMarker = "Now listening on: ";
    private const int OutputLinesKept = 200;

    // Children still running, killed when this process exits normally or on SIGTERM.
    // NOTE: a SIGKILL of this process, such as a test host killed on a hang timeout, leaves its children running.
    private static readonly ConcurrentDictionary<ServerProcess, bool> Running = new();

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _openStreams = 2;

    static ServerProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var server in Running.Keys)
            {
                server.Kill();
            }
        };
    }

    private ServerProcess(Process process, string dataDirectory)
    {
        _process = process;
        DataDirectory = dataDirectory;
    }

    /// <summary>The data directory the process was started with.</summary>
    public string DataDirectory { get; }

    /// <summary>The loopback address the server listens on, read from its "Now listening on:" log line.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The operating system id of the child process.</summary>
    public int ProcessId => _process.Id;

    /// <summary>The last lines the process wrote to standard output and standard error, for failure messages.</summary>
    public string RecentOutput => string.Join(Environment.NewLine, _output);

    /// <summary>
    /// Completes once standard output and standard error have both ended, so every line the process wrote has been
    /// passed to <see cref="OutputReceived"/>.
    /// </summary>
    public Task OutputClosed => _outputClosed.Task;

    /// <summary>
    /// Raised with each line of standard output or standard error, on the thread that reads that stream. A handler
    /// that blocks delays the lines after it.
    /// </summary>
    public event Action<string>? OutputReceived;

    /// <summary>
    /// Starts the server on <c>http://127.0.0.1:0</c> and waits until it listens and <c>/healthz</c> returns 200.
    /// </summary>
    /// <param name="dataDirectory">
    /// The SQLite data directory. Pass an earlier process's directory to restart on it.
    /// </param>
    /// <param name="settings">
    /// Extra configuration keys and values, such as <c>Logging:LogLevel:Default</c>, passed as arguments. A
    /// <c>urls</c> entry replaces the free port, such as to restart on the port of an earlier process.
    /// </param>
    /// <param name="serverAssembly">The server's dll; by default <see cref="FindServerAssembly"/> locates it.</param>
    /// <param name="startTimeout">How long to wait for the server to be ready. The default is 60 seconds.</param>
    /// <exception cref="InvalidOperationException">The process exited or was not ready in time. The message
    /// contains its last output.</exception>
    public static async Task<ServerProcess> StartAsync(
        string dataDirectory, IReadOnlyDictionary<string, string>? settings = null, string? serverAssembly = null,
        TimeSpan? startTimeout = null)
    {
        serverAssembly ??= FindServerAssembly();
        var info = new ProcessStartInfo(FindDotnetHost())
        {
            // The content root is the working directory, so the server reads the appsettings.json beside its dll.
            WorkingDirectory = Path.GetDirectoryName(serverAssembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(serverAssembly);
        AddSetting(info, "urls", "http://127.0.0.1:0");
        AddSetting(info, "Storage:DataDirectory", dataDirectory);
        AddSetting(info, "Admin:Token", AdminToken);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            AddSetting(info, key, value);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new ServerProcess(process, dataDirectory);
        process.OutputDataReceived += (_, line) => server.OnOutput(line.Data);
        process.ErrorDataReceived += (_, line) => server.OnOutput(line.Data);
        process.Exited += (_, _) => server._listening.TrySetException(new InvalidOperationException(
            $"The server process exited with code {process.ExitCode} before it listened.{server.OutputForMessage()}"));

        process.Start();
        Running.TryAdd(server, true);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilReadyAsync(startTimeout ?? TimeSpan.FromSeconds(60));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>
    /// Locates the server's dll built in the same configuration as the running assembly: first in
    /// <c>src/RoutedEmail.Server/bin/&lt;configuration&gt;/&lt;framework&gt;</c> of the repository, then beside the
    /// running assembly, where a project reference copies it.
    /// </summary>
    /// <exception cref="FileNotFoundException">Neither place contains the dll.</exception>
    public static string FindServerAssembly()
    {
        var baseDirectory = new DirectoryInfo(AppContext.BaseDirectory);
        var framework = baseDirectory.Name;
        var configuration = baseDirectory.Parent?.Name ?? "Debug";
        var candidates = new List<string>();
        for (var directory = baseDirectory; directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RoutedEmail.slnx")))
            {
                candidates.Add(Path.Combine(directory.FullName, "src", "RoutedEmail.Server", "bin", configuration,
                    framework, ServerAssemblyName));
                break;
            }
        }

        candidates.Add(Path.Combine(baseDirectory.FullName, ServerAssemblyName));
        return candidates.FirstOrDefault(File.Exists) ?? throw new FileNotFoundException(
            $"{ServerAssemblyName} was not found in {string.Join(" or ", candidates)}. Build the solution in the " +
            $"{configuration} configuration first.");
    }

    /// <summary>Creates a client for this process's base address that gives up on a request after 30 seconds.</summary>
    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>
    /// Kills the process with SIGKILL (on Windows, TerminateProcess), so it gets no chance to flush or shut down, and
    /// waits until it is gone. Does nothing if it has already exited.
    /// </summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            _process.WaitForExit(TimeSpan.FromSeconds(30));
        }
        catch (InvalidOperationException)
        {
            // The process was never started or has already been disposed, so there is nothing left to kill.
        }

        Running.TryRemove(this, out _);
    }

    /// <summary>
    /// Sends SIGKILL and returns at once, without waiting for the process to end. Unlike <see cref="Kill"/>, an
    /// <see cref="OutputReceived"/> handler may call it, because it does not wait for the output to end.
    /// </summary>
    public void SendKill()
    {
        try
        {
            _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // The process has already exited or been disposed.
        }
    }

    /// <summary>Kills the process if it still runs. The data directory stays, because the caller owns it.</summary>
    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private static void AddSetting(ProcessStartInfo info, string key, string value)
    {
        info.ArgumentList.Add("--" + key);
        info.ArgumentList.Add(value);
    }

    // The dotnet host that runs this process when there is one, so the child uses the same runtime.
    private static string FindDotnetHost()
    {
        var current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet")
        {
            return current;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath
            ? hostPath
            : "dotnet";
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            // A null line marks the end of one of the two streams.
            if (Interlocked.Decrement(ref _openStreams) == 0)
            {
                _outputClosed.TrySetResult();
            }

            return;
        }

        OutputReceived?.Invoke(line);
        _output.Enqueue(line);
        while (_output.Count > OutputLinesKept && _output.TryDequeue(out _))
        {
        }

        var marker = line.IndexOf(ListeningMarker, StringComparison.Ordinal);
        var address = marker >= 0 ? line[(marker + ListeningMarker.Length)..].Trim() : null;
        if (Uri.TryCreate(address, UriKind.Absolute, out var url))
        {
            _listening.TrySetResult(url);
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            BaseAddress = await _listening.Task.WaitAsync(deadline.Token);
            using var client = CreateClient();
            while (true)
            {
                using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative), deadline.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                await Task.Delay(50, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new InvalidOperationException(
                $"The server process timed out: it was not ready within {timeout.TotalSeconds} seconds." +
                OutputForMessage());
        }
    }

    private string OutputForMessage() =>
        $"{Environment.NewLine}Its last output:{Environment.NewLine}{RecentOutput}";
}

using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Hosting;

/// <summary>
/// Migrates the store and loads the admin token before anything else starts, and signals to health checks and
/// background services when the service is ready.
/// </summary>
/// <remarks>
/// A quick start (SQLite, or a reachable PostgreSQL) finishes inside <see cref="StartAsync"/>, so a bad setting
/// stops the start with its error. A start that takes longer, such as PostgreSQL retrying an unreachable server,
/// goes on in the background. The host starts listening, <c>/healthz</c> and every other request get 503 until the
/// store is ready, and a later failure stops the service with exit code 1.
/// </remarks>
internal sealed partial class StartupGate(
    IStorageInitializer storage, AdminToken adminToken, IHostApplicationLifetime lifetime, TimeProvider time,
    ILogger<StartupGate> logger) : IHostedService, IDisposable
{
    // How long the host waits for the store before it starts listening anyway.
    private static readonly TimeSpan QuickStart = TimeSpan.FromSeconds(2);

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();

    public bool IsReady => _ready.Task.IsCompletedSuccessfully;

    public Task WaitAsync(CancellationToken cancellationToken) => _ready.Task.WaitAsync(cancellationToken);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var initialization = InitializeAsync(_stopping.Token);
        var quickStart = Task.Delay(QuickStart, time, cancellationToken);
        if (await Task.WhenAny(initialization, quickStart) == initialization)
        {
            await initialization;
            return;
        }

        Log.StillStarting(logger, storage.DataDirectory);
        _ = FinishInBackgroundAsync(initialization);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        return Task.CompletedTask;
    }

    public void Dispose() => _stopping.Dispose();

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await storage.InitializeAsync(cancellationToken);
            adminToken.Initialize();
            _ready.SetResult();
            Log.Ready(logger, storage.DataDirectory);
        }
        catch (Exception exception)
        {
            _ready.TrySetException(exception);
            throw;
        }
    }

    private async Task FinishInBackgroundAsync(Task initialization)
    {
        try
        {
            await initialization;
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The service stopped before the store was ready.
        }
        catch (Exception exception)
        {
            Log.StartFailed(logger, exception);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2101, LogLevel.Information, "Storage ready in data directory {DataDirectory}")]
        public static partial void Ready(ILogger logger, string dataDirectory);

        [LoggerMessage(2102, LogLevel.Warning,
            "Storage is not ready yet (data directory {DataDirectory}); the service answers 503 until it is")]
        public static partial void StillStarting(ILogger logger, string dataDirectory);

        [LoggerMessage(2103, LogLevel.Critical, "Storage failed to start; the service stops")]
        public static partial void StartFailed(ILogger logger, Exception exception);
    }
}

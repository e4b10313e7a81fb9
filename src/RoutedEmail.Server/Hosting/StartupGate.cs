using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Hosting;

/// <summary>
/// Migrates the store and loads the admin token before anything else starts, and signals to health checks and
/// background services when the service is ready.
/// </summary>
internal sealed partial class StartupGate(
    IStorageInitializer storage, AdminToken adminToken, ILogger<StartupGate> logger) : IHostedService
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsReady => _ready.Task.IsCompletedSuccessfully;

    public Task WaitAsync(CancellationToken cancellationToken) => _ready.Task.WaitAsync(cancellationToken);

    public async Task StartAsync(CancellationToken cancellationToken)
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

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(2101, LogLevel.Information, "Storage ready in data directory {DataDirectory}")]
        public static partial void Ready(ILogger logger, string dataDirectory);
    }
}

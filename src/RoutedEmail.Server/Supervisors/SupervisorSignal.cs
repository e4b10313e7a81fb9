using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using RoutedEmail.Server.Admin;

namespace RoutedEmail.Server.Supervisors;

/// <summary>
/// Sends <see cref="SupervisorHub.ChangedMessage"/> to the supervisors of tenants that changed, on this node. Signals
/// are merged per tenant: after a send the loop waits <see cref="DashboardOptions.PushInterval"/>, and every tenant
/// signalled meanwhile gets one message after the wait. So each connection gets at most one message per interval,
/// however many emails arrive, and a change is announced at most one interval after it happened.
/// </summary>
internal sealed partial class SupervisorSignal(
    IHubContext<SupervisorHub> hub, IOptions<DashboardOptions> options, TimeProvider time,
    ILogger<SupervisorSignal> logger)
    : BackgroundService
{
    private readonly Lock _lock = new();
    private readonly Channel<bool> _wakeUp = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    private HashSet<long> _pending = [];

    /// <summary>Marks the tenant as changed, so its supervisors get a message within one push interval.</summary>
    public void Signal(long tenantId)
    {
        lock (_lock)
        {
            _pending.Add(tenantId);
        }

        _wakeUp.Writer.TryWrite(true);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _wakeUp.Reader.WaitToReadAsync(stoppingToken))
            {
                _wakeUp.Reader.TryRead(out _);
                HashSet<long> tenants;
                lock (_lock)
                {
                    tenants = _pending;
                    _pending = [];
                }

                foreach (var tenantId in tenants)
                {
                    await SendAsync(tenantId, stoppingToken);
                }

                await Task.Delay(options.Value.PushInterval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The node is stopping, which closes the supervisors' connections; they read again on reconnecting.
        }
    }

    private async Task SendAsync(long tenantId, CancellationToken stoppingToken)
    {
        try
        {
            await hub.Clients.Group(SupervisorHub.GroupOf(tenantId))
                .SendAsync(SupervisorHub.ChangedMessage, stoppingToken);
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
        {
            // The page also polls slowly, so a lost message delays the figures but does not lose them.
            Log.SendFailed(logger, exception, tenantId);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(9053, LogLevel.Warning,
            "Sending the change of tenant {TenantId} to its supervisor connections failed")]
        public static partial void SendFailed(ILogger logger, Exception exception, long tenantId);
    }
}

using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using RoutedEmail.Core.Emails;
using RoutedEmail.Server.Hosting;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Routing;

/// <summary>Requests a routing step for a tenant after something that can make an offer possible.</summary>
public interface IRoutingTrigger
{
    /// <summary>
    /// Schedules a routing step for the tenant. Calls made while a step is already scheduled share that step.
    /// </summary>
    void Wake(long tenantId);
}

/// <summary>
/// Runs routing steps when woken: by new email, an agent's status change, capacity freed, an email back in its
/// queue, or the end of a skip period. There is no polling loop; at start every tenant is routed once, so work left
/// by a previous run resumes. A step ends with the unattended-queue check, at most once per
/// <see cref="RoutingOptions.AttendanceCheckInterval"/> for each tenant. On SQLite the ingest writer routes new email
/// in its own transaction (<see cref="IArrivalRouting"/>), and this service announces those offers as its own.
/// </summary>
internal sealed partial class RoutingService(
    IRoutingStore store, DeadlineSignal deadlines, IAgentNotifier notifier, IOptions<RoutingOptions> options,
    StartupGate startup, TimeProvider time, ILogger<RoutingService> logger)
    : BackgroundService, IRoutingTrigger, IArrivalRouting
{
    // How long after a failed step the tenant is routed again, so an email does not wait for an unrelated wake-up.
    private static readonly TimeSpan FailedStepRetryDelay = TimeSpan.FromSeconds(1);

    private readonly Channel<long> _wakeups = Channel.CreateUnbounded<long>(new() { SingleReader = true });
    private readonly ConcurrentDictionary<long, byte> _scheduled = new();

    // When each tenant's unattended-queue check last ran, which only the routing loop reads or writes, and the
    // tenants with a wake-up for a later check that has not fired yet.
    private readonly Dictionary<long, DateTimeOffset> _attendanceCheckedAt = [];
    private readonly ConcurrentDictionary<long, byte> _attendanceWakePending = new();

    public TimeSpan DeclineSkip => options.Value.DeclineSkip;

    public void OffersCommitted(long tenantId, IReadOnlyList<OfferMade> offers) =>
        _ = AnnounceArrivalOffersAsync(tenantId, offers);

    public void Wake(long tenantId)
    {
        if (_scheduled.TryAdd(tenantId, 0))
        {
            _wakeups.Writer.TryWrite(tenantId);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await startup.WaitAsync(stoppingToken);
        foreach (var tenantId in await store.ListTenantIdsAsync(stoppingToken))
        {
            Wake(tenantId);
        }

        await foreach (var tenantId in _wakeups.Reader.ReadAllAsync(stoppingToken))
        {
            // Unscheduling first means a wake-up during the step schedules one more step, so none is lost.
            _scheduled.TryRemove(tenantId, out _);
            await RouteAsync(tenantId, stoppingToken);
        }
    }

    private async Task RouteAsync(long tenantId, CancellationToken stoppingToken)
    {
        try
        {
            Log.StepBegan(logger, tenantId);
            var offers = await store.RouteAsync(tenantId, options.Value.DeclineSkip, stoppingToken);
            Log.StepFinished(logger, tenantId, offers.Count);
            await AnnounceAsync(tenantId, offers);
            await UpdateQueueAttendanceWhenDueAsync(tenantId, stoppingToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The step's transaction rolled back, so nothing is half-routed. Without a retry, a waiting email and an
            // Available agent could stay apart until some other change woke the tenant.
            Log.RoutingFailed(logger, exception, tenantId);
            _ = WakeLaterAsync(tenantId, stoppingToken);
        }
    }

    /// <summary>Logs committed offers, moves the deadline service's wake-up forward and notifies their agents.</summary>
    private async Task AnnounceAsync(long tenantId, IReadOnlyList<OfferMade> offers)
    {
        foreach (var offer in offers)
        {
            Log.Offered(logger, tenantId, offer.EntityId, offer.EmailId, offer.OfferId, offer.AgentId);
        }

        if (offers.Count > 0)
        {
            deadlines.Notify(offers.Min(offer => offer.ExpiresAt));
        }

        foreach (var agentId in offers.Select(offer => offer.AgentId).Distinct(StringComparer.Ordinal))
        {
            await notifier.NotifyAsync(tenantId, agentId, EventTypes.Offered);
        }
    }

    private async Task AnnounceArrivalOffersAsync(long tenantId, IReadOnlyList<OfferMade> offers)
    {
        try
        {
            await AnnounceAsync(tenantId, offers);
        }
#pragma warning disable CA1031 // Nothing awaits this task, so every error is logged here.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            // The offers are committed, so the agents see them at their next push, GetWork call or reconnect, and
            // the deadline service's next wake-up reads every deadline again.
            Log.AnnounceFailed(logger, exception, tenantId);
        }
    }

    private async Task WakeLaterAsync(long tenantId, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(FailedStepRetryDelay, time, stoppingToken);
            Wake(tenantId);
        }
        catch (OperationCanceledException)
        {
            // The service is stopping.
        }
    }

    private async Task WakeForAttendanceCheckAsync(long tenantId, TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, time, stoppingToken);
            _attendanceWakePending.TryRemove(tenantId, out _);
            Wake(tenantId);
        }
        catch (OperationCanceledException)
        {
            // The service is stopping.
        }
    }

    /// <summary>
    /// Runs the unattended-queue check if the tenant's last check is at least the interval old. Otherwise it wakes
    /// the tenant once the interval is over, so the step that follows checks the changes made since.
    /// </summary>
    /// <remarks>
    /// The check reads every queue of the tenant: for 10,000,000 waiting emails in 50,000 queues it took about
    /// 120 ms on SQLite, on a 2-core machine. Run after every step, it made every step of every tenant wait that
    /// long, because one loop runs them all.
    /// NOTE: Each check still holds up every tenant's routing for its length, once per interval. Checking only the
    /// queues that a step touched would end that.
    /// </remarks>
    private async Task UpdateQueueAttendanceWhenDueAsync(long tenantId, CancellationToken stoppingToken)
    {
        var interval = options.Value.AttendanceCheckInterval;
        var now = time.GetUtcNow();
        if (_attendanceCheckedAt.TryGetValue(tenantId, out var checkedAt) && now - checkedAt < interval)
        {
            // The wake-up may share a step that was scheduled before it, or fire a little before the clock reaches
            // the due time. It clears its mark before it wakes the tenant, so such a step schedules another.
            if (_attendanceWakePending.TryAdd(tenantId, 0))
            {
                _ = WakeForAttendanceCheckAsync(tenantId, checkedAt + interval - now, stoppingToken);
            }

            return;
        }

        await UpdateQueueAttendanceAsync(tenantId, stoppingToken);
        _attendanceCheckedAt[tenantId] = now;
    }

    /// <summary>
    /// Records which queues became unattended or attended again. It runs after the step's offers, so a queue whose
    /// last waiting email was just offered counts as attended.
    /// </summary>
    private async Task UpdateQueueAttendanceAsync(long tenantId, CancellationToken stoppingToken)
    {
        foreach (var change in await store.UpdateQueueAttendanceAsync(tenantId, stoppingToken))
        {
            if (change.Unattended)
            {
                Log.QueueUnattended(logger, tenantId, change.Queue);
            }
            else
            {
                Log.QueueAttended(logger, tenantId, change.Queue);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(3001, LogLevel.Information,
            "Offered email {EmailId} (entityId {EntityId}) of tenant {TenantId} to agent {AgentId} as offer {OfferId}")]
        public static partial void Offered(
            ILogger logger, long tenantId, string entityId, long emailId, long offerId, string agentId);

        [LoggerMessage(3002, LogLevel.Error,
            "Routing step for tenant {TenantId} failed and was rolled back; it is retried in 1 second")]
        public static partial void RoutingFailed(ILogger logger, Exception exception, long tenantId);

        [LoggerMessage(3003, LogLevel.Warning,
            "Skill queue {Queue} of tenant {TenantId} has waiting email and no agent who is not Offline serves it")]
        public static partial void QueueUnattended(ILogger logger, long tenantId, string queue);

        [LoggerMessage(3004, LogLevel.Information,
            "Skill queue {Queue} of tenant {TenantId} is attended again: an agent who is not Offline serves it, " +
            "or it has no waiting email")]
        public static partial void QueueAttended(ILogger logger, long tenantId, string queue);

        // The crash tests kill the process on a began line, and count a kill with no finished line after the last
        // began line as one inside a step.
        [LoggerMessage(3005, LogLevel.Debug, "Routing step for tenant {TenantId} began")]
        public static partial void StepBegan(ILogger logger, long tenantId);

        [LoggerMessage(3007, LogLevel.Error,
            "Announcing the offers that the ingest transaction made for tenant {TenantId} failed")]
        public static partial void AnnounceFailed(ILogger logger, Exception exception, long tenantId);

        [LoggerMessage(3006, LogLevel.Debug,
            "Routing step for tenant {TenantId} finished with {OfferCount} offers committed")]
        public static partial void StepFinished(ILogger logger, long tenantId, int offerCount);
    }
}

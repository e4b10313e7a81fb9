using Microsoft.Extensions.Options;
using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Emails;
using RoutedEmail.Server.Hosting;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Routing;

/// <summary>
/// Tells the deadline service that a new deadline may exist: a new offer, an email entering Wrap, a decline that
/// starts a skip period, or the close of an agent's last hub connection.
/// </summary>
/// <param name="notifyOtherNodes">
/// Tells the deadline services of the other nodes on the same database, or null when this node is the only one.
/// </param>
internal sealed class DeadlineSignal(Action? notifyOtherNodes = null)
{
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // The UTC ticks of the time the deadline service will wake at the latest, or long.MinValue while it reads the
    // deadlines and so may miss one that commits meanwhile.
    private long _plannedWakeTicks = long.MinValue;

    /// <summary>A task that completes at the next notification; read it before reading the deadlines.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>Wakes this node's deadline service and those of the other nodes.</summary>
    public void Notify()
    {
        NotifyLocal();
        notifyOtherNodes?.Invoke();
    }

    /// <summary>
    /// Notifies the deadline services that a deadline at <paramref name="deadline"/> committed. This node's service is
    /// woken only when it planned to wake later than that, because at its planned wake it reads every deadline again.
    /// The other nodes are always notified.
    /// </summary>
    public void Notify(DateTimeOffset deadline)
    {
        var planned = Volatile.Read(ref _plannedWakeTicks);
        if (planned == long.MinValue || deadline.UtcTicks < planned)
        {
            NotifyLocal();
        }

        notifyOtherNodes?.Invoke();
    }

    /// <summary>Marks the start of a read of the deadlines: until <see cref="Plan"/>, every deadline wakes the service.</summary>
    public void BeginPlanning() => Volatile.Write(ref _plannedWakeTicks, long.MinValue);

    /// <summary>Records the time the service will wake at the latest, after it read the deadlines.</summary>
    public void Plan(DateTimeOffset wakeAt) => Volatile.Write(ref _plannedWakeTicks, wakeAt.UtcTicks);

    /// <summary>Wakes this node's deadline service only, for a signal that came from another node.</summary>
    public void NotifyLocal()
    {
        var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _changed, next).TrySetResult();
    }
}

/// <summary>
/// Fires the durable deadlines of routing: it expires overdue offers, completes emails whose wrap time ended,
/// escalates emails that waited their queue's escalation time, wakes the router when a skip period ends, and sets
/// agents Offline after their inactivity timeout. The deadlines are stored with the offers, emails and agents, so
/// after a restart every overdue one fires at once and the others on time. It sleeps on the injected clock until the
/// earliest deadline or a signal.
/// </summary>
internal sealed partial class DeadlineService(
    IRoutingStore store, IAgentActivityStore activity, IRoutingTrigger router,
    IAgentNotifier notifier, DeadlineSignal signal, IOptions<RoutingOptions> options,
    IOptions<AgentOptions> agentOptions, StartupGate startup, TimeProvider time, ILogger<DeadlineService> logger)
    : BackgroundService
{
    // Bounds one sleep, so a clock change or a lost signal delays a deadline by at most this long.
    private static readonly TimeSpan MaxSleep = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await startup.WaitAsync(stoppingToken);

        // The router routes every tenant at start, so skip periods that ended before now need no wake-up.
        var skipsCheckedUntil = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            // In this order, a deadline that commits while the deadlines are read either wakes the sleep below or
            // is in what is read.
            signal.BeginPlanning();
            var changed = signal.Changed;
            DateTimeOffset wakeAt;
            try
            {
                await ExpireDueOffersAsync(stoppingToken);
                await EndDueWrapsAsync(stoppingToken);
                await EscalateDueEmailsAsync(stoppingToken);
                await SetInactiveAgentsOfflineAsync(stoppingToken);
                skipsCheckedUntil = await WakeForEndedSkipsAsync(skipsCheckedUntil, stoppingToken);
                wakeAt = Clamp(await FindNextDeadlineAsync(skipsCheckedUntil, stoppingToken));
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                Log.DeadlinesFailed(logger, exception);
                wakeAt = time.GetUtcNow() + RetryDelay;
            }

            signal.Plan(wakeAt);
            await ClockSleep.UntilAsync(time, wakeAt, changed, stoppingToken);
        }
    }

    private async Task ExpireDueOffersAsync(CancellationToken stoppingToken)
    {
        var expired = await store.ExpireDueOffersAsync(stoppingToken);
        foreach (var offer in expired)
        {
            Log.Expired(logger, offer.TenantId, offer.EntityId, offer.EmailId, offer.OfferId, offer.AgentId);
            await notifier.NotifyAsync(offer.TenantId, offer.AgentId, EventTypes.OfferExpired);
        }

        foreach (var tenantId in expired.Select(offer => offer.TenantId).Distinct())
        {
            router.Wake(tenantId);
        }
    }

    private async Task EndDueWrapsAsync(CancellationToken stoppingToken)
    {
        var ended = await store.EndDueWrapsAsync(stoppingToken);
        foreach (var email in ended)
        {
            Log.WrapEnded(logger, email.TenantId, email.EntityId, email.EmailId, email.AgentId);
            await notifier.NotifyAsync(email.TenantId, email.AgentId, EventTypes.Completed);
        }

        foreach (var tenantId in ended.Select(email => email.TenantId).Distinct())
        {
            router.Wake(tenantId);
        }
    }

    /// <summary>
    /// Escalates waiting emails that reached their queue's escalation time. A raised priority or a new overflow
    /// queue can give the email to an agent at once, so the router wakes for each tenant.
    /// </summary>
    private async Task EscalateDueEmailsAsync(CancellationToken stoppingToken)
    {
        var escalated = await store.EscalateDueEmailsAsync(stoppingToken);
        foreach (var email in escalated)
        {
            Log.Escalated(logger, email.TenantId, email.EntityId, email.EmailId, email.Queue, email.PreviousPriority,
                email.Priority, email.OverflowQueue ?? "none");
        }

        foreach (var tenantId in escalated.Select(email => email.TenantId).Distinct())
        {
            router.Wake(tenantId);
        }
    }

    /// <summary>
    /// Sets Offline every agent whose inactivity timeout passed, through the same status change as the agent's own,
    /// so its pending offers go back to their queues.
    /// </summary>
    private async Task SetInactiveAgentsOfflineAsync(CancellationToken stoppingToken)
    {
        var timeouts = agentOptions.Value;
        var inactive = await activity.ListInactiveAgentsAsync(
            timeouts.RestInactivityTimeout, timeouts.HubDisconnectTimeout, stoppingToken);
        var changedTenants = new HashSet<long>();
        foreach (var agent in inactive)
        {
            // Null when the agent reconnected, or another node set it Offline, since the list was read.
            var withdrawn = await activity.SetOfflineIfInactiveAsync(agent.TenantId, agent.AgentId,
                timeouts.RestInactivityTimeout, timeouts.HubDisconnectTimeout, stoppingToken);
            if (withdrawn is null)
            {
                continue;
            }

            // The event's detail is "Offline timeout", and the log line names the timeout that fired.
            Log.AgentInactive(logger, agent.TenantId, agent.AgentId,
                agent.HubGone ? "hub connections closed" : "no request", withdrawn.Value);
            await notifier.NotifyAsync(agent.TenantId, agent.AgentId, EventTypes.AgentStatusChanged);
            changedTenants.Add(agent.TenantId);
        }

        foreach (var tenantId in changedTenants)
        {
            router.Wake(tenantId);
        }
    }

    /// <summary>Wakes the router for tenants whose skip periods ended since the last check, and returns now.</summary>
    private async Task<DateTimeOffset> WakeForEndedSkipsAsync(DateTimeOffset checkedUntil, CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow();
        foreach (var tenantId in await store.ListTenantsWithSkipsEndedAsync(
                     checkedUntil, options.Value.DeclineSkip, stoppingToken))
        {
            router.Wake(tenantId);
        }

        return now;
    }

    private async Task<DateTimeOffset> FindNextDeadlineAsync(
        DateTimeOffset skipsCheckedUntil, CancellationToken stoppingToken)
    {
        DateTimeOffset?[] deadlines =
        [
            await store.FindNextOfferDeadlineAsync(stoppingToken),
            await store.FindNextWrapEndAsync(stoppingToken),
            await store.FindNextEscalationAsync(stoppingToken),
            await store.FindNextSkipEndAsync(skipsCheckedUntil, options.Value.DeclineSkip, stoppingToken),
            await activity.FindNextInactivityDeadlineAsync(
                agentOptions.Value.RestInactivityTimeout, agentOptions.Value.HubDisconnectTimeout, stoppingToken),
        ];
        return deadlines.Where(deadline => deadline is not null).Select(deadline => deadline!.Value)
            .DefaultIfEmpty(time.GetUtcNow() + MaxSleep).Min();
    }

    private DateTimeOffset Clamp(DateTimeOffset wakeAt)
    {
        var latest = time.GetUtcNow() + MaxSleep;
        return wakeAt > latest ? latest : wakeAt;
    }

    private static partial class Log
    {
        [LoggerMessage(3101, LogLevel.Information,
            "Offer {OfferId} of email {EmailId} (entityId {EntityId}) to agent {AgentId} of tenant {TenantId} expired; the email is back in its queue")]
        public static partial void Expired(
            ILogger logger, long tenantId, string entityId, long emailId, long offerId, string agentId);

        [LoggerMessage(3102, LogLevel.Error, "Firing routing deadlines failed; retrying in one second")]
        public static partial void DeadlinesFailed(ILogger logger, Exception exception);

        [LoggerMessage(3103, LogLevel.Information,
            "Wrap time of email {EmailId} (entityId {EntityId}) of agent {AgentId} of tenant {TenantId} ended; the email is Completed")]
        public static partial void WrapEnded(ILogger logger, long tenantId, string entityId, long emailId, string agentId);

        [LoggerMessage(3104, LogLevel.Information,
            "Agent {AgentId} of tenant {TenantId} is Offline after its inactivity timeout ({Cause}); pending offers back in their queues: {Withdrawn}")]
        public static partial void AgentInactive(
            ILogger logger, long tenantId, string agentId, string cause, int withdrawn);

        [LoggerMessage(3105, LogLevel.Information,
            "Email {EmailId} (entityId {EntityId}) of tenant {TenantId} waited its escalation time in skill queue {Queue}; priority {PreviousPriority} is now {Priority}, overflow queue {OverflowQueue}")]
        public static partial void Escalated(
            ILogger logger, long tenantId, string entityId, long emailId, string queue, int previousPriority,
            int priority, string overflowQueue);
    }
}

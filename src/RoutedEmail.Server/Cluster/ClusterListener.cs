using Microsoft.Extensions.Options;
using Npgsql;
using RoutedEmail.Server.Agents;
using RoutedEmail.Server.Hosting;
using RoutedEmail.Server.Hubs;
using RoutedEmail.Server.Routing;
using RoutedEmail.Server.Supervisors;
using RoutedEmail.Server.Webhooks;
using RoutedEmail.Storage;
using RoutedEmail.Storage.Abstractions;
using RoutedEmail.Storage.Postgres;

namespace RoutedEmail.Server.Cluster;

/// <summary>
/// Receives the other nodes' cluster messages on one dedicated connection that <c>LISTEN</c>s on the cluster
/// channel, and turns each into the local wake-up: a hub push, a deadline signal, a routing step or a webhook delivery
/// round. An agent change
/// and a routing wake-up also signal the tenant's supervisors. Messages this node sent itself are ignored. When
/// the connection drops it reconnects with backoff, and after every <c>LISTEN</c> it reads the database again,
/// because PostgreSQL drops the notifications sent while no session listened.
/// </summary>
internal sealed partial class ClusterListener(
    ClusterPublisher publisher, DeadlineSignal deadlines, RoutingService router, HubAgentNotifier hubNotifier,
    AgentConnections connections, SupervisorSignal supervisors, WebhookSignal webhooks, IRoutingStore store,
    IOptions<StorageOptions> storage, StartupGate startup, TimeProvider time, ILogger<ClusterListener> logger)
    : BackgroundService
{
    /// <summary>The reason of the push that every locally connected agent gets after the node listens again.</summary>
    public const string ResynchronizedReason = "Resynchronized";

    // Seconds without traffic before Npgsql sends a keepalive query, so a connection to a server that vanished
    // without closing the socket is found dead while the node only waits for notifications.
    private const int KeepAliveSeconds = 15;

    private const int ConnectTimeoutSeconds = 5;

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    // How long the start waits for the first LISTEN, so that a node listens before it accepts agent connections.
    private static readonly TimeSpan FirstListenTimeout = TimeSpan.FromSeconds(10);

    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _processId;
    private long _invalidMessages;

    /// <summary>The server process id of the listening connection, or null while the node is not listening.</summary>
    internal int? ListenerProcessId => Volatile.Read(ref _processId) is var id and > 0 ? id : null;

    /// <summary>
    /// Starts listening and waits until the first <c>LISTEN</c> succeeded or failed, at most ten seconds, so a
    /// node normally listens before the server accepts agents. A failure does not stop the start, because the
    /// loop retries and recovers from the database.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await base.StartAsync(cancellationToken);
        try
        {
            await _firstAttempt.Task.WaitAsync(FirstListenTimeout, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            // The loop goes on trying in the background.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await startup.WaitAsync(stoppingToken);
        var connectionString = BuildConnectionString(storage.Value.ConnectionString);
        var retryDelay = FirstRetryDelay;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(connectionString, () =>
                {
                    Log.Listening(logger, ClusterPublisher.ChannelName, failures);
                    failures = 0;
                    retryDelay = FirstRetryDelay;
                }, stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                Volatile.Write(ref _processId, 0);
                _firstAttempt.TrySetResult();
                failures++;
                Log.ListenFailed(logger, exception, failures, retryDelay.TotalSeconds);
                await Task.Delay(retryDelay, time, stoppingToken);
                retryDelay = retryDelay * 2 < MaxRetryDelay ? retryDelay * 2 : MaxRetryDelay;
            }
        }
    }

    /// <summary>
    /// Opens the listening connection, listens, recovers from the database, then waits for notifications until the
    /// connection fails or the node stops.
    /// </summary>
    private async Task ListenAsync(string connectionString, Action listening, CancellationToken stoppingToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        connection.Notification += (_, notification) => Receive(notification.Payload);
        await connection.OpenAsync(stoppingToken);
        await using (var command = connection.CreateCommand())
        {
            // The channel name is a constant identifier, so it is not a parameter (LISTEN takes none).
            command.CommandText = $"LISTEN {ClusterPublisher.ChannelName}";
            await command.ExecuteNonQueryAsync(stoppingToken);
        }

        Volatile.Write(ref _processId, connection.ProcessID);
        listening();
        await RecoverAsync(stoppingToken);
        _firstAttempt.TrySetResult();
        while (true)
        {
            await connection.WaitAsync(stoppingToken);
        }
    }

    /// <summary>
    /// Catches up on whatever changed while the node did not listen: the deadline service rereads its deadlines,
    /// the router runs for every tenant, and every agent connected to this node gets a full snapshot. This runs after every
    /// LISTEN, the first included, because changes can commit between the node's start and its first LISTEN.
    /// </summary>
    private async Task RecoverAsync(CancellationToken stoppingToken)
    {
        deadlines.NotifyLocal();
        webhooks.Notify();
        var tenants = await store.ListTenantIdsAsync(stoppingToken);
        foreach (var tenantId in tenants)
        {
            router.Wake(tenantId);
            supervisors.Signal(tenantId);
        }

        var agents = connections.ListConnectedAgents();
        foreach (var agent in agents)
        {
            await hubNotifier.NotifyAsync(agent.TenantId, agent.AgentId, ResynchronizedReason);
        }

        Log.Recovered(logger, tenants.Count, agents.Count);
    }

    /// <summary>
    /// Turns one notification into the local wake-up. It runs inside the wait for notifications, so it only
    /// signals: the hub push runs in the background, and wake-ups return at once. A wake-up from here never
    /// publishes again, so two nodes do not echo each other.
    /// </summary>
    private void Receive(string payload)
    {
        if (ClusterMessage.TryParse(payload) is not { } message)
        {
            // Logged the first time and then every thousandth time, so a node of another version cannot flood the log.
            var count = Interlocked.Increment(ref _invalidMessages);
            if (count % 1000 == 1)
            {
                Log.InvalidMessage(logger, payload.Length, count);
            }

            return;
        }

        if (message.Node == publisher.NodeId)
        {
            return;
        }

        switch (message.Kind)
        {
            case ClusterMessageKind.AgentChanged:
                var agent = new AgentKey(message.TenantId, message.AgentId!);
                if (connections.HasConnections(agent))
                {
                    _ = hubNotifier.NotifyAsync(agent.TenantId, agent.AgentId, message.Reason!);
                }

                supervisors.Signal(message.TenantId);
                break;
            case ClusterMessageKind.DeadlinesChanged:
                deadlines.NotifyLocal();
                break;
            case ClusterMessageKind.TenantRoutable:
                router.Wake(message.TenantId);
                supervisors.Signal(message.TenantId);
                break;
            case ClusterMessageKind.EventsCommitted:
                webhooks.Notify();
                break;
        }
    }

    /// <summary>
    /// Builds the listening connection's settings from the store's connection string: not pooled, because the
    /// connection lives as long as the node, with a keepalive query and its own application name, so that
    /// <c>pg_stat_activity</c> shows it apart from the pooled sessions. The store has already checked the string
    /// at start.
    /// </summary>
    internal static string BuildConnectionString(string? connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var named = builder.Keys.Cast<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        builder.Pooling = false;
        builder.ApplicationName = (builder.ApplicationName ?? PostgresDatabase.ApplicationName) + "-listener";
        if (!named.Contains("Keepalive"))
        {
            builder.KeepAlive = KeepAliveSeconds;
        }

        if (!named.Contains("Timeout"))
        {
            builder.Timeout = ConnectTimeoutSeconds;
        }

        return builder.ConnectionString;
    }

    private static partial class Log
    {
        [LoggerMessage(8011, LogLevel.Information,
            "Listening for other nodes on channel {Channel} after {Failures} failed attempts")]
        public static partial void Listening(ILogger logger, string channel, int failures);

        [LoggerMessage(8012, LogLevel.Warning,
            "The connection listening for other nodes failed ({Failures} failures in a row); reconnecting in {DelaySeconds} seconds")]
        public static partial void ListenFailed(ILogger logger, Exception exception, int failures, double delaySeconds);

        [LoggerMessage(8013, LogLevel.Information,
            "Read the database again after listening: woke the router for {Tenants} tenants and pushed work to {Agents} connected agents")]
        public static partial void Recovered(ILogger logger, int tenants, int agents);

        [LoggerMessage(8014, LogLevel.Warning,
            "Ignored an invalid cluster message of {Length} characters, possibly from a node of another version ({Count} so far)")]
        public static partial void InvalidMessage(ILogger logger, int length, long count);
    }
}

using System.Threading.Channels;
using Npgsql;
using RoutedEmail.Server.Hosting;
using RoutedEmail.Storage.Postgres;

namespace RoutedEmail.Server.Cluster;

/// <summary>
/// Sends this node's cluster messages to the other nodes with <c>pg_notify</c> on a pooled connection. Publishing
/// only queues the message, so a caller never waits for the database. One background loop sends what is queued.
/// Callers publish after their change committed, so a node that reads the database on a message finds the change.
/// </summary>
internal sealed partial class ClusterPublisher(
    PostgresDatabase database, NodeIdentity node, TimeProvider time, ILogger<ClusterPublisher> logger)
    : IHostedService, IAsyncDisposable
{
    /// <summary>The one channel that every node listens on.</summary>
    public const string ChannelName = "routed_email_cluster";

    // The maximum number of messages sent in one round trip.
    private const int MaxBatch = 200;

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    // How long disposal waits for queued messages to be sent, so a node that stops gracefully still informs the others
    // about its last changes, such as the offer deadlines that they must now fire.
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(5);

    private readonly Channel<ClusterMessage> _queue =
        Channel.CreateUnbounded<ClusterMessage>(new() { SingleReader = true });

    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;
    private int _disposed;

    /// <summary>The id of this node, in every message it sends.</summary>
    public string NodeId => node.Id;

    /// <summary>Queues a message saying that an agent's work or status changed.</summary>
    public void PublishAgentChanged(long tenantId, string agentId, string reason) =>
        _queue.Writer.TryWrite(new ClusterMessage(NodeId, ClusterMessageKind.AgentChanged, tenantId, agentId, reason));

    /// <summary>Queues a message saying that a new deadline may exist.</summary>
    public void PublishDeadlinesChanged() =>
        _queue.Writer.TryWrite(new ClusterMessage(NodeId, ClusterMessageKind.DeadlinesChanged));

    /// <summary>Queues a message saying that a routing step may now make an offer in the tenant.</summary>
    public void PublishTenantRoutable(long tenantId) =>
        _queue.Writer.TryWrite(new ClusterMessage(NodeId, ClusterMessageKind.TenantRoutable, tenantId));

    /// <summary>Queues a message saying that a transaction of this node committed events.</summary>
    public void PublishEventsCommitted() =>
        _queue.Writer.TryWrite(new ClusterMessage(NodeId, ClusterMessageKind.EventsCommitted));

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => SendLoopAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    // The loop keeps sending while the other services stop, because they may still publish; disposal ends it.
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Sends what is still queued, waiting at most five seconds, then stops. The service provider disposes this
    /// before the database it depends on, so the data source is still open.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        // The container disposes this twice, as itself and as the hosted service that its factory returned.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _queue.Writer.TryComplete();
        if (!await WaitAsync(_loop, FlushTimeout))
        {
            Log.FlushTimedOut(logger, FlushTimeout.TotalSeconds);
        }

        await _stopping.CancelAsync();
        await WaitAsync(_loop, Timeout.InfiniteTimeSpan);
        _stopping.Dispose();
    }

    /// <summary>
    /// Sends queued messages in batches. Messages queued while a batch is sent are merged: one per agent (the last
    /// reason wins, because the receiving node pushes a full snapshot), one per routable tenant and one for
    /// deadlines. A failed send is retried with backoff with everything queued meanwhile merged in, so the messages
    /// waiting never exceed one per agent and tenant.
    /// </summary>
    private async Task SendLoopAsync(CancellationToken stoppingToken)
    {
        var pending = new OrderedDictionary<(ClusterMessageKind, long, string?), ClusterMessage>();
        var retryDelay = FirstRetryDelay;
        try
        {
            while (pending.Count > 0 || await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (_queue.Reader.TryRead(out var message))
                {
                    pending[(message.Kind, message.TenantId, message.AgentId)] = message;
                }

                try
                {
                    await SendAsync(pending, stoppingToken);
                    retryDelay = FirstRetryDelay;
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    Log.SendFailed(logger, exception, pending.Count, retryDelay.TotalSeconds);
                    await Task.Delay(retryDelay, time, stoppingToken);
                    retryDelay = Min(retryDelay * 2, MaxRetryDelay);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            if (pending.Count > 0)
            {
                Log.Dropped(logger, pending.Count);
            }
        }
    }

    /// <summary>Sends up to <see cref="MaxBatch"/> pending messages in one round trip and removes them.</summary>
    private async Task SendAsync(
        OrderedDictionary<(ClusterMessageKind, long, string?), ClusterMessage> pending, CancellationToken stoppingToken)
    {
        var sending = pending.Take(MaxBatch).ToList();
        await using var connection = await database.OpenAsync(stoppingToken);
        await using var batch = connection.CreateBatch();
        foreach (var (_, message) in sending)
        {
            var payload = message.ToPayload();
            if (!ClusterMessage.Fits(payload))
            {
                // The admin API limits agent ids to 128 characters, so today's messages stay below 1 KB. This guards
                // fields added later.
                Log.TooLarge(logger, message.Kind.ToString(), message.TenantId, message.AgentId ?? "none");
                continue;
            }

            var command = batch.CreateBatchCommand();
            command.CommandText = "SELECT pg_notify($1, $2)";
            command.Parameters.Add(new NpgsqlParameter { Value = ChannelName });
            command.Parameters.Add(new NpgsqlParameter { Value = payload });
            batch.BatchCommands.Add(command);
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(stoppingToken);
        }

        foreach (var (key, _) in sending)
        {
            pending.Remove(key);
        }
    }

    private static async Task<bool> WaitAsync(Task task, TimeSpan timeout)
    {
        try
        {
            await task.WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static TimeSpan Min(TimeSpan left, TimeSpan right) => left < right ? left : right;

    private static partial class Log
    {
        [LoggerMessage(8001, LogLevel.Warning,
            "Sending {Count} cluster messages to the other nodes failed; retrying in {DelaySeconds} seconds")]
        public static partial void SendFailed(ILogger logger, Exception exception, int count, double delaySeconds);

        [LoggerMessage(8002, LogLevel.Warning,
            "The node stopped with {Count} cluster messages unsent; the other nodes read the database at their next deadline or wake-up")]
        public static partial void Dropped(ILogger logger, int count);

        [LoggerMessage(8003, LogLevel.Warning,
            "Sending the queued cluster messages did not finish within {TimeoutSeconds} seconds of stopping")]
        public static partial void FlushTimedOut(ILogger logger, double timeoutSeconds);

        [LoggerMessage(8004, LogLevel.Error,
            "Cluster message {Kind} for agent {AgentId} of tenant {TenantId} exceeds the notification payload limit and was not sent")]
        public static partial void TooLarge(ILogger logger, string kind, long tenantId, string agentId);
    }
}

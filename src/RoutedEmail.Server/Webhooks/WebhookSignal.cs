namespace RoutedEmail.Server.Webhooks;

/// <summary>
/// Wakes this node's webhook delivery service: after a webhook is changed, a delivery is replayed, or a send
/// finished and freed a slot. Without a signal the service still looks every <c>Webhooks:PollInterval</c>.
/// </summary>
/// <remarks>
/// TODO: call <see cref="Notify"/> when a transaction that appended events commits, so deliveries start without
/// waiting for the poll.
/// </remarks>
internal sealed class WebhookSignal
{
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A task that completes at the next notification; read it before looking for work.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    public void Notify()
    {
        var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _changed, next).TrySetResult();
    }
}

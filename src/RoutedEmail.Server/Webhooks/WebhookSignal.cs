using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Webhooks;

/// <summary>
/// Wakes this node's webhook delivery service. It is notified when this node commits events (as its
/// <see cref="IEventCommitObserver"/>), when another node does (on PostgreSQL, through a cluster message), when a webhook is changed or a delivery replayed, and when a send frees a
/// slot. Without a signal the service still looks every <c>Webhooks:PollInterval</c>.
/// </summary>
/// <remarks>
/// Every commit with events calls <see cref="Notify"/>, which allocates nothing. Many commits between two delivery
/// rounds complete one task, and only the next read of <see cref="Changed"/> creates a new one.
/// </remarks>
internal sealed class WebhookSignal : IEventCommitObserver
{
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// A task that completes at the next notification. Read it before looking for work: a notification that came
    /// before this read is not reported again, because the work that follows the read finds its change.
    /// </summary>
    public Task Changed
    {
        get
        {
            while (true)
            {
                var current = Volatile.Read(ref _changed);
                if (!current.Task.IsCompleted)
                {
                    return current.Task;
                }

                var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (Interlocked.CompareExchange(ref _changed, next, current) == current)
                {
                    return next.Task;
                }
            }
        }
    }

    /// <summary>Completes the task that <see cref="Changed"/> returned last, waking the service if it waits.</summary>
    public void Notify() => Volatile.Read(ref _changed).TrySetResult();

    /// <inheritdoc/>
    public void EventsCommitted(long tenantId) => Notify();
}

namespace RoutedEmail.Storage.Abstractions;

/// <summary>
/// Receives a call after a write transaction of this process committed events, so that the host can start the work
/// that reads them, such as webhook deliveries, without polling. Register implementations as singletons. The
/// store's database calls each of them.
/// </summary>
/// <remarks>
/// The store calls <see cref="EventsCommitted"/> on the committing thread, after the commit is durable and after
/// the SQLite write gate was released, once per tenant whose events the transaction numbered. It is not called
/// for a transaction that appended no event, nor for another process's commits, which the host must learn of in
/// its own way. An implementation must return at once and must not throw, because the caller's write has already
/// committed.
/// </remarks>
public interface IEventCommitObserver
{
    /// <summary>Signals that a commit appended events to the tenant's event log.</summary>
    /// <param name="tenantId">The tenant whose event log grew.</param>
    void EventsCommitted(long tenantId);
}

namespace RoutedEmail.Storage.Abstractions;

/// <summary>
/// The host's side of routing on arrival. On SQLite, the ingest writer offers the new email of each tenant in its
/// group to Available agents inside the transaction that stores the email, as a routing step would. The email and
/// its offers then share one commit and one fsync. Register one implementation as a singleton. Without one, new
/// email waits for the host's next routing step.
/// </summary>
/// <remarks>
/// PostgreSQL ingest does not call it: there every routing step is the host's own. A routing failure inside the
/// ingest transaction rolls back to a savepoint, so the email is stored unrouted and the host's next step routes it.
/// </remarks>
public interface IArrivalRouting
{
    /// <summary>
    /// The skip period of <see cref="IRoutingStore.RouteAsync"/>: how long an agent who declined an email, or let
    /// its offer expire, is not offered that email again.
    /// </summary>
    TimeSpan DeclineSkip { get; }

    /// <summary>
    /// Receives the offers that routing on arrival made for a tenant, after their commit is on disk. The ingest
    /// writer calls it on its own task before it completes the requests of the group, so it must return at once and
    /// must not throw.
    /// </summary>
    /// <param name="tenantId">The tenant whose email was offered.</param>
    /// <param name="offers">The offers made, at least one.</param>
    void OffersCommitted(long tenantId, IReadOnlyList<OfferMade> offers);
}

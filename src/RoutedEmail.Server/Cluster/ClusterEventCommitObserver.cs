using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Cluster;

/// <summary>
/// Tells the other nodes that this node committed events, so that their webhook delivery services start at once
/// instead of at their next poll. The message is queued and sent after the commit by <see cref="ClusterPublisher"/>,
/// batched with other messages. A <c>pg_notify</c> inside the committing transaction would instead take
/// PostgreSQL's notification lock in every such commit, which serializes the commits and their WAL flushes.
/// </summary>
/// <remarks>
/// The publisher is resolved at the first commit, not in the constructor: the publisher needs the database, and the
/// database takes its commit observers when it is built.
/// </remarks>
internal sealed class ClusterEventCommitObserver(IServiceProvider services) : IEventCommitObserver
{
    private ClusterPublisher? _publisher;

    public void EventsCommitted(long tenantId) =>
        (_publisher ??= services.GetRequiredService<ClusterPublisher>()).PublishEventsCommitted();
}

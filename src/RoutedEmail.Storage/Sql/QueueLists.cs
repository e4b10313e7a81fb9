using System.Data.Common;
using RoutedEmail.Core.Routing;

namespace RoutedEmail.Storage.Sql;

/// <summary>
/// Reads a skill queue's routing list: its own waiting emails and those that overflowed into it from other queues
/// after escalation, in routing order. The router and the explanation read it the same way.
/// </summary>
internal static class QueueLists
{
    /// <summary>Reads the first <paramref name="limit"/> emails of the queue's routing list.</summary>
    public static List<QueueHead> Read(
        DbConnection connection, DbTransaction transaction, long tenantId, string queue, int limit)
    {
        // Each half reads at most the limit through its own index, so a long queue is never read whole.
        using var command = connection.Command(
            """
            SELECT id, priority, enqueued_at FROM (
                SELECT id, priority, enqueued_at FROM routed_emails
                WHERE tenant_id = @tenant AND skill_queue = @queue AND state = 'Queued'
                ORDER BY priority DESC, enqueued_at, id LIMIT @limit) AS own
            UNION ALL
            SELECT id, priority, enqueued_at FROM (
                SELECT id, priority, enqueued_at FROM routed_emails
                WHERE tenant_id = @tenant AND overflow_queue = @queue AND state = 'Queued'
                ORDER BY priority DESC, enqueued_at, id LIMIT @limit) AS overflowed
            ORDER BY priority DESC, enqueued_at, id LIMIT @limit
            """, transaction);
        command.With("@tenant", tenantId).With("@queue", queue).With("@limit", limit);
        using var reader = command.ExecuteReader();
        var emails = new List<QueueHead>();
        while (reader.Read())
        {
            emails.Add(new QueueHead(queue, reader.ReadInt64(0), reader.ReadInt32(1),
                SqlCommands.ToTime(reader.ReadInt64(2))));
        }

        return emails;
    }
}

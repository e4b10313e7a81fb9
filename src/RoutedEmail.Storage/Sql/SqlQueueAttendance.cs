using System.Data.Common;
using RoutedEmail.Core.Emails;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>
/// The unattended-queue check of a routing step: it compares each queue's stored flag with the current agents and
/// waiting email, and records every change as an event.
/// </summary>
internal sealed partial class SqlRoutingStore
{
    public Task<IReadOnlyList<QueueAttendanceChanged>> UpdateQueueAttendanceAsync(
        long tenantId, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId);
        var now = time.GetUtcNow();
        var changes = FindAttendanceChanges(connection, transaction, tenantId);
        foreach (var change in changes)
        {
            using var update = connection.Command(
                "UPDATE skill_queues SET unattended = @unattended WHERE tenant_id = @tenant AND name = @queue",
                transaction);
            update.With("@unattended", change.Unattended).With("@tenant", tenantId).With("@queue", change.Queue);
            update.ExecuteNonQuery();
            var type = change.Unattended ? EventTypes.QueueUnattended : EventTypes.QueueAttended;
            SqlCommands.AppendEvent(connection, transaction, tenantId, now, type, detail: change.Queue);
        }

        transaction.Commit();
        return Task.FromResult<IReadOnlyList<QueueAttendanceChanged>>(changes);
    }

    /// <summary>
    /// Lists the queues whose stored flag differs from the current state. A queue is unattended while it has
    /// Queued email and no agent whose status is not Offline has it in its routing profile.
    /// </summary>
    private static List<QueueAttendanceChanged> FindAttendanceChanges(
        DbConnection connection, DbTransaction transaction, long tenantId)
    {
        using var command = connection.Command(
            """
            SELECT name, unattended, now_unattended FROM (
                SELECT q.name, q.unattended,
                       EXISTS (SELECT 1 FROM routed_emails e
                               WHERE e.tenant_id = q.tenant_id AND e.skill_queue = q.name AND e.state = 'Queued')
                       AND NOT EXISTS (SELECT 1 FROM agent_skills s
                                       JOIN agents a ON a.tenant_id = s.tenant_id AND a.agent_id = s.agent_id
                                       WHERE s.tenant_id = q.tenant_id AND s.skill_queue = q.name
                                         AND a.status <> 'Offline') AS now_unattended
                FROM skill_queues q WHERE q.tenant_id = @tenant) AS queues
            WHERE unattended <> now_unattended
            ORDER BY name
            """, transaction);
        command.With("@tenant", tenantId);
        using var reader = command.ExecuteReader();
        var changes = new List<QueueAttendanceChanged>();
        while (reader.Read())
        {
            changes.Add(new QueueAttendanceChanged(tenantId, reader.GetString(0), reader.GetBoolean(2)));
        }

        return changes;
    }
}

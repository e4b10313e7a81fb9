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
        // Almost every step changes no flag, so a read transaction on a kept session looks first and the write lock
        // is taken only when there is a change to record. Under the lock the check runs again, because another step
        // may have recorded the change in between.
        // NOTE: The check still reads every queue of the tenant, which took about 60 ms for 50,000 queues on SQLite
        // on a 2-core machine (docs/benchmarks.md). Checking only the queues that a step touched would need the
        // callers to pass them in.
        using (var session = database.OpenSession())
        using (var read = database.BeginRead(session.Connection))
        {
            if (FindAttendanceChanges(session.Command(AttendanceChangesQuery, read), tenantId).Count == 0)
            {
                return Task.FromResult<IReadOnlyList<QueueAttendanceChanged>>([]);
            }
        }

        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId);
        var now = time.GetUtcNow();
        List<QueueAttendanceChanged> changes;
        using (var check = connection.Command(AttendanceChangesQuery, transaction))
        {
            changes = FindAttendanceChanges(check, tenantId);
        }

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
    /// The queues whose stored flag differs from the current state, in name order. A queue is unattended while it
    /// has Queued email and no agent whose status is not Offline has it in its routing profile.
    /// </summary>
    /// <remarks>
    /// The set of served queues is built once from the index <c>agents_not_offline</c>, so it costs one look-up
    /// per skill of an agent who is not Offline. SQLite's planner keeps the left table of a CROSS JOIN as the
    /// outer loop, so it starts from those agents and not from <c>agent_skills</c>. Each queue then costs one
    /// look-up in that set and one in <c>routed_emails_waiting</c>. The waiting check is a scalar subquery with
    /// LIMIT 1 and not an EXISTS, because PostgreSQL 15 may run an EXISTS inside an expression as one hashed read
    /// of every Queued email. The earlier form, a NOT EXISTS over each queue's agents, made SQLite search
    /// <c>agent_skills</c> by tenant alone once per queue.
    /// </remarks>
    internal const string AttendanceChangesQuery =
        """
        SELECT name, unattended, now_unattended FROM (
            SELECT q.name, q.unattended,
                   served.skill_queue IS NULL
                   AND (SELECT 1 FROM routed_emails e
                        WHERE e.tenant_id = q.tenant_id AND e.skill_queue = q.name AND e.state = 'Queued'
                        LIMIT 1) IS NOT NULL
                   AS now_unattended
            FROM skill_queues q
            LEFT JOIN (SELECT DISTINCT s.skill_queue FROM agents a
                       CROSS JOIN agent_skills s
                       WHERE a.tenant_id = @tenant AND a.status <> 'Offline'
                         AND s.tenant_id = a.tenant_id AND s.agent_id = a.agent_id) AS served
                   ON served.skill_queue = q.name
            WHERE q.tenant_id = @tenant) AS queues
        WHERE unattended <> now_unattended
        ORDER BY name
        """;

    private static List<QueueAttendanceChanged> FindAttendanceChanges(DbCommand command, long tenantId)
    {
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

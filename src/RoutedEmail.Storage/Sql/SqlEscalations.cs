using RoutedEmail.Core.Emails;
using RoutedEmail.Core.Tenants;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>
/// The escalation deadline: a waiting email is escalated once it has waited its queue's escalation time since its
/// enqueue time.
/// </summary>
internal sealed partial class SqlRoutingStore
{
    /// <remarks>
    /// A queue without such an email gives now plus its escalation time: no email that arrives later can reach its
    /// escalation time sooner, so the deadline service needs no wake-up from ingest.
    /// </remarks>
    public Task<DateTimeOffset?> FindNextEscalationAsync(CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command(
            """
            SELECT MIN(COALESCE(oldest, @now) + 1000 * escalate_after_seconds) FROM (
                SELECT q.escalate_after_seconds, (
                    SELECT MIN(e.enqueued_at) FROM routed_emails e
                    WHERE e.tenant_id = q.tenant_id AND e.skill_queue = q.name AND e.state = 'Queued'
                      AND e.escalated_at IS NULL) AS oldest
                FROM skill_queues q WHERE q.escalate_after_seconds IS NOT NULL)
            """, null);
        var next = command.With("@now", time.GetUtcNow().ToStored()).ExecuteScalar();
        return Task.FromResult(next is long stored ? SqlCommands.ToTime(stored) : (DateTimeOffset?)null);
    }

    public Task<IReadOnlyList<EmailEscalated>> EscalateDueEmailsAsync(CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, null);
        var now = time.GetUtcNow();
        using var due = connection.Command(
            """
            SELECT e.tenant_id, e.id, e.entity_id, e.skill_queue, e.priority, q.escalate_priority_by, q.overflow_queue
            FROM skill_queues q
            JOIN routed_emails e ON e.tenant_id = q.tenant_id AND e.skill_queue = q.name
            WHERE q.escalate_after_seconds IS NOT NULL AND e.state = 'Queued' AND e.escalated_at IS NULL
              AND e.enqueued_at <= @now - 1000 * q.escalate_after_seconds
            ORDER BY e.enqueued_at, e.id
            """, transaction);
        due.With("@now", now.ToStored());
        var escalated = new List<EmailEscalated>();
        using (var reader = due.ExecuteReader())
        {
            while (reader.Read())
            {
                var priority = reader.GetInt32(4);
                var raised = (int)Math.Min(RoutedEmailConfiguration.MaxPriority, (long)priority + reader.GetInt32(5));
                escalated.Add(new EmailEscalated(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2),
                    reader.GetString(3), priority, Math.Max(priority, raised), reader.GetNullableString(6)));
            }
        }

        foreach (var email in escalated)
        {
            using var update = connection.Command(
                """
                UPDATE routed_emails SET priority = @priority, overflow_queue = @overflow, escalated_at = @now
                WHERE id = @email
                """, transaction);
            update.With("@priority", email.Priority).With("@overflow", email.OverflowQueue)
                .With("@now", now.ToStored()).With("@email", email.EmailId).ExecuteNonQuery();
            SqlCommands.AppendEvent(connection, transaction, email.TenantId, now, EventTypes.Escalated,
                email.EmailId, detail: SqlCommands.ToJson(new EscalationDetail(
                    email.Queue, email.PreviousPriority, email.Priority, email.OverflowQueue)));
        }

        transaction.Commit();
        return Task.FromResult<IReadOnlyList<EmailEscalated>>(escalated);
    }

    /// <summary>The JSON detail of an Escalated event.</summary>
    private sealed record EscalationDetail(string Queue, int PreviousPriority, int Priority, string? OverflowQueue);
}

using System.Data.Common;
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
    /// <summary>
    /// The earliest escalation time over the queues with a rule. It reads the index <c>skill_queues_escalating</c>
    /// and then, per such queue, the oldest entry of <c>routed_emails_unescalated</c>.
    /// </summary>
    /// <remarks>
    /// A queue without such an email gives now plus its escalation time: no email that arrives later can reach its
    /// escalation time sooner, so the deadline service needs no wake-up from ingest.
    /// </remarks>
    internal const string NextEscalationQuery =
        """
        SELECT MIN(COALESCE(oldest, @now) + 1000 * escalate_after_seconds) FROM (
            SELECT q.escalate_after_seconds, (
                SELECT MIN(e.enqueued_at) FROM routed_emails e
                WHERE e.tenant_id = q.tenant_id AND e.skill_queue = q.name AND e.state = 'Queued'
                  AND e.escalated_at IS NULL) AS oldest
            FROM skill_queues q WHERE q.escalate_after_seconds IS NOT NULL) AS queues
        """;

    /// <summary>
    /// The due emails of all tenants, oldest first. It starts from the queues with a rule and reads, per queue, only
    /// the range of <c>routed_emails_unescalated</c> that is due, so its cost follows those queues and their due
    /// email. SQLite's planner keeps the left table of a CROSS JOIN as the outer loop, which keeps it from scanning
    /// that whole index and looking up each entry's queue.
    /// </summary>
    internal const string DueEmailsQuery =
        $"""
        SELECT e.tenant_id, e.id FROM skill_queues q
        CROSS JOIN routed_emails e
        WHERE e.tenant_id = q.tenant_id AND e.skill_queue = q.name AND {DueCondition}
        ORDER BY e.enqueued_at, e.id
        """;

    public Task<DateTimeOffset?> FindNextEscalationAsync(CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command(NextEscalationQuery, null);
        var next = command.With("@now", time.GetUtcNow().ToStored()).ExecuteInt64();
        return Task.FromResult(next is { } stored ? SqlCommands.ToTime(stored) : (DateTimeOffset?)null);
    }

    public Task<IReadOnlyList<EmailEscalated>> EscalateDueEmailsAsync(CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        var now = time.GetUtcNow();
        using var due = connection.Command(DueEmailsQuery, null);
        due.With("@now", now.ToStored());
        var escalated = FireDue(connection, ReadDue(due), (transaction, tenantId, emailId) =>
            Escalate(connection, transaction, tenantId, emailId, now));
        return Task.FromResult<IReadOnlyList<EmailEscalated>>(escalated);
    }

    // A waiting email not escalated yet, in a queue with a rule, whose escalation time has come.
    private const string DueCondition =
        """
        q.escalate_after_seconds IS NOT NULL AND e.state = 'Queued' AND e.escalated_at IS NULL
          AND e.enqueued_at <= @now - 1000 * q.escalate_after_seconds
        """;

    /// <summary>
    /// Escalates one email if it is still due, which the caller's tenant lock keeps true until the commit, and
    /// returns null when it is not, such as when another node escalated or offered it first.
    /// </summary>
    private static EmailEscalated? Escalate(
        DbConnection connection, DbTransaction transaction, long tenantId, long emailId, DateTimeOffset now)
    {
        using var read = connection.Command(
            $"""
            SELECT e.entity_id, e.skill_queue, e.priority, q.escalate_priority_by, q.overflow_queue
            FROM skill_queues q
            JOIN routed_emails e ON e.tenant_id = q.tenant_id AND e.skill_queue = q.name
            WHERE e.id = @email AND {DueCondition}
            """, transaction);
        EmailEscalated email;
        using (var reader = read.With("@email", emailId).With("@now", now.ToStored()).ExecuteReader())
        {
            if (!reader.Read())
            {
                return null;
            }

            var priority = reader.ReadInt32(2);
            var raised = (int)Math.Min(RoutedEmailConfiguration.MaxPriority, (long)priority + reader.ReadInt32(3));
            email = new EmailEscalated(tenantId, emailId, reader.GetString(0), reader.GetString(1), priority,
                Math.Max(priority, raised), reader.GetNullableString(4));
        }

        using var update = connection.Command(
            """
            UPDATE routed_emails SET priority = @priority, overflow_queue = @overflow, escalated_at = @now
            WHERE id = @email
            """, transaction);
        update.With("@priority", email.Priority).With("@overflow", email.OverflowQueue)
            .With("@now", now.ToStored()).With("@email", emailId).ExecuteNonQuery();
        SqlCommands.AppendEvent(connection, transaction, tenantId, now, EventTypes.Escalated, emailId,
            detail: SqlCommands.ToJson(new EscalationDetail(
                email.Queue, email.PreviousPriority, email.Priority, email.OverflowQueue)));
        return email;
    }

    /// <summary>The JSON detail of an Escalated event.</summary>
    private sealed record EscalationDetail(string Queue, int PreviousPriority, int Priority, string? OverflowQueue);
}

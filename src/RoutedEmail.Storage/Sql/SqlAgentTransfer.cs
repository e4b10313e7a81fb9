using System.Data.Common;
using RoutedEmail.Core.Emails;
using RoutedEmail.Core.Routing;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>An agent's transfer of an Active email to a skill queue or to another agent.</summary>
internal sealed partial class SqlAgentStore
{
    public Task<AgentActionOutcome> TransferAsync(
        long tenantId, string agentId, long emailId, string? skillQueue, string? targetAgentId,
        CancellationToken cancellationToken, string? supervisor = null)
    {
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId);
        var state = ReadEmailState(connection, transaction, tenantId, agentId, emailId);
        switch (state)
        {
            case null:
                return Task.FromResult(new AgentActionOutcome(AgentActionStatus.NotFound));
            case not nameof(RoutedEmailState.Active):
                return Task.FromResult(new AgentActionOutcome(AgentActionStatus.Conflict, state));
        }

        var now = time.GetUtcNow();
        var outcome = skillQueue is not null
            ? TransferToQueue(connection, transaction, tenantId, agentId, emailId, skillQueue, now)
            : TransferToAgent(connection, transaction, tenantId, agentId, emailId, targetAgentId!, now);
        if (outcome.Status == AgentActionStatus.Done)
        {
            SqlCommands.MarkCapacityFreed(connection, transaction, tenantId, agentId, now);
            SqlCommands.AppendSupervisorAction(
                connection, transaction, tenantId, now, "Transfer", supervisor, emailId, agentId);
            transaction.Commit();
        }

        return Task.FromResult(outcome);
    }

    private static AgentActionOutcome TransferToQueue(
        DbConnection connection, DbTransaction transaction, long tenantId, string agentId, long emailId,
        string skillQueue, DateTimeOffset now)
    {
        using var exists = connection.Command(
            "SELECT 1 FROM skill_queues WHERE tenant_id = @tenant AND name = @queue", transaction);
        if (exists.With("@tenant", tenantId).With("@queue", skillQueue).ExecuteScalar() is null)
        {
            return new AgentActionOutcome(AgentActionStatus.UnknownSkillQueue);
        }

        // The priority and enqueue time stay, so the email takes the place in the new queue that its age gives it.
        // A move to another queue ends the escalation of the old one, and the new queue's rule applies from the
        // same enqueue time. A transfer to the same queue keeps the escalation, so it cannot raise the priority again.
        using var requeue = connection.Command(
            """
            UPDATE routed_emails SET state = 'Queued', agent_id = NULL,
                escalated_at = CASE WHEN skill_queue = @queue THEN escalated_at END,
                overflow_queue = CASE WHEN skill_queue = @queue THEN overflow_queue END,
                skill_queue = @queue
            WHERE id = @email
            """, transaction);
        requeue.With("@queue", skillQueue).With("@email", emailId).ExecuteNonQuery();
        SqlCommands.AppendEvent(connection, transaction, tenantId, now, EventTypes.Transferred, emailId, agentId,
            detail: skillQueue);
        return new AgentActionOutcome(AgentActionStatus.Done, Event: EventTypes.Transferred);
    }

    private static AgentActionOutcome TransferToAgent(
        DbConnection connection, DbTransaction transaction, long tenantId, string agentId, long emailId,
        string targetAgentId, DateTimeOffset now)
    {
        if (targetAgentId == agentId)
        {
            return new AgentActionOutcome(AgentActionStatus.UnknownAgent);
        }

        using var read = connection.Command(
            """
            SELECT a.status, a.max_concurrent_emails, (
                SELECT COUNT(*) FROM routed_emails e
                WHERE e.tenant_id = a.tenant_id AND e.agent_id = a.agent_id
                  AND e.state IN ('Offered', 'Active', 'Wrap')),
                a.other_work_count, COALESCE(a.max_concurrent_tasks, a.max_concurrent_emails)
            FROM agents a WHERE a.tenant_id = @tenant AND a.agent_id = @agent
            """, transaction);
        read.With("@tenant", tenantId).With("@agent", targetAgentId);
        using (var reader = read.ExecuteReader())
        {
            if (!reader.Read())
            {
                return new AgentActionOutcome(AgentActionStatus.UnknownAgent);
            }

            var status = reader.GetString(0);
            if (status != "Available")
            {
                return new AgentActionOutcome(AgentActionStatus.AgentUnavailable, status);
            }

            if (RoutingPolicy.CountFreeSlots(
                    reader.ReadInt32(2), reader.ReadInt32(3), reader.ReadInt32(1), reader.ReadInt32(4)) == 0)
            {
                return new AgentActionOutcome(AgentActionStatus.AgentUnavailable, "AtMaximum");
            }
        }

        SqlCommands.AppendEvent(connection, transaction, tenantId, now, EventTypes.Transferred, emailId, agentId,
            detail: targetAgentId);
        using var offer = connection.Command(
            """
            INSERT INTO offers (tenant_id, email_id, agent_id, state, created_at, expires_at)
            SELECT @tenant, @email, @target, 'Pending', @now, @now + 1000 * q.offer_timeout_seconds
            FROM routed_emails e JOIN skill_queues q ON q.tenant_id = e.tenant_id AND q.name = e.skill_queue
            WHERE e.id = @email
            RETURNING id
            """, transaction);
        var offerId = (long)offer.With("@tenant", tenantId).With("@email", emailId).With("@target", targetAgentId)
            .With("@now", now.ToStored()).ExecuteScalar()!;

        using var offered = connection.Command(
            "UPDATE routed_emails SET state = 'Offered', agent_id = @target WHERE id = @email", transaction);
        offered.With("@target", targetAgentId).With("@email", emailId).ExecuteNonQuery();
        SqlCommands.AppendEvent(connection, transaction, tenantId, now, EventTypes.Offered, emailId,
            targetAgentId, offerId);
        return new AgentActionOutcome(AgentActionStatus.Done, Event: EventTypes.Transferred, OfferedTo: targetAgentId);
    }
}

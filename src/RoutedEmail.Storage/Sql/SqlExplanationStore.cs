using System.Data.Common;
using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Emails;
using RoutedEmail.Core.Explanations;
using RoutedEmail.Core.Routing;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>
/// Reads the routing inputs of one routed email in one read transaction and hands them to
/// <see cref="EmailExplainer"/>.
/// </summary>
internal sealed class SqlExplanationStore(SqlDatabase database, TimeProvider time) : IExplanationStore
{
    public Task<EmailExplanation?> ExplainAsync(
        long tenantId, string entityId, TimeSpan declineSkip, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var transaction = database.BeginRead(connection);
        var email = FindNewest(connection, transaction, tenantId, entityId);
        var explanation = email?.State switch
        {
            null => null,
            RoutedEmailState.Queued => ExplainQueued(connection, transaction, tenantId, email, declineSkip),
            RoutedEmailState.Offered or RoutedEmailState.Active or RoutedEmailState.Wrap =>
                EmailExplainer.ExplainHeld(email, ReadChosen(connection, transaction, email)),
            _ => EmailExplainer.ExplainClosed(email),
        };
        return Task.FromResult(explanation);
    }

    private EmailExplanation ExplainQueued(
        DbConnection connection, DbTransaction transaction, long tenantId, ExplainedEmail email,
        TimeSpan declineSkip)
    {
        var now = time.GetUtcNow();
        var skips = ReadSkips(connection, transaction, email.EmailId, now - declineSkip, declineSkip);
        var overflowQueue = email.OverflowQueue;
        var agents = ReadAgents(connection, transaction, tenantId, email.Queue, overflowQueue ?? email.Queue)
            .Select(agent => skips.TryGetValue(agent.AgentId, out var skip)
                ? agent with { SkippedUntil = skip.Until, SkippedAfterExpiry = skip.AfterExpiry }
                : agent)
            .ToList();
        var otherQueues = agents.SelectMany(agent => agent.Ranks.Keys)
            .Where(queue => queue != email.Queue && queue != overflowQueue)
            .Distinct(StringComparer.Ordinal);
        // NOTE: only the first email of each other queue is read, without its skips, so an agent that email skips
        // may be reported as serving that queue although a later email there would admit it.
        var heads = new Dictionary<string, QueueHead>(StringComparer.Ordinal);
        foreach (var queue in otherQueues)
        {
            if (QueueLists.Read(connection, transaction, tenantId, queue, limit: 1).FirstOrDefault() is { } head)
            {
                heads[queue] = head;
            }
        }

        var waiting = QueueLists.Read(connection, transaction, tenantId, email.Queue, limit: int.MaxValue);
        var overflowWaiting = overflowQueue is null
            ? []
            : QueueLists.Read(connection, transaction, tenantId, overflowQueue, limit: int.MaxValue);
        return EmailExplainer.ExplainQueued(new QueuedEmailInputs(email, waiting, agents, heads, now)
        {
            OverflowWaiting = overflowWaiting,
        });
    }

    private static ExplainedEmail? FindNewest(
        DbConnection connection, DbTransaction transaction, long tenantId, string entityId)
    {
        using var command = connection.Command(
            """
            SELECT id, entity_id, state, skill_queue, priority, enqueued_at, agent_id, escalated_at, overflow_queue
            FROM routed_emails
            WHERE tenant_id = @tenant AND entity_id = @entity ORDER BY id DESC LIMIT 1
            """, transaction);
        command.With("@tenant", tenantId).With("@entity", entityId);
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new ExplainedEmail(reader.ReadInt64(0), reader.GetString(1), Enum.Parse<RoutedEmailState>(reader.GetString(2)),
                reader.GetString(3), reader.ReadInt32(4), SqlCommands.ToTime(reader.ReadInt64(5)),
                reader.GetNullableString(6))
            {
                EscalatedAt = reader.IsDBNull(7) ? null : SqlCommands.ToTime(reader.ReadInt64(7)),
                OverflowQueue = reader.GetNullableString(8),
            }
            : null;
    }

    /// <summary>
    /// Reads every agent whose routing profile contains either queue, with its whole profile and load. Pass the
    /// email's queue twice for an email without an overflow queue.
    /// </summary>
    private static List<ExplainedAgent> ReadAgents(
        DbConnection connection, DbTransaction transaction, long tenantId, string queue, string overflowQueue)
    {
        using var command = connection.Command(
            """
            SELECT a.agent_id, a.status, a.max_concurrent_emails, s.skill_queue, s.rank, (
                SELECT COUNT(*) FROM routed_emails e
                WHERE e.tenant_id = a.tenant_id AND e.agent_id = a.agent_id
                  AND e.state IN ('Offered', 'Active', 'Wrap')) AS load,
                a.max_concurrent_tasks, a.other_work_count
            FROM agents a
            JOIN agent_skills s ON s.tenant_id = a.tenant_id AND s.agent_id = a.agent_id
            WHERE a.tenant_id = @tenant AND EXISTS (
                SELECT 1 FROM agent_skills q
                WHERE q.tenant_id = a.tenant_id AND q.agent_id = a.agent_id
                  AND q.skill_queue IN (@queue, @overflow))
            ORDER BY a.agent_id
            """, transaction);
        command.With("@tenant", tenantId).With("@queue", queue).With("@overflow", overflowQueue);
        using var reader = command.ExecuteReader();
        var agents = new List<ExplainedAgent>();
        Dictionary<string, int>? ranks = null;
        while (reader.Read())
        {
            var agentId = reader.GetString(0);
            if (agents.Count == 0 || agents[^1].AgentId != agentId)
            {
                ranks = new Dictionary<string, int>(StringComparer.Ordinal);
                agents.Add(new ExplainedAgent(agentId, Enum.Parse<AgentStatus>(reader.GetString(1)),
                    reader.ReadInt32(5), reader.ReadInt32(2), ranks)
                {
                    MaxConcurrentTasks = reader.IsDBNull(6) ? null : reader.ReadInt32(6),
                    OtherWork = reader.ReadInt32(7),
                });
            }

            ranks![reader.GetString(3)] = reader.ReadInt32(4);
        }

        return agents;
    }

    /// <summary>
    /// Reads, per agent, the end of the latest skip period of this email: the router skips an agent while any of
    /// its declined or expired offers of the email closed after <paramref name="skippedSince"/>.
    /// </summary>
    private static Dictionary<string, (DateTimeOffset Until, bool AfterExpiry)> ReadSkips(
        DbConnection connection, DbTransaction transaction, long emailId, DateTimeOffset skippedSince,
        TimeSpan declineSkip)
    {
        using var command = connection.Command(
            """
            SELECT agent_id, state, closed_at FROM offers
            WHERE email_id = @email AND state IN ('Declined', 'Expired') AND closed_at > @since
            ORDER BY closed_at, id
            """, transaction);
        command.With("@email", emailId).With("@since", skippedSince.ToStored());
        using var reader = command.ExecuteReader();
        var skips = new Dictionary<string, (DateTimeOffset, bool)>(StringComparer.Ordinal);
        while (reader.Read())
        {
            skips[reader.GetString(0)] =
                (SqlCommands.ToTime(reader.ReadInt64(2)) + declineSkip, reader.GetString(1) == "Expired");
        }

        return skips;
    }

    /// <summary>Reads the routing inputs recorded with the newest offer of the email to the agent holding it.</summary>
    private static ChosenAgent ReadChosen(
        DbConnection connection, DbTransaction transaction, ExplainedEmail email)
    {
        var agentId = email.AgentId!;
        using var command = connection.Command(
            """
            SELECT detail FROM events
            WHERE email_id = @email AND type = @type AND agent_id = @agent ORDER BY id DESC LIMIT 1
            """, transaction);
        command.With("@email", email.EmailId).With("@type", EventTypes.Offered).With("@agent", agentId);
        if (command.ExecuteScalar() is not string detail)
        {
            return new ChosenAgent(agentId, null, null, null);
        }

        var inputs = SqlCommands.FromJson<OfferRoutingInputs>(detail);
        return new ChosenAgent(agentId, inputs.Rank, inputs.EmailsHeld, inputs.IdleSince) { Queue = inputs.Queue };
    }
}

using System.Data.Common;
using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Tenants;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>
/// Reads the supervisor dashboard in SQLite and PostgreSQL. Queued emails are read through routed_emails_waiting,
/// held emails (Offered, Active, Wrap) through routed_emails_held, and today's offers through
/// offers_by_tenant_created, so completed emails of earlier days cost nothing.
/// </summary>
internal sealed class SqlDashboardStore(SqlDatabase database) : IDashboardStore
{
    public Task<TenantDashboard> ReadDashboardAsync(
        long tenantId, string timeZone, DateTimeOffset now, DateTimeOffset dayStart,
        CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        var waiting = ReadWaiting(connection, tenantId);
        var held = ReadHeld(connection, tenantId);
        var serviceLevels = ReadServiceLevels(connection, tenantId, dayStart);
        var queues = ReadQueues(connection, tenantId, now, waiting, held, serviceLevels);
        var agents = ReadAgents(connection, tenantId, now, held);
        return Task.FromResult(new TenantDashboard(now, dayStart, timeZone, queues, agents));
    }

    private static Dictionary<string, (int Count, long Oldest)> ReadWaiting(DbConnection connection, long tenantId)
    {
        using var command = connection.Command(
            """
            SELECT skill_queue, COUNT(*), MIN(enqueued_at) FROM routed_emails
            WHERE tenant_id = @tenant AND state = 'Queued'
            GROUP BY skill_queue
            """, null);
        command.With("@tenant", tenantId);
        using var reader = command.ExecuteReader();
        var rows = new Dictionary<string, (int, long)>(StringComparer.Ordinal);
        while (reader.Read())
        {
            rows[reader.GetString(0)] = (reader.ReadInt32(1), reader.ReadInt64(2));
        }

        return rows;
    }

    private static List<HeldCount> ReadHeld(DbConnection connection, long tenantId)
    {
        using var command = connection.Command(
            """
            SELECT skill_queue, state, agent_id, COUNT(*) FROM routed_emails
            WHERE tenant_id = @tenant AND state IN ('Offered', 'Active', 'Wrap')
            GROUP BY skill_queue, state, agent_id
            """, null);
        command.With("@tenant", tenantId);
        using var reader = command.ExecuteReader();
        var rows = new List<HeldCount>();
        while (reader.Read())
        {
            rows.Add(new HeldCount(reader.GetString(0), reader.GetString(1), reader.GetNullableString(2),
                reader.ReadInt32(3)));
        }

        return rows;
    }

    /// <summary>
    /// Counts per queue the distinct emails offered since the day start, and those of them with an offer made no
    /// later than the queue's service-level threshold after their enqueue time.
    /// </summary>
    private static Dictionary<string, (int Offered, int InLevel)> ReadServiceLevels(
        DbConnection connection, long tenantId, DateTimeOffset dayStart)
    {
        // NOTE: an offer counts in the queue the email is in now, because offers do not store their queue. An
        // email transferred to another queue after an offer today moves its count there.
        using var command = connection.Command(
            """
            SELECT e.skill_queue, COUNT(DISTINCT o.email_id),
                   COUNT(DISTINCT CASE WHEN o.created_at - e.enqueued_at <= 1000 * q.service_level_seconds
                                       THEN o.email_id END)
            FROM offers o
            JOIN routed_emails e ON e.id = o.email_id
            JOIN skill_queues q ON q.tenant_id = e.tenant_id AND q.name = e.skill_queue
            WHERE o.tenant_id = @tenant AND o.created_at >= @dayStart
            GROUP BY e.skill_queue
            """, null);
        command.With("@tenant", tenantId).With("@dayStart", dayStart.ToStored());
        using var reader = command.ExecuteReader();
        var rows = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        while (reader.Read())
        {
            rows[reader.GetString(0)] = (reader.ReadInt32(1), reader.ReadInt32(2));
        }

        return rows;
    }

    private static List<QueueDashboard> ReadQueues(
        DbConnection connection, long tenantId, DateTimeOffset now,
        Dictionary<string, (int Count, long Oldest)> waiting, List<HeldCount> held,
        Dictionary<string, (int Offered, int InLevel)> serviceLevels)
    {
        using var command = connection.Command(
            """
            SELECT name, enabled, unattended, service_level_seconds FROM skill_queues
            WHERE tenant_id = @tenant ORDER BY name
            """, null);
        command.With("@tenant", tenantId);
        using var reader = command.ExecuteReader();
        var queues = new List<QueueDashboard>();
        while (reader.Read())
        {
            var name = reader.GetString(0);
            DateTimeOffset? oldest = waiting.TryGetValue(name, out var wait) ? SqlCommands.ToTime(wait.Oldest) : null;
            var (offered, inLevel) = serviceLevels.GetValueOrDefault(name);
            queues.Add(new QueueDashboard(
                name, reader.GetBoolean(1), wait.Count, oldest,
                oldest is { } since ? WholeSeconds(now - since) : null,
                SumHeld(held, h => h.Queue == name && h.State == "Offered"),
                SumHeld(held, h => h.Queue == name && h.State == "Active"),
                SumHeld(held, h => h.Queue == name && h.State == "Wrap"),
                reader.GetBoolean(2), reader.ReadInt32(3), offered, inLevel,
                offered == 0 ? null : Math.Round(100.0 * inLevel / offered, 1)));
        }

        return queues;
    }

    private static List<AgentDashboard> ReadAgents(
        DbConnection connection, long tenantId, DateTimeOffset now, List<HeldCount> held)
    {
        using var command = connection.Command(
            """
            SELECT agent_id, display_name, status, away_reason, status_since, max_concurrent_emails,
                   other_work_count, COALESCE(max_concurrent_tasks, max_concurrent_emails)
            FROM agents WHERE tenant_id = @tenant ORDER BY agent_id
            """, null);
        command.With("@tenant", tenantId);
        var skills = ReadSkills(connection, tenantId);
        using var reader = command.ExecuteReader();
        var agents = new List<AgentDashboard>();
        while (reader.Read())
        {
            var agentId = reader.GetString(0);
            var since = SqlCommands.ToTime(reader.ReadInt64(4));
            agents.Add(new AgentDashboard(
                agentId, reader.GetString(1), Enum.Parse<AgentStatus>(reader.GetString(2)),
                reader.GetNullableString(3), since, WholeSeconds(now - since),
                SumHeld(held, h => h.AgentId == agentId && h.State == "Offered"),
                SumHeld(held, h => h.AgentId == agentId && h.State == "Active"),
                SumHeld(held, h => h.AgentId == agentId && h.State == "Wrap"),
                reader.ReadInt32(5), reader.ReadInt32(6), reader.ReadInt32(7),
                skills.TryGetValue(agentId, out var queues) ? queues : []));
        }

        return agents;
    }

    /// <summary>Lists each agent's skill queues, best rank first, so the page can filter agents by queue.</summary>
    private static Dictionary<string, List<string>> ReadSkills(DbConnection connection, long tenantId)
    {
        using var command = connection.Command(
            """
            SELECT agent_id, skill_queue FROM agent_skills
            WHERE tenant_id = @tenant ORDER BY agent_id, rank, skill_queue
            """, null);
        command.With("@tenant", tenantId);
        using var reader = command.ExecuteReader();
        var skills = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        while (reader.Read())
        {
            var agentId = reader.GetString(0);
            if (!skills.TryGetValue(agentId, out var queues))
            {
                queues = [];
                skills[agentId] = queues;
            }

            queues.Add(reader.GetString(1));
        }

        return skills;
    }

    private static int SumHeld(List<HeldCount> held, Func<HeldCount, bool> match) =>
        held.Where(match).Sum(h => h.Count);

    // A clock step backwards must not show a negative wait.
    private static long WholeSeconds(TimeSpan span) => Math.Max(0, (long)span.TotalSeconds);

    private sealed record HeldCount(string Queue, string State, string? AgentId, int Count);
}

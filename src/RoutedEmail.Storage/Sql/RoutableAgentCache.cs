using System.Collections.Concurrent;
using System.Data.Common;
using RoutedEmail.Core.Routing;

namespace RoutedEmail.Storage.Sql;

/// <summary>
/// This node's copy of each tenant's routable agents, kept between routing steps. A step brings its tenant's copy up
/// to date from the agents whose version in <c>agent_routing_versions</c> is above the copy's version, so it reads
/// the agents that changed since the step before, not every Available agent. Database triggers stamp a new version on
/// every change to an agent's status, maxima, other work, idle time, skills or held emails (SQLite migration 0025,
/// PostgreSQL 0017).
/// </summary>
/// <remarks>
/// A tenant's copy is used only inside a write transaction that holds the tenant's write lock, so two steps never
/// use it at once. The database stays the source of truth: a copy is rebuilt from it after a failed step and after
/// a restart.
/// </remarks>
internal sealed class RoutableAgentCache
{
    private readonly ConcurrentDictionary<long, TenantAgents> _tenants = new();

    /// <summary>
    /// The Available agents below both maxima, one row per skill queue of each, in agent id order. The CTE counts each
    /// Available agent's held emails once, through <c>routed_emails_held_by_agent</c>, so the count follows the open
    /// emails and not the agent's history. The redundant <c>status &lt;&gt; 'Offline'</c> lets the planner start from
    /// <c>agents_not_offline</c> instead of every agent of the tenant. The filter on the load repeats
    /// <see cref="RoutingPolicy.CountFreeSlots"/>, so the skill rows of busy agents are not read. SQLite keeps the
    /// left table of a CROSS JOIN as the outer loop, so it looks up each free agent's skills by primary key; with a
    /// plain JOIN it chose <c>agent_skills_by_queue</c> as the outer loop and scanned the CTE once per skill row.
    /// </summary>
    internal const string RoutableAgentsQuery =
        """
        WITH available AS MATERIALIZED (
            SELECT a.agent_id, a.max_concurrent_emails AS max_emails, a.idle_since,
                   a.other_work_count AS other_work,
                   COALESCE(a.max_concurrent_tasks, a.max_concurrent_emails) AS max_tasks, (
                       SELECT COUNT(*) FROM routed_emails e
                       WHERE e.tenant_id = a.tenant_id AND e.agent_id = a.agent_id
                         AND e.state IN ('Offered', 'Active', 'Wrap')) AS load
            FROM agents a
            WHERE a.tenant_id = @tenant AND a.status <> 'Offline' AND a.status = 'Available')
        SELECT v.agent_id, v.max_emails, v.idle_since, s.skill_queue, s.rank, v.load, v.other_work, v.max_tasks
        FROM available v
        CROSS JOIN agent_skills s
        WHERE v.load < v.max_emails AND v.load + v.other_work < v.max_tasks
          AND s.tenant_id = @tenant AND s.agent_id = v.agent_id
        ORDER BY v.agent_id
        """;

    /// <summary>
    /// Every agent whose version is above <c>@since</c>, in agent id order, in the columns of
    /// <see cref="RoutableAgentsQuery"/>. A routable agent has one row per skill queue. Any other agent, a deleted one
    /// included, has one row whose queue is NULL. One statement reads both, so on PostgreSQL they come from one
    /// snapshot.
    /// </summary>
    internal const string ChangedAgentsQuery =
        """
        WITH changed AS MATERIALIZED (
            SELECT r.agent_id, a.status, COALESCE(a.max_concurrent_emails, 0) AS max_emails,
                   COALESCE(a.idle_since, 0) AS idle_since, COALESCE(a.other_work_count, 0) AS other_work,
                   COALESCE(a.max_concurrent_tasks, a.max_concurrent_emails, 0) AS max_tasks, (
                       SELECT COUNT(*) FROM routed_emails e
                       WHERE e.tenant_id = r.tenant_id AND e.agent_id = r.agent_id
                         AND e.state IN ('Offered', 'Active', 'Wrap')) AS load
            FROM agent_routing_versions r
            LEFT JOIN agents a ON a.tenant_id = r.tenant_id AND a.agent_id = r.agent_id
            WHERE r.tenant_id = @tenant AND r.version > @since)
        SELECT c.agent_id, c.max_emails, c.idle_since, s.skill_queue, s.rank, c.load, c.other_work, c.max_tasks
        FROM changed c
        LEFT JOIN agent_skills s
          ON c.status = 'Available' AND c.load < c.max_emails AND c.load + c.other_work < c.max_tasks
             AND s.tenant_id = @tenant AND s.agent_id = c.agent_id
        ORDER BY c.agent_id
        """;

    /// <summary>
    /// Brings the tenant's copy up to date inside the caller's write transaction and returns it. The caller changes
    /// it with each offer, and calls <see cref="Forget"/> when its transaction does not commit.
    /// </summary>
    public TenantAgents Refresh(DbConnection connection, DbTransaction transaction, long tenantId)
    {
        // Every version up to this one is committed: a transaction that took a later one keeps the tenant's
        // counter row locked, or on SQLite the only write lock, until it ends.
        using var versionCommand = connection.Command(
            "SELECT last_version FROM agent_routing_counters WHERE tenant_id = @tenant", transaction);
        var version = versionCommand.With("@tenant", tenantId).ExecuteInt64() ?? 0;
        if (_tenants.TryGetValue(tenantId, out var agents) && agents.Version <= version)
        {
            if (agents.Version < version)
            {
                using var changed = connection.Command(ChangedAgentsQuery, transaction);
                changed.With("@tenant", tenantId).With("@since", agents.Version);
                Apply(changed, agents);
                agents.Version = version;
            }

            return agents;
        }

        // The first step of the tenant on this node, or one after a failed step, reads every routable agent.
        agents = new TenantAgents { Version = version };
        using var all = connection.Command(RoutableAgentsQuery, transaction);
        all.With("@tenant", tenantId);
        Apply(all, agents);
        _tenants[tenantId] = agents;
        return agents;
    }

    /// <summary>Drops the tenant's copy, so the next step reads every routable agent again.</summary>
    public void Forget(long tenantId) => _tenants.TryRemove(tenantId, out _);

    /// <summary>
    /// Replaces each agent that the command's rows name with its routable form, or removes it when it has no row
    /// with a skill queue.
    /// </summary>
    private static void Apply(DbCommand command, TenantAgents agents)
    {
        using var reader = command.ExecuteReader();
        RoutableAgent? current = null;
        while (reader.Read())
        {
            var agentId = reader.GetString(0);
            if (current?.AgentId != agentId)
            {
                agents.Remove(agentId);
                if (current is { FreeSlots: > 0, Ranks.Count: > 0 })
                {
                    agents.Add(current);
                }

                var load = reader.ReadInt32(5);
                var freeSlots = RoutingPolicy.CountFreeSlots(
                    load, reader.ReadInt32(6), reader.ReadInt32(1), reader.ReadInt32(7));
                current = new RoutableAgent(agentId, new Dictionary<string, int>(StringComparer.Ordinal), load,
                    freeSlots, SqlCommands.ToTime(reader.ReadInt64(2)));
            }

            if (!reader.IsDBNull(3))
            {
                ((Dictionary<string, int>)current.Ranks)[reader.GetString(3)] = reader.ReadInt32(4);
            }
        }

        if (current is { FreeSlots: > 0, Ranks.Count: > 0 })
        {
            agents.Add(current);
        }
    }
}

/// <summary>One tenant's routable agents with the version they were read at.</summary>
internal sealed class TenantAgents : RoutableAgentSet
{
    public long Version { get; set; }
}

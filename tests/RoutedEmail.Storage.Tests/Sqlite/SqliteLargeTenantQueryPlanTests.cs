using RoutedEmail.Storage.Sql;

namespace RoutedEmail.Storage.Tests.Sqlite;

/// <summary>
/// Query plans of the routing-step and deadline queries on a tenant with many skill queues, agents and waiting
/// emails. A plan that scans a whole table or index there costs minutes per routing step, so these tests name the
/// index each query must search.
/// </summary>
public sealed class SqliteLargeTenantQueryPlanTests
{
    private const int Queues = 2_000;
    private const int Agents = 8_000;
    private const int Emails = 20_000;

    [Fact]
    public async Task AttendanceChangesQuery_LargeTenant_StartsFromAgentsNotOffline()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SeedLargeTenantAsync(database);

        var plan = ReadPlan(database, SqlRoutingStore.AttendanceChangesQuery, tenantId);

        Assert.Contains(plan, StartsWith("SEARCH a USING COVERING INDEX agents_not_offline (tenant_id=?)"));
        Assert.Contains(plan, StartsWith(
            "SEARCH s USING COVERING INDEX sqlite_autoindex_agent_skills_1 (tenant_id=? AND agent_id=?)"));
        Assert.Contains(plan, StartsWith(
            "SEARCH e USING COVERING INDEX routed_emails_waiting (tenant_id=? AND skill_queue=?)"));
        Assert.Contains(plan, StartsWith("SEARCH q USING INDEX sqlite_autoindex_skill_queues_1"));
        Assert.DoesNotContain(plan, StartsWith("SCAN"));
    }

    [Fact]
    public async Task RoutableAgentsQuery_LargeTenant_UsesOpenEmailIndex()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SeedLargeTenantAsync(database);

        var plan = ReadPlan(database, RoutableAgentCache.RoutableAgentsQuery, tenantId);

        Assert.Contains(plan, StartsWith("SEARCH a USING INDEX agents_not_offline (tenant_id=?)"));
        Assert.Contains(plan, StartsWith(
            "SEARCH e USING COVERING INDEX routed_emails_held_by_agent (tenant_id=? AND agent_id=?"));
        Assert.DoesNotContain(plan, line => line.Contains("routed_emails_by_agent", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, StartsWith("SCAN a"));
    }

    [Fact]
    public async Task ChangedAgentsQuery_LargeTenant_SearchesVersionIndex()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SeedLargeTenantAsync(database);

        var plan = database.ReadPlan(RoutableAgentCache.ChangedAgentsQuery, ("@tenant", tenantId), ("@since", 100L));

        Assert.Contains(plan, StartsWith(
            "SEARCH r USING INDEX agent_routing_versions_by_version (tenant_id=? AND version>?)"));
        Assert.Contains(plan, StartsWith("SEARCH a USING INDEX sqlite_autoindex_agents_1 (tenant_id=? AND agent_id=?)"));
        Assert.Contains(plan, StartsWith(
            "SEARCH e USING COVERING INDEX routed_emails_held_by_agent (tenant_id=? AND agent_id=?"));
        Assert.Contains(plan, StartsWith("SEARCH s USING INDEX sqlite_autoindex_agent_skills_1 (tenant_id=? AND agent_id=?)"));
        Assert.DoesNotContain(plan, StartsWith("SCAN a"));
        Assert.DoesNotContain(plan, StartsWith("SCAN s"));
    }

    [Fact]
    public async Task MayOfferQuery_LargeTenant_SearchesPartialIndexes()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SeedLargeTenantAsync(database);

        var plan = ReadPlan(database, SqlRoutingStore.MayOfferQuery, tenantId);

        // The bundled SQLite prints these steps as "SEARCH e EXISTS USING ...", so only the parts are matched.
        Assert.Contains(plan, line => line.StartsWith("SEARCH e", StringComparison.Ordinal)
            && line.Contains("USING COVERING INDEX routed_emails_waiting (tenant_id=?)", StringComparison.Ordinal));
        Assert.Contains(plan, line => line.StartsWith("SEARCH a", StringComparison.Ordinal)
            && line.Contains("USING COVERING INDEX agents_not_offline (tenant_id=?)", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, StartsWith("SCAN"));
    }

    [Fact]
    public async Task DueEmailsQuery_LargeTenant_StartsFromQueuesWithRule()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SeedLargeTenantAsync(database);

        var plan = ReadPlan(database, SqlRoutingStore.DueEmailsQuery, tenantId);

        Assert.Equal("SCAN q USING COVERING INDEX skill_queues_escalating", plan[0]);
        Assert.Contains(plan, StartsWith(
            "SEARCH e USING INDEX routed_emails_unescalated (tenant_id=? AND skill_queue=? AND enqueued_at<?)"));
        Assert.DoesNotContain(plan, StartsWith("SCAN e"));
    }

    [Fact]
    public async Task NextEscalationQuery_LargeTenant_StartsFromQueuesWithRule()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SeedLargeTenantAsync(database);

        var plan = ReadPlan(database, SqlRoutingStore.NextEscalationQuery, tenantId);

        Assert.Contains(plan, 
            line => line.Contains("q USING COVERING INDEX skill_queues_escalating", StringComparison.Ordinal));
        Assert.Contains(plan, StartsWith(
            "SEARCH e USING INDEX routed_emails_unescalated (tenant_id=? AND skill_queue=?)"));
        Assert.DoesNotContain(plan, StartsWith("SCAN e"));
    }

    [Fact]
    public async Task UpdateQueueAttendanceAsync_LargeTenant_FlagsQueuesWithoutAgentNotOffline()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SeedLargeTenantAsync(database);

        var changes = await database.Routing.UpdateQueueAttendanceAsync(tenantId, CancellationToken.None);

        // Agent i serves queue i modulo the queue count, and every 100th agent is Away, so queues 0, 100, 200 and
        // so on are attended. Every queue has waiting email.
        var expected = Enumerable.Range(0, Queues).Where(i => i % 100 != 0).Select(QueueName).ToList();
        Assert.Equal(expected, changes.Select(change => change.Queue).ToList());
        Assert.All(changes, change => Assert.True(change.Unattended));
        Assert.Empty(await database.Routing.UpdateQueueAttendanceAsync(tenantId, CancellationToken.None));
    }

    [Fact]
    public async Task EscalateDueEmailsAsync_LargeTenant_EscalatesOnlyQueuesWithRule()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SeedLargeTenantAsync(database);
        database.Time.Advance(TimeSpan.FromSeconds(600));

        var escalated = await database.Routing.EscalateDueEmailsAsync(CancellationToken.None);

        // Queues 0, 500, 1000 and 1500 have a rule of 600 seconds, and 10 emails each.
        Assert.Equal(40, escalated.Count);
        Assert.All(escalated, email => Assert.Contains(email.Queue, RuleQueueNames()));
        Assert.All(escalated, email => Assert.Equal(email.PreviousPriority + 1, email.Priority));
        Assert.Equal(40, database.QueryLong("SELECT COUNT(*) FROM routed_emails WHERE escalated_at IS NOT NULL"));
    }

    private static Predicate<string> StartsWith(string prefix) =>
        line => line.StartsWith(prefix, StringComparison.Ordinal);

    private static string QueueName(int index) => $"queue-{index:D5}";

    private static IEnumerable<string> RuleQueueNames() =>
        Enumerable.Range(0, Queues).Where(i => i % 500 == 0).Select(QueueName);

    /// <summary>
    /// Seeds one tenant with <see cref="Queues"/> queues, <see cref="Agents"/> agents and <see cref="Emails"/>
    /// waiting emails. Agent i serves queue i modulo the queue count and is Away when i is a multiple of 100, else
    /// Offline. Email i waits in queue i modulo the queue count, enqueued at the fake clock's start. Every 500th queue
    /// has an escalation rule of 600 seconds that raises the priority by 1.
    /// </summary>
    private static async Task<long> SeedLargeTenantAsync(TestDatabase database)
    {
        var tenantId = await database.CreateTenantAsync();
        var now = database.Time.GetUtcNow().ToUnixTimeMilliseconds();
        database.Execute(
            """
            INSERT INTO skill_queues (tenant_id, name, offer_timeout_seconds, wrap_seconds, service_level_seconds,
                                      work_code_groups, work_code_required, escalate_after_seconds,
                                      escalate_priority_by)
            SELECT $tenant, printf('queue-%05d', i), 60, 0, 3600, '[]', 0,
                   CASE WHEN i % 500 = 0 THEN 600 END, CASE WHEN i % 500 = 0 THEN 1 ELSE 0 END
            FROM (WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $queues - 1)
                  SELECT i FROM n);

            INSERT INTO agents (tenant_id, agent_id, display_name, password_hash, max_concurrent_emails, status,
                                status_since, idle_since)
            SELECT $tenant, printf('agent-%05d', i), 'Agent', 'hash', 1,
                   CASE WHEN i % 100 = 0 THEN 'Away' ELSE 'Offline' END, $now, $now
            FROM (WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $agents - 1)
                  SELECT i FROM n);

            INSERT INTO agent_skills (tenant_id, agent_id, skill_queue, rank)
            SELECT $tenant, printf('agent-%05d', i), printf('queue-%05d', i % $queues), 1
            FROM (WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $agents - 1)
                  SELECT i FROM n);

            INSERT INTO routed_emails (tenant_id, entity_id, owner_id, skill_queue, priority, state, from_address,
                                       to_address, subject, attributes, received_at, enqueued_at)
            SELECT $tenant, printf('email-%06d', i), 'owner-1', printf('queue-%05d', i % $queues), 0, 'Queued',
                   'customer@example.com', 'support@example.com', 'Subject', '[]', $now, $now
            FROM (WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $emails - 1)
                  SELECT i FROM n);
            """,
            ("$tenant", tenantId), ("$now", now), ("$queues", Queues), ("$agents", Agents), ("$emails", Emails));
        return tenantId;
    }

    private static List<string> ReadPlan(TestDatabase database, string sql, long tenantId) =>
        database.ReadPlan(sql, ("@tenant", tenantId), ("@now", database.Time.GetUtcNow().ToUnixTimeMilliseconds()));
}

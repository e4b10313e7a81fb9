using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Emails;
using RoutedEmail.Storage.Abstractions;
using RoutedEmail.Storage.Sql;

namespace RoutedEmail.Storage.Tests.Sqlite;

/// <summary>
/// Query plans of the reads that run on every routing step and every agent action, on a tenant with a long history:
/// thousands of completed emails per agent, and thousands of accepted and declined offers. A plan that reads the
/// history there costs time in proportion to it. A 30-minute soak run showed that as server CPU per email that kept
/// growing, so these tests name the index each query must search.
/// </summary>
public sealed class SqliteLongHistoryQueryPlanTests
{
    private const int ClosedEmails = 20_000;
    private const string Agent = "agent-1";

    [Fact]
    public async Task AcceptedEmailsQuery_LongHistory_UsesOpenEmailIndex()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SeedLongHistoryAsync(database);

        var plan = ReadPlan(database, SqlAgentStore.AcceptedEmailsQuery, tenantId);

        Assert.Contains(plan, line => line.StartsWith(
            "SEARCH h USING COVERING INDEX routed_emails_held_by_agent (tenant_id=? AND agent_id=? AND state=?)",
            StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.Contains("routed_emails_by_agent", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SkipsQuery_LongHistory_UsesTenantSkipIndex()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SeedLongHistoryAsync(database);

        var plan = ReadPlan(database, SqlRoutingStore.SkipsQuery, tenantId);

        Assert.Contains(plan, line => line.StartsWith(
            "SEARCH o USING INDEX offers_skipped_by_tenant (tenant_id=? AND closed_at>?)", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.Contains("offers_by_tenant_created", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetWorkAsync_LongHistory_ReturnsAcceptedEmail()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SeedLongHistoryAsync(database);
        var emailId = await database.QueueEmailAsync(tenantId, "email-open");
        await database.SetStatusAsync(tenantId, Agent, AgentStatus.Available);
        var offer = Assert.Single(await database.RouteAsync(tenantId));
        Assert.True((await database.Agents.AcceptAsync(tenantId, Agent, offer.OfferId, CancellationToken.None))
            .Status == AgentActionStatus.Done);

        var work = await database.Agents.GetWorkAsync(tenantId, Agent, CancellationToken.None);

        var email = Assert.Single(work.Emails);
        Assert.Equal(emailId, email.EmailId);
        Assert.Equal(RoutedEmailState.Active, email.State);
        Assert.Empty(work.Offers);
    }

    [Fact]
    public async Task RouteAsync_LongHistory_SkipsRecentDecline()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SeedLongHistoryAsync(database);
        await database.QueueEmailAsync(tenantId, "email-declined");
        await database.SetStatusAsync(tenantId, Agent, AgentStatus.Available);
        var offer = Assert.Single(await database.RouteAsync(tenantId));
        Assert.True((await database.Agents.DeclineAsync(tenantId, Agent, offer.OfferId, CancellationToken.None))
            .Status == AgentActionStatus.Done);

        // The agent declined the email just now, so it is skipped. The seeded declines are hours old.
        Assert.Empty(await database.RouteAsync(tenantId));
        database.Time.Advance(TestDatabase.DeclineSkip + TimeSpan.FromSeconds(1));
        Assert.Equal("email-declined", Assert.Single(await database.RouteAsync(tenantId)).EntityId);
    }

    /// <summary>
    /// Seeds the queue Sales and <see cref="Agent"/>, Offline with a maximum of 2, who completed
    /// <see cref="ClosedEmails"/> emails over the last hours: each with an accepted offer, and every fourth with a
    /// declined offer before it. Nothing is Queued or held.
    /// </summary>
    private static async Task<long> SeedLongHistoryAsync(TestDatabase database)
    {
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        await database.PutAgentAsync(tenantId, Agent, 2, ("Sales", 1));
        var now = database.Time.GetUtcNow().ToUnixTimeMilliseconds();
        database.Execute(
            """
            INSERT INTO routed_emails (tenant_id, entity_id, owner_id, skill_queue, priority, state, agent_id,
                                       from_address, to_address, subject, attributes, received_at, enqueued_at,
                                       closed_at, work_code)
            SELECT $tenant, printf('closed-%06d', i), 'owner-1', 'Sales', 0, 'Completed', $agent,
                   'customer@example.com', 'support@example.com', 'Subject', '[]', $start + i, $start + i,
                   $start + i + 500, 'Done'
            FROM (WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $emails - 1)
                  SELECT i FROM n);

            INSERT INTO offers (tenant_id, email_id, agent_id, state, created_at, expires_at, closed_at)
            SELECT tenant_id, id, $agent, 'Declined', enqueued_at, enqueued_at + 60000, enqueued_at + 100
            FROM routed_emails WHERE tenant_id = $tenant AND state = 'Completed' AND id % 4 = 0;

            INSERT INTO offers (tenant_id, email_id, agent_id, state, created_at, expires_at, closed_at)
            SELECT tenant_id, id, $agent, 'Accepted', enqueued_at + 200, enqueued_at + 60200, enqueued_at + 300
            FROM routed_emails WHERE tenant_id = $tenant AND state = 'Completed';
            """,
            ("$tenant", tenantId), ("$agent", Agent), ("$emails", ClosedEmails),
            ("$start", now - (long)TimeSpan.FromHours(6).TotalMilliseconds));
        return tenantId;
    }

    private static List<string> ReadPlan(TestDatabase database, string sql, long tenantId) =>
        database.ReadPlan(
            sql, ("@tenant", tenantId), ("@agent", Agent),
            ("@since", (database.Time.GetUtcNow() - TestDatabase.DeclineSkip).ToUnixTimeMilliseconds()));
}

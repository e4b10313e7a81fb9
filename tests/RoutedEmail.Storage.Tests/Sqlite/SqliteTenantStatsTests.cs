using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Tenants;
using RoutedEmail.Storage.Sql;

namespace RoutedEmail.Storage.Tests.Sqlite;

/// <summary>
/// The tenant stats: which emails they count, and that their email queries read only indexes of open emails, so
/// completed emails add nothing to their cost.
/// </summary>
public sealed class SqliteTenantStatsTests
{
    private const int CompletedEmails = 5_000;

    [Fact]
    public async Task GetStatsAsync_WrapEmail_CountsWrapOfOwnTenant()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        var otherTenantId = await database.CreateTenantAsync("globex");
        await database.PutQueueAsync(tenantId, "Sales", wrapSeconds: 60);
        await database.PutQueueAsync(otherTenantId, "Sales");
        await database.PutAgentAsync(tenantId, "agent-1", 2, ("Sales", 1));
        var wrapId = await database.QueueEmailAsync(tenantId, "wrap");
        await database.QueueEmailAsync(otherTenantId, "other-tenant");
        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);
        await database.RouteAsync(tenantId);
        await database.Agents.AcceptAsync(
            tenantId, "agent-1", database.PendingOfferId(wrapId), CancellationToken.None);
        await database.Agents.CompleteAsync(tenantId, "agent-1", wrapId, null, null, CancellationToken.None);
        await database.QueueEmailAsync(tenantId, "waiting");

        var stats = await database.Configuration.GetStatsAsync(tenantId, CancellationToken.None);
        var otherStats = await database.Configuration.GetStatsAsync(otherTenantId, CancellationToken.None);

        Assert.Equal("Wrap", database.QueryString("SELECT state FROM routed_emails WHERE id = $id", ("$id", wrapId)));
        Assert.Equal([new QueueStats("Sales", 1, 0, 0, 1, false)], stats.Queues);
        Assert.Equal([new QueueStats("Sales", 1, 0, 0, 0, false)], otherStats.Queues);
    }

    [Fact]
    public async Task GetStatsAsync_ManyCompletedEmails_CountsOnlyOpen()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SeedCompletedAsync(database);
        await database.QueueEmailAsync(tenantId, "waiting");

        var stats = await database.Configuration.GetStatsAsync(tenantId, CancellationToken.None);

        Assert.Equal([new QueueStats("Sales", 1, 0, 0, 0, false)], stats.Queues);
    }

    [Fact]
    public async Task WaitingQuery_ManyCompletedEmails_ReadsWaitingIndexOnly()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SeedCompletedAsync(database);

        var plan = ReadPlan(database, SqlTenantStats.WaitingQuery, tenantId);

        Assert.Equal(["SEARCH routed_emails USING COVERING INDEX routed_emails_waiting (tenant_id=?)"], plan);
    }

    [Fact]
    public async Task HeldQuery_ManyCompletedEmails_ReadsHeldIndexOnly()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SeedCompletedAsync(database);

        var plan = ReadPlan(database, SqlTenantStats.HeldQuery, tenantId);

        Assert.Contains(
            "SEARCH routed_emails USING COVERING INDEX routed_emails_held (tenant_id=?)", plan);
        Assert.DoesNotContain(plan, line => line.StartsWith("SCAN", StringComparison.Ordinal));
    }

    /// <summary>Creates a tenant with the queue Sales and <see cref="CompletedEmails"/> Completed emails in it.</summary>
    private static async Task<long> SeedCompletedAsync(TestDatabase database)
    {
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        var now = database.Time.GetUtcNow().ToUnixTimeMilliseconds();
        database.Execute(
            """
            INSERT INTO routed_emails (tenant_id, entity_id, owner_id, skill_queue, priority, state, agent_id,
                                       from_address, to_address, subject, attributes, received_at, enqueued_at,
                                       closed_at)
            SELECT $tenant, printf('done-%06d', i), 'owner-1', 'Sales', 0, 'Completed', 'agent-1',
                   'customer@example.com', 'support@example.com', 'Subject', '[]', $now, $now, $now
            FROM (WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $count - 1)
                  SELECT i FROM n);
            """,
            ("$tenant", tenantId), ("$now", now), ("$count", CompletedEmails));
        return tenantId;
    }

    /// <summary>Returns the detail column of <c>EXPLAIN QUERY PLAN</c> for the query, one line per plan step.</summary>
    private static List<string> ReadPlan(TestDatabase database, string sql, long tenantId)
    {
        using var connection = database.Database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        command.Parameters.AddWithValue("@tenant", tenantId);
        using var reader = command.ExecuteReader();
        var plan = new List<string>();
        while (reader.Read())
        {
            plan.Add(reader.GetString(3));
        }

        return plan;
    }
}

using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Emails;
using RoutedEmail.Storage.Sql;

namespace RoutedEmail.Storage.Tests.Sqlite;

/// <summary>The event log reads of the interval reports: which events come back, their queues and the query plan.</summary>
public sealed class SqliteIntervalReportStoreTests
{
    [Fact]
    public async Task ReadEmailEventsAsync_Transferred_ReturnsQueuePerEvent()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        await database.PutQueueAsync(tenantId, "Billing");
        await database.PutAgentAsync(tenantId, "ana", 1, ("Sales", 1));
        var emailId = await database.QueueEmailAsync(tenantId, "e-1");
        await database.SetStatusAsync(tenantId, "ana", AgentStatus.Available);
        await database.RouteAsync(tenantId);
        var offerId = database.PendingOfferId(emailId);
        await database.Agents.AcceptAsync(tenantId, "ana", offerId, CancellationToken.None);
        database.Time.Advance(TimeSpan.FromMinutes(1));
        await database.Agents.TransferAsync(tenantId, "ana", emailId, "Billing", null, CancellationToken.None);
        var store = new SqlIntervalReportStore(database.Database);

        var events = await store.ReadEmailEventsAsync(
            tenantId, database.Time.GetUtcNow(), database.Time.GetUtcNow().AddSeconds(1), CancellationToken.None);

        Assert.Equal(
            [EventTypes.Received, EventTypes.Offered, EventTypes.Accepted, EventTypes.Transferred],
            events.Select(e => e.Type));
        Assert.Equal(["Sales", "Sales", "Sales", "Billing"], events.Select(e => e.Queue));
        Assert.All(events, e => Assert.Equal(emailId, e.EmailId));
    }

    [Fact]
    public async Task ReadEmailEventsAsync_NoEventInRange_ReturnsNone()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        await database.QueueEmailAsync(tenantId, "e-1");
        database.Time.Advance(TimeSpan.FromHours(1));
        var store = new SqlIntervalReportStore(database.Database);

        var events = await store.ReadEmailEventsAsync(
            tenantId, database.Time.GetUtcNow(), database.Time.GetUtcNow().AddHours(1), CancellationToken.None);

        Assert.Empty(events);
    }

    [Fact]
    public async Task EmailEventsQuery_Plan_UsesBothIndexes()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();

        using var connection = database.Database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + SqlIntervalReportStore.EmailEventsQuery;
        command.Parameters.AddWithValue("@tenant", tenantId);
        command.Parameters.AddWithValue("@from", 0L);
        command.Parameters.AddWithValue("@to", 1L);
        using var reader = command.ExecuteReader();
        var plan = new List<string>();
        while (reader.Read())
        {
            plan.Add(reader.GetString(3));
        }

        Assert.Contains(plan, line => line.StartsWith(
            "SEARCH s USING COVERING INDEX events_by_tenant_time (tenant_id=? AND at>? AND at<?)",
            StringComparison.Ordinal));
        Assert.Contains("SEARCH e USING INDEX events_by_email (email_id=?)", plan);
        Assert.DoesNotContain(plan, line => line.StartsWith("SCAN e", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.StartsWith("SCAN s", StringComparison.Ordinal));
    }
}

using RoutedEmail.Core.Agents;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Tests.Sqlite;

public sealed class SqliteDeclineAndWrapTests
{
    [Fact]
    public async Task DeclineAsync_Pending_RequeuesAndCounts()
    {
        await using var database = TestDatabase.Create();
        var (tenantId, emailId) = await OfferOneAsync(database);
        var offerId = database.PendingOfferId(emailId);

        var outcome = await database.Agents.DeclineAsync(tenantId, "agent-1", offerId, CancellationToken.None);

        Assert.Equal(AgentActionStatus.Done, outcome.Status);
        Assert.Equal("Declined", database.QueryString("SELECT state FROM offers WHERE id = $id", ("$id", offerId)));
        Assert.Equal("Queued", database.QueryString("SELECT state FROM routed_emails WHERE id = $id", ("$id", emailId)));
        Assert.Equal(1, database.QueryLong(
            "SELECT decline_count FROM routed_emails WHERE id = $id", ("$id", emailId)));
        Assert.Equal(1, database.QueryLong(
            "SELECT COUNT(*) FROM events WHERE type = 'OfferDeclined' AND offer_id = $id", ("$id", offerId)));
    }

    [Fact]
    public async Task DeclineAsync_Twice_ConflictNamesDeclined()
    {
        await using var database = TestDatabase.Create();
        var (tenantId, emailId) = await OfferOneAsync(database);
        var offerId = database.PendingOfferId(emailId);
        await database.Agents.DeclineAsync(tenantId, "agent-1", offerId, CancellationToken.None);

        var outcome = await database.Agents.DeclineAsync(tenantId, "agent-1", offerId, CancellationToken.None);

        Assert.Equal(new AgentActionOutcome(AgentActionStatus.Conflict, "Declined"), outcome);
    }

    [Fact]
    public async Task RouteAsync_WithinSkip_SkipsAgent()
    {
        await using var database = TestDatabase.Create();
        var (tenantId, emailId) = await OfferOneAsync(database);
        await database.Agents.DeclineAsync(
            tenantId, "agent-1", database.PendingOfferId(emailId), CancellationToken.None);
        database.Time.Advance(TestDatabase.DeclineSkip - TimeSpan.FromMilliseconds(1));

        var during = await database.RouteAsync(tenantId);
        database.Time.Advance(TimeSpan.FromMilliseconds(1));
        var after = await database.RouteAsync(tenantId);

        Assert.Empty(during);
        Assert.Equal(emailId, Assert.Single(after).EmailId);
    }

    [Fact]
    public async Task RouteAsync_DeclinedEmailAhead_OffersNextEmail()
    {
        await using var database = TestDatabase.Create();
        var (tenantId, emailId) = await OfferOneAsync(database);
        var nextId = await database.QueueEmailAsync(tenantId, "email-2");
        await database.Agents.DeclineAsync(
            tenantId, "agent-1", database.PendingOfferId(emailId), CancellationToken.None);

        var offers = await database.RouteAsync(tenantId);

        Assert.Equal(nextId, Assert.Single(offers).EmailId);
    }

    [Fact]
    public async Task FindNextSkipEndAsync_Declined_ReturnsSkipEnd()
    {
        await using var database = TestDatabase.Create();
        var (tenantId, emailId) = await OfferOneAsync(database);
        database.Time.Advance(TimeSpan.FromSeconds(7));
        await database.Agents.DeclineAsync(
            tenantId, "agent-1", database.PendingOfferId(emailId), CancellationToken.None);

        var next = await database.Routing.FindNextSkipEndAsync(
            database.Time.GetUtcNow(), TestDatabase.DeclineSkip, CancellationToken.None);
        database.Time.Advance(TestDatabase.DeclineSkip);
        var passedButNotHandled = await database.Routing.FindNextSkipEndAsync(
            TestDatabase.Start, TestDatabase.DeclineSkip, CancellationToken.None);
        var ended = await database.Routing.ListTenantsWithSkipsEndedAsync(
            TestDatabase.Start, TestDatabase.DeclineSkip, CancellationToken.None);
        var later = await database.Routing.FindNextSkipEndAsync(
            database.Time.GetUtcNow(), TestDatabase.DeclineSkip, CancellationToken.None);

        Assert.Equal(TestDatabase.Start.AddSeconds(7) + TestDatabase.DeclineSkip, next);
        Assert.Equal(next, passedButNotHandled);
        Assert.Equal(tenantId, Assert.Single(ended));
        Assert.Null(later);
    }

    [Fact]
    public async Task CompleteAsync_QueueWrap_EntersWrapUntilDeadline()
    {
        await using var database = TestDatabase.Create();
        var (tenantId, emailId) = await OfferOneAsync(database, wrapSeconds: 20);
        await database.Agents.AcceptAsync(tenantId, "agent-1", database.PendingOfferId(emailId), CancellationToken.None);

        var outcome = await database.Agents.CompleteAsync(
            tenantId, "agent-1", emailId, "Sold", null, CancellationToken.None);
        var wrapEnd = await database.Routing.FindNextWrapEndAsync(CancellationToken.None);
        database.Time.Advance(TimeSpan.FromSeconds(19));
        var early = await database.Routing.EndDueWrapsAsync(CancellationToken.None);
        database.Time.Advance(TimeSpan.FromSeconds(1));
        var due = await database.Routing.EndDueWrapsAsync(CancellationToken.None);

        Assert.Equal("WrapStarted", outcome.Event);
        Assert.Equal(TestDatabase.Start.AddSeconds(20), wrapEnd);
        Assert.Empty(early);
        Assert.Equal(emailId, Assert.Single(due).EmailId);
        Assert.Equal("Completed", database.QueryString(
            "SELECT state FROM routed_emails WHERE id = $id", ("$id", emailId)));
        Assert.Equal(TestDatabase.Start.AddSeconds(20).ToUnixTimeMilliseconds(), database.QueryLong(
            "SELECT closed_at FROM routed_emails WHERE id = $id", ("$id", emailId)));
    }

    /// <summary>Creates queue Sales, Available agent-1 with maximum 1, and one email offered to that agent.</summary>
    private static async Task<(long TenantId, long EmailId)> OfferOneAsync(TestDatabase database, int wrapSeconds = 0)
    {
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales", wrapSeconds: wrapSeconds);
        await database.PutAgentAsync(tenantId, "agent-1", 1, ("Sales", 1));
        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);
        var emailId = await database.QueueEmailAsync(tenantId, "email-1");
        Assert.Single(await database.RouteAsync(tenantId));
        return (tenantId, emailId);
    }
}

using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Emails;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Tests.Sqlite;

public sealed class SqliteRoutingStoreTests
{
    [Fact]
    public async Task RouteAsync_DifferentPriorities_OffersHighestPriority()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database);
        await database.QueueEmailAsync(tenantId, "low", priority: 0);
        await database.QueueEmailAsync(tenantId, "high", priority: 5);
        await database.QueueEmailAsync(tenantId, "middle", priority: 2);
        await database.PutAgentAsync(tenantId, "agent-1", 1, ("Sales", 1));
        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);

        var offers = await database.RouteAsync(tenantId);

        var offer = Assert.Single(offers);
        Assert.Equal("high", offer.EntityId);
        Assert.Equal("agent-1", offer.AgentId);
    }

    [Fact]
    public async Task RouteAsync_SamePriority_OffersOldestEnqueued()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database);
        var firstId = await database.QueueEmailAsync(tenantId, "first-received");
        database.Time.Advance(TimeSpan.FromSeconds(1));
        await database.QueueEmailAsync(tenantId, "second-received");

        // Moving the first email's enqueue time past the second one's, as a later re-queue would, makes the
        // email with the higher id the oldest in its queue.
        database.Execute(
            "UPDATE routed_emails SET enqueued_at = enqueued_at + 2000 WHERE id = $id", ("$id", firstId));
        await database.PutAgentAsync(tenantId, "agent-1", 1, ("Sales", 1));
        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);

        var offers = await database.RouteAsync(tenantId);

        Assert.Equal("second-received", Assert.Single(offers).EntityId);
    }

    [Fact]
    public async Task RouteAsync_SameEnqueueTime_OffersLowestId()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database);

        // The fake clock does not advance, so both emails get the same enqueue time.
        var firstId = await database.QueueEmailAsync(tenantId, "first");
        await database.QueueEmailAsync(tenantId, "second");
        await database.PutAgentAsync(tenantId, "agent-1", 1, ("Sales", 1));
        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);

        var offers = await database.RouteAsync(tenantId);

        Assert.Equal(firstId, Assert.Single(offers).EmailId);
    }

    [Fact]
    public async Task RouteAsync_BestRankedQueue_WinsOverPriority()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database, "Sales", "Billing");
        await database.QueueEmailAsync(tenantId, "sales-urgent", "Sales", priority: 9);
        await database.QueueEmailAsync(tenantId, "billing-normal", "Billing", priority: 0);
        await database.PutAgentAsync(tenantId, "agent-1", 1, ("Sales", 2), ("Billing", 1));
        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);

        var offers = await database.RouteAsync(tenantId);

        Assert.Equal("billing-normal", Assert.Single(offers).EntityId);
    }

    [Fact]
    public async Task RouteAsync_EqualRanks_OffersHighestPriority()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database, "Sales", "Billing");
        await database.QueueEmailAsync(tenantId, "sales-normal", "Sales", priority: 2);
        await database.QueueEmailAsync(tenantId, "billing-urgent", "Billing", priority: 5);
        await database.PutAgentAsync(tenantId, "agent-1", 1, ("Sales", 1), ("Billing", 1));
        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);

        var offers = await database.RouteAsync(tenantId);

        Assert.Equal("billing-urgent", Assert.Single(offers).EntityId);
    }

    [Fact]
    public async Task RouteAsync_BestRankedQueueEmpty_UsesNextQueue()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database, "Sales", "Billing");
        await database.QueueEmailAsync(tenantId, "sales-1", "Sales");
        await database.PutAgentAsync(tenantId, "agent-1", 1, ("Sales", 2), ("Billing", 1));
        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);

        var offers = await database.RouteAsync(tenantId);

        Assert.Equal("sales-1", Assert.Single(offers).EntityId);
    }

    [Fact]
    public async Task RouteAsync_QueueNotInProfile_OffersNothing()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database, "Sales", "Billing");
        await database.QueueEmailAsync(tenantId, "billing-1", "Billing");
        await database.PutAgentAsync(tenantId, "agent-1", 1, ("Sales", 1));
        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);

        var offers = await database.RouteAsync(tenantId);

        Assert.Empty(offers);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(5, 3)]
    public async Task RouteAsync_AgentMaximum_OffersUpToMaximum(int maxConcurrentEmails, int expectedOffers)
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database);
        await database.QueueEmailAsync(tenantId, "email-1");
        await database.QueueEmailAsync(tenantId, "email-2");
        await database.QueueEmailAsync(tenantId, "email-3");
        await database.PutAgentAsync(tenantId, "agent-1", maxConcurrentEmails, ("Sales", 1));
        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);

        var offers = await database.RouteAsync(tenantId);

        Assert.Equal(expectedOffers, offers.Count);
        Assert.Equal(3 - expectedOffers, database.QueryLong("SELECT COUNT(*) FROM routed_emails WHERE state = 'Queued'"));
    }

    [Fact]
    public async Task RouteAsync_AgentAtMaximum_OffersNothingMore()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database);
        await database.QueueEmailAsync(tenantId, "email-1");
        await database.PutAgentAsync(tenantId, "agent-1", 1, ("Sales", 1));
        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);
        await database.RouteAsync(tenantId);
        await database.QueueEmailAsync(tenantId, "email-2");

        var offers = await database.RouteAsync(tenantId);

        Assert.Empty(offers);
    }

    [Fact]
    public async Task RouteAsync_TwoAgents_TakeTurnsInIdleOrder()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database);
        await database.PutAgentAsync(tenantId, "agent-a", 2, ("Sales", 1));
        await database.PutAgentAsync(tenantId, "agent-b", 2, ("Sales", 1));

        // agent-b goes Available first, so it has been idle longest.
        await database.SetStatusAsync(tenantId, "agent-b", AgentStatus.Available);
        database.Time.Advance(TimeSpan.FromSeconds(10));
        await database.SetStatusAsync(tenantId, "agent-a", AgentStatus.Available);
        for (var i = 1; i <= 4; i++)
        {
            database.Time.Advance(TimeSpan.FromSeconds(1));
            await database.QueueEmailAsync(tenantId, $"email-{i}");
        }

        var offers = await database.RouteAsync(tenantId);

        Assert.Equal(
            ["email-1 agent-b", "email-2 agent-a", "email-3 agent-b", "email-4 agent-a"],
            offers.Select(offer => $"{offer.EntityId} {offer.AgentId}"));
    }

    [Fact]
    public async Task RouteAsync_BetterRankingAgent_WinsOverIdleTime()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database, "Sales", "Billing");
        await database.PutAgentAsync(tenantId, "generalist", 1, ("Billing", 1), ("Sales", 2));
        await database.PutAgentAsync(tenantId, "specialist", 1, ("Sales", 1));
        await database.SetStatusAsync(tenantId, "generalist", AgentStatus.Available);
        database.Time.Advance(TimeSpan.FromSeconds(10));
        await database.SetStatusAsync(tenantId, "specialist", AgentStatus.Available);
        await database.QueueEmailAsync(tenantId, "sales-1", "Sales");

        var offers = await database.RouteAsync(tenantId);

        // Among agents who can take an email, the agent that ranks its queue best comes first, and only then the
        // agent idle longest.
        Assert.Equal("specialist", Assert.Single(offers).AgentId);
    }

    [Fact]
    public async Task RouteAsync_AgentHoldingEmail_LosesToIdleAgent()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database);
        await database.PutAgentAsync(tenantId, "agent-a", 2, ("Sales", 1));
        await database.PutAgentAsync(tenantId, "agent-b", 2, ("Sales", 1));
        await database.SetStatusAsync(tenantId, "agent-a", AgentStatus.Available);
        database.Time.Advance(TimeSpan.FromSeconds(10));
        await database.SetStatusAsync(tenantId, "agent-b", AgentStatus.Available);
        await database.QueueEmailAsync(tenantId, "email-1");
        Assert.Equal("agent-a", Assert.Single(await database.RouteAsync(tenantId)).AgentId);
        database.Time.Advance(TimeSpan.FromSeconds(10));
        await database.QueueEmailAsync(tenantId, "email-2");

        var offers = await database.RouteAsync(tenantId);

        // agent-a has held an email since the first step, so agent-b is the one that has been idle longest.
        Assert.Equal("agent-b", Assert.Single(offers).AgentId);
    }

    [Theory]
    [InlineData(AgentStatus.Offline)]
    [InlineData(AgentStatus.Away)]
    [InlineData(AgentStatus.Missed)]
    public async Task RouteAsync_AgentNotAvailable_OffersNothing(AgentStatus status)
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database);
        await database.QueueEmailAsync(tenantId, "email-1");
        await database.PutAgentAsync(tenantId, "agent-1", 3, ("Sales", 1));
        await database.SetStatusAsync(tenantId, "agent-1", status);

        var offers = await database.RouteAsync(tenantId);

        Assert.Empty(offers);
        Assert.Equal(0, database.QueryLong("SELECT COUNT(*) FROM offers"));
        Assert.Equal("Queued", database.QueryString("SELECT state FROM routed_emails"));
    }

    [Fact]
    public async Task RouteAsync_Offer_ExpiresAfterQueueOfferTimeout()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales", offerTimeoutSeconds: 45);
        await database.QueueEmailAsync(tenantId, "email-1");
        await database.PutAgentAsync(tenantId, "agent-1", 1, ("Sales", 1));
        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);
        database.Time.Advance(TimeSpan.FromSeconds(7));

        var offer = Assert.Single(await database.RouteAsync(tenantId));

        var createdAt = database.QueryLong("SELECT created_at FROM offers WHERE id = $id", ("$id", offer.OfferId));
        var expiresAt = database.QueryLong("SELECT expires_at FROM offers WHERE id = $id", ("$id", offer.OfferId));
        Assert.Equal(database.Time.GetUtcNow().ToUnixTimeMilliseconds(), createdAt);
        Assert.Equal(createdAt + 45_000, expiresAt);
        var work = await database.Agents.GetWorkAsync(tenantId, "agent-1", CancellationToken.None);
        Assert.Equal(database.Time.GetUtcNow() + TimeSpan.FromSeconds(45), Assert.Single(work.Offers).ExpiresAt);
        Assert.Equal(database.Time.GetUtcNow() + TimeSpan.FromSeconds(45), offer.ExpiresAt);
    }

    [Fact]
    public async Task RouteAsync_SeveralFreeAgents_OffersByRankIdleAndMaxima()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database);
        await database.PutAgentAsync(tenantId, "backup", 2, ("Sales", 2));
        await database.PutAgentAsync(tenantId, "first-idle", 1, ("Sales", 1));
        await database.PutAgentAsync(tenantId, "second-idle", 1, ("Sales", 1));
        await database.SetStatusAsync(tenantId, "backup", AgentStatus.Available);
        database.Time.Advance(TimeSpan.FromSeconds(10));
        await database.SetStatusAsync(tenantId, "first-idle", AgentStatus.Available);
        database.Time.Advance(TimeSpan.FromSeconds(10));
        await database.SetStatusAsync(tenantId, "second-idle", AgentStatus.Available);
        for (var i = 1; i <= 5; i++)
        {
            database.Time.Advance(TimeSpan.FromSeconds(1));
            await database.QueueEmailAsync(tenantId, $"email-{i}");
        }

        var offers = await database.RouteAsync(tenantId);

        // Rank 1 comes before idle time, so backup, idle longest, gets email only after both rank-1 agents are at
        // their maximum of one, and then up to its own maximum of two. email-5 waits.
        Assert.Equal(
            ["email-1 first-idle", "email-2 second-idle", "email-3 backup", "email-4 backup"],
            offers.Select(offer => $"{offer.EntityId} {offer.AgentId}"));
        Assert.Equal("Queued", database.QueryString("SELECT state FROM routed_emails WHERE entity_id = 'email-5'"));
        Assert.Empty(await database.RouteAsync(tenantId));
    }

    [Fact]
    public async Task RouteAsync_CompletedEmails_NotCountedAsLoad()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database);
        await database.PutAgentAsync(tenantId, "agent-1", 1, ("Sales", 1));
        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);
        for (var i = 1; i <= 3; i++)
        {
            await database.QueueEmailAsync(tenantId, $"done-{i}");
            var offer = Assert.Single(await database.RouteAsync(tenantId));
            await database.Agents.AcceptAsync(tenantId, "agent-1", offer.OfferId, CancellationToken.None);
            await database.Agents.CompleteAsync(tenantId, "agent-1", offer.EmailId, null, null, CancellationToken.None);
        }

        await database.QueueEmailAsync(tenantId, "next");

        var next = Assert.Single(await database.RouteAsync(tenantId));

        Assert.Equal("next", next.EntityId);
        Assert.Equal(3, database.QueryLong("SELECT COUNT(*) FROM routed_emails WHERE state = 'Completed'"));
    }

    [Fact]
    public async Task RouteAsync_Offer_WritesRowsAndEvent()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database);
        var emailId = await database.QueueEmailAsync(tenantId, "email-1");
        await database.PutAgentAsync(tenantId, "agent-1", 1, ("Sales", 1));
        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);

        var offer = Assert.Single(await database.RouteAsync(tenantId));

        Assert.Equal(emailId, offer.EmailId);
        Assert.Equal("email-1", offer.EntityId);
        var id = ("$id", (object?)offer.OfferId);
        Assert.Equal("Pending", database.QueryString("SELECT state FROM offers WHERE id = $id", id));
        Assert.Equal(emailId, database.QueryLong("SELECT email_id FROM offers WHERE id = $id", id));
        Assert.Equal("agent-1", database.QueryString("SELECT agent_id FROM offers WHERE id = $id", id));
        Assert.Equal(tenantId, database.QueryLong("SELECT tenant_id FROM offers WHERE id = $id", id));
        var email = ("$id", (object?)emailId);
        Assert.Equal("Offered", database.QueryString("SELECT state FROM routed_emails WHERE id = $id", email));
        Assert.Equal("agent-1", database.QueryString("SELECT agent_id FROM routed_emails WHERE id = $id", email));
        Assert.Equal(
            1,
            database.QueryLong(
                """
                SELECT COUNT(*) FROM events
                WHERE type = 'Offered' AND email_id = $email AND agent_id = 'agent-1' AND offer_id = $offer
                """,
                ("$email", emailId), ("$offer", offer.OfferId)));
    }

    [Fact]
    public async Task RouteAsync_OtherTenantsAgent_OffersNothing()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database);
        var otherTenantId = await database.CreateTenantAsync("globex");
        await database.PutQueueAsync(otherTenantId, "Sales");
        await database.QueueEmailAsync(tenantId, "email-1");
        await database.PutAgentAsync(otherTenantId, "agent-1", 1, ("Sales", 1));
        await database.SetStatusAsync(otherTenantId, "agent-1", AgentStatus.Available);

        var ownOffers = await database.RouteAsync(tenantId);
        var otherOffers = await database.RouteAsync(otherTenantId);

        Assert.Empty(ownOffers);
        Assert.Empty(otherOffers);
    }

    [Fact]
    public async Task RouteAsync_ConcurrentSteps_OfferEachEmailOnce()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database);
        for (var i = 0; i < 10; i++)
        {
            await database.QueueEmailAsync(tenantId, $"email-{i}");
        }

        for (var i = 0; i < 6; i++)
        {
            await database.PutAgentAsync(tenantId, $"agent-{i}", 2, ("Sales", 1));
            await database.SetStatusAsync(tenantId, $"agent-{i}", AgentStatus.Available);
        }

        var steps = await Task.WhenAll(
            Enumerable.Range(0, 8).Select(_ => Task.Run(() => database.RouteAsync(tenantId))));

        var offers = steps.SelectMany(step => step).ToList();
        Assert.Equal(10, offers.Count);
        Assert.Equal(10, offers.Select(offer => offer.EmailId).Distinct().Count());
        Assert.Equal(10, database.QueryLong("SELECT COUNT(*) FROM offers WHERE state = 'Pending'"));
        Assert.Equal(
            0,
            database.QueryLong(
                """
                SELECT COUNT(*) FROM (SELECT agent_id FROM offers GROUP BY agent_id HAVING COUNT(*) > 2)
                """));
    }

    [Fact]
    public async Task ListTenantIdsAsync_SeveralTenants_ListsEveryId()
    {
        await using var database = TestDatabase.Create();
        var first = await database.CreateTenantAsync("acme");
        var second = await database.CreateTenantAsync("globex");

        var ids = await database.Routing.ListTenantIdsAsync(CancellationToken.None);

        Assert.Equal([first, second], ids);
    }

    [Fact]
    public async Task FindNextOfferDeadlineAsync_NoPendingOffer_ReturnsNull()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database);
        await database.QueueEmailAsync(tenantId, "email-1");

        var deadline = await database.Routing.FindNextOfferDeadlineAsync(CancellationToken.None);

        Assert.Null(deadline);
    }

    [Fact]
    public async Task FindNextOfferDeadlineAsync_SeveralOffers_ReturnsEarliest()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Slow", offerTimeoutSeconds: 120);
        await database.PutQueueAsync(tenantId, "Fast", offerTimeoutSeconds: 20);
        await database.QueueEmailAsync(tenantId, "slow-1", "Slow");
        await database.QueueEmailAsync(tenantId, "fast-1", "Fast");
        await database.PutAgentAsync(tenantId, "agent-1", 2, ("Slow", 1), ("Fast", 2));
        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);
        Assert.Equal(2, (await database.RouteAsync(tenantId)).Count);

        var deadline = await database.Routing.FindNextOfferDeadlineAsync(CancellationToken.None);

        Assert.Equal(TestDatabase.Start + TimeSpan.FromSeconds(20), deadline);
    }

    [Fact]
    public async Task ExpireDueOffersAsync_BeforeDeadline_ExpiresNothing()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database);
        await database.QueueEmailAsync(tenantId, "email-1");
        await database.PutAgentAsync(tenantId, "agent-1", 1, ("Sales", 1));
        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);
        await database.RouteAsync(tenantId);
        database.Time.Advance(TimeSpan.FromSeconds(60) - TimeSpan.FromMilliseconds(1));

        var expired = await database.Routing.ExpireDueOffersAsync(CancellationToken.None);

        Assert.Empty(expired);
        Assert.Equal("Pending", database.QueryString("SELECT state FROM offers"));
    }

    [Fact]
    public async Task ExpireDueOffersAsync_AtDeadline_RequeuesEmail()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database);
        var emailId = await database.QueueEmailAsync(tenantId, "email-1", priority: 3);
        await database.PutAgentAsync(tenantId, "agent-1", 1, ("Sales", 1));
        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);
        var offer = Assert.Single(await database.RouteAsync(tenantId));
        database.Time.Advance(TimeSpan.FromSeconds(60));

        var expired = await database.Routing.ExpireDueOffersAsync(CancellationToken.None);

        Assert.Equal([new OfferExpired(tenantId, offer.OfferId, emailId, "email-1", "agent-1")], expired);
        Assert.Equal("Expired", database.QueryString("SELECT state FROM offers"));
        var email = await database.Emails.FindByEntityIdAsync(tenantId, "email-1", CancellationToken.None);
        Assert.NotNull(email);
        Assert.Equal(RoutedEmailState.Queued, email.State);
        Assert.Null(email.AgentId);
        Assert.Equal(TestDatabase.Start, email.EnqueuedAt);
        Assert.Equal(3, email.Priority);
        Assert.Equal("OfferExpired", email.History[^1].Event);
        Assert.Equal("agent-1", email.History[^1].AgentId);
    }

    [Fact]
    public async Task ExpireDueOffersAsync_AtDeadline_SetsAgentMissed()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Fast", offerTimeoutSeconds: 20);
        await database.PutQueueAsync(tenantId, "Slow", offerTimeoutSeconds: 120);
        await database.QueueEmailAsync(tenantId, "fast-1", "Fast");
        var slowId = await database.QueueEmailAsync(tenantId, "slow-1", "Slow");
        await database.PutAgentAsync(tenantId, "agent-1", 2, ("Fast", 1), ("Slow", 2));
        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);
        Assert.Equal(2, (await database.RouteAsync(tenantId)).Count);
        database.Time.Advance(TimeSpan.FromSeconds(20));

        var expired = await database.Routing.ExpireDueOffersAsync(CancellationToken.None);

        Assert.Equal("fast-1", Assert.Single(expired).EntityId);
        Assert.Equal("Missed", database.QueryString("SELECT status FROM agents"));
        Assert.Equal(
            "Missed",
            database.QueryString("SELECT detail FROM events WHERE type = 'AgentStatusChanged' ORDER BY id DESC LIMIT 1"));
        Assert.Equal(
            "Withdrawn", database.QueryString("SELECT state FROM offers WHERE email_id = $id", ("$id", slowId)));
        Assert.Equal("Queued", database.QueryString("SELECT state FROM routed_emails WHERE id = $id", ("$id", slowId)));
        Assert.Empty(await database.RouteAsync(tenantId));
    }

    /// <summary>Creates a tenant with the given skill queues, each with the default offer timeout.</summary>
    private static async Task<long> SetUpAsync(TestDatabase database, params string[] queues)
    {
        var tenantId = await database.CreateTenantAsync();
        foreach (var queue in queues.Length == 0 ? ["Sales"] : queues)
        {
            await database.PutQueueAsync(tenantId, queue);
        }

        return tenantId;
    }
}

using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Emails;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Tests.Sqlite;

public sealed class SqliteAgentStoreTests
{
    private static readonly byte[] TokenHash = [7, 7, 7, 7];

    [Theory]
    [InlineData(AgentStatus.Away)]
    [InlineData(AgentStatus.Offline)]
    [InlineData(AgentStatus.Missed)]
    public async Task SetStatusAsync_LeavingAvailable_WithdrawsPendingOffers(AgentStatus status)
    {
        await using var database = TestDatabase.Create();
        var (tenantId, emailIds) = await OfferEmailsAsync(database, maxConcurrentEmails: 2, emailCount: 2);
        database.Time.Advance(TimeSpan.FromSeconds(30));

        var withdrawn = await database.SetStatusAsync(tenantId, "agent-1", status);

        Assert.Equal(2, withdrawn);
        Assert.Equal(0, database.QueryLong("SELECT COUNT(*) FROM offers WHERE state = 'Pending'"));
        Assert.Equal(2, database.QueryLong("SELECT COUNT(*) FROM offers WHERE state = 'Withdrawn'"));
        Assert.Equal(
            database.Time.GetUtcNow().ToUnixTimeMilliseconds(),
            database.QueryLong("SELECT MIN(closed_at) FROM offers"));
        foreach (var emailId in emailIds)
        {
            var email = ("$id", (object?)emailId);
            Assert.Equal("Queued", database.QueryString("SELECT state FROM routed_emails WHERE id = $id", email));
            Assert.Null(database.QueryString("SELECT agent_id FROM routed_emails WHERE id = $id", email));
        }
    }

    [Fact]
    public async Task SetStatusAsync_Away_KeepsQueuePlace()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        var emailId = await database.QueueEmailAsync(tenantId, "email-1", priority: 4);
        var enqueuedAt = database.Time.GetUtcNow();
        await database.PutAgentAsync(tenantId, "agent-1", 1, ("Sales", 1));
        database.Time.Advance(TimeSpan.FromMinutes(3));
        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);
        await database.RouteAsync(tenantId);
        database.Time.Advance(TimeSpan.FromMinutes(1));

        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Away);

        var email = await database.Emails.FindByEntityIdAsync(tenantId, "email-1", CancellationToken.None);
        Assert.NotNull(email);
        Assert.Equal(emailId, email.EmailId);
        Assert.Equal(enqueuedAt, email.EnqueuedAt);
        Assert.Equal(4, email.Priority);
        Assert.Equal(TestDatabase.Email("email-1").Attributes, email.Attributes);
    }

    [Fact]
    public async Task SetStatusAsync_Away_WritesWithdrawnEvents()
    {
        await using var database = TestDatabase.Create();
        var (tenantId, emailIds) = await OfferEmailsAsync(database, maxConcurrentEmails: 2, emailCount: 2);
        var offerIds = emailIds.Select(database.PendingOfferId).ToList();

        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Away);

        for (var i = 0; i < emailIds.Count; i++)
        {
            var events = database.QueryLong(
                """
                SELECT COUNT(*) FROM events
                WHERE type = 'OfferWithdrawn' AND email_id = $email AND offer_id = $offer AND agent_id = 'agent-1'
                """,
                ("$email", emailIds[i]), ("$offer", offerIds[i]));
            Assert.True(events == 1, $"Offer {offerIds[i]} has {events} OfferWithdrawn events; expected 1.");
        }
    }

    [Fact]
    public async Task SetStatusAsync_WithdrawnEmail_PrecedesNewerEmail()
    {
        await using var database = TestDatabase.Create();
        var (tenantId, emailIds) = await OfferEmailsAsync(database, maxConcurrentEmails: 1, emailCount: 1);
        database.Time.Advance(TimeSpan.FromSeconds(5));
        await database.QueueEmailAsync(tenantId, "newer");

        // Withdrawing later than the newer email arrived would put the first email behind it if its enqueue
        // time were reset.
        database.Time.Advance(TimeSpan.FromSeconds(5));
        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Away);
        await database.PutAgentAsync(tenantId, "agent-2", 1, ("Sales", 1));
        await database.SetStatusAsync(tenantId, "agent-2", AgentStatus.Available);

        var offers = await database.RouteAsync(tenantId);

        Assert.Equal(emailIds[0], Assert.Single(offers).EmailId);
    }

    [Fact]
    public async Task SetStatusAsync_LeavingAvailable_KeepsActiveEmails()
    {
        await using var database = TestDatabase.Create();
        var (tenantId, emailIds) = await OfferEmailsAsync(database, maxConcurrentEmails: 2, emailCount: 2);
        await database.Agents.AcceptAsync(
            tenantId, "agent-1", database.PendingOfferId(emailIds[0]), CancellationToken.None);

        var withdrawn = await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Away);

        Assert.Equal(1, withdrawn);
        Assert.Equal(
            "Active", database.QueryString("SELECT state FROM routed_emails WHERE id = $id", ("$id", emailIds[0])));
        Assert.Equal(
            "agent-1", database.QueryString("SELECT agent_id FROM routed_emails WHERE id = $id", ("$id", emailIds[0])));
    }

    [Fact]
    public async Task SetStatusAsync_SameStatus_ChangesNothing()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        await database.PutAgentAsync(tenantId, "agent-1", 1, ("Sales", 1));
        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);
        var since = database.QueryLong("SELECT status_since FROM agents");
        database.Time.Advance(TimeSpan.FromMinutes(1));

        var withdrawn = await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);

        Assert.Equal(0, withdrawn);
        Assert.Equal(since, database.QueryLong("SELECT status_since FROM agents"));
        Assert.Equal(1, database.QueryLong("SELECT COUNT(*) FROM events WHERE type = 'AgentStatusChanged'"));
    }

    [Fact]
    public async Task SetStatusAsync_NewStatus_StoresStatus()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        await database.PutAgentAsync(tenantId, "agent-1", 1, ("Sales", 1));
        database.Time.Advance(TimeSpan.FromMinutes(1));

        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);

        var now = database.Time.GetUtcNow().ToUnixTimeMilliseconds();
        Assert.Equal("Available", database.QueryString("SELECT status FROM agents"));
        Assert.Equal(now, database.QueryLong("SELECT status_since FROM agents"));
        Assert.Equal(now, database.QueryLong("SELECT idle_since FROM agents"));
        Assert.Equal(
            "Available",
            database.QueryString("SELECT detail FROM events WHERE type = 'AgentStatusChanged' AND agent_id = 'agent-1'"));
    }

    [Fact]
    public async Task AcceptAsync_PendingOffer_MakesEmailActive()
    {
        await using var database = TestDatabase.Create();
        var (tenantId, emailIds) = await OfferEmailsAsync(database, maxConcurrentEmails: 1, emailCount: 1);
        var offerId = database.PendingOfferId(emailIds[0]);

        var outcome = await database.Agents.AcceptAsync(tenantId, "agent-1", offerId, CancellationToken.None);

        Assert.Equal(AgentActionStatus.Done, outcome.Status);
        Assert.Equal("Accepted", database.QueryString("SELECT state FROM offers WHERE id = $id", ("$id", offerId)));
        Assert.Equal(
            "Active", database.QueryString("SELECT state FROM routed_emails WHERE id = $id", ("$id", emailIds[0])));
        Assert.Equal(
            1,
            database.QueryLong(
                "SELECT COUNT(*) FROM events WHERE type = 'Accepted' AND offer_id = $id AND agent_id = 'agent-1'",
                ("$id", offerId)));
    }

    [Fact]
    public async Task AcceptAsync_Twice_AlreadyDone()
    {
        await using var database = TestDatabase.Create();
        var (tenantId, emailIds) = await OfferEmailsAsync(database, maxConcurrentEmails: 1, emailCount: 1);
        var offerId = database.PendingOfferId(emailIds[0]);
        await database.Agents.AcceptAsync(tenantId, "agent-1", offerId, CancellationToken.None);

        var outcome = await database.Agents.AcceptAsync(tenantId, "agent-1", offerId, CancellationToken.None);

        Assert.Equal(AgentActionStatus.AlreadyDone, outcome.Status);
        Assert.Equal(1, database.QueryLong("SELECT COUNT(*) FROM events WHERE type = 'Accepted'"));
    }

    [Fact]
    public async Task AcceptAsync_WithdrawnOffer_ConflictWithdrawn()
    {
        await using var database = TestDatabase.Create();
        var (tenantId, emailIds) = await OfferEmailsAsync(database, maxConcurrentEmails: 1, emailCount: 1);
        var offerId = database.PendingOfferId(emailIds[0]);
        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Away);

        var outcome = await database.Agents.AcceptAsync(tenantId, "agent-1", offerId, CancellationToken.None);

        Assert.Equal(AgentActionStatus.Conflict, outcome.Status);
        Assert.Equal("Withdrawn", outcome.CurrentState);
        Assert.Equal(
            "Queued", database.QueryString("SELECT state FROM routed_emails WHERE id = $id", ("$id", emailIds[0])));
    }

    [Fact]
    public async Task AcceptAsync_OtherAgentsOffer_NotFound()
    {
        await using var database = TestDatabase.Create();
        var (tenantId, emailIds) = await OfferEmailsAsync(database, maxConcurrentEmails: 1, emailCount: 1);
        await database.PutAgentAsync(tenantId, "agent-2", 1, ("Sales", 1));
        var offerId = database.PendingOfferId(emailIds[0]);

        var outcome = await database.Agents.AcceptAsync(tenantId, "agent-2", offerId, CancellationToken.None);

        Assert.Equal(AgentActionStatus.NotFound, outcome.Status);
        Assert.Equal("Pending", database.QueryString("SELECT state FROM offers WHERE id = $id", ("$id", offerId)));
    }

    [Fact]
    public async Task AcceptAsync_AtDeadline_ExpiresOffer()
    {
        await using var database = TestDatabase.Create();
        var (tenantId, emailIds) = await OfferEmailsAsync(database, maxConcurrentEmails: 1, emailCount: 1);
        var offerId = database.PendingOfferId(emailIds[0]);

        // The queue's offer timeout is 60 seconds, and an offer counts as expired from its deadline on.
        database.Time.Advance(TimeSpan.FromSeconds(60));
        var outcome = await database.Agents.AcceptAsync(tenantId, "agent-1", offerId, CancellationToken.None);

        Assert.Equal(AgentActionStatus.Conflict, outcome.Status);
        Assert.Equal("Expired", outcome.CurrentState);
        Assert.Equal("Expired", database.QueryString("SELECT state FROM offers WHERE id = $id", ("$id", offerId)));
        Assert.Equal(
            "Queued", database.QueryString("SELECT state FROM routed_emails WHERE id = $id", ("$id", emailIds[0])));
        Assert.Equal("Missed", database.QueryString("SELECT status FROM agents WHERE agent_id = 'agent-1'"));
        Assert.Equal(0, database.QueryLong("SELECT COUNT(*) FROM events WHERE type = 'Accepted'"));
    }

    [Fact]
    public async Task AcceptAsync_JustBeforeDeadline_MakesEmailActive()
    {
        await using var database = TestDatabase.Create();
        var (tenantId, emailIds) = await OfferEmailsAsync(database, maxConcurrentEmails: 1, emailCount: 1);
        var offerId = database.PendingOfferId(emailIds[0]);
        database.Time.Advance(TimeSpan.FromSeconds(60) - TimeSpan.FromMilliseconds(1));

        var outcome = await database.Agents.AcceptAsync(tenantId, "agent-1", offerId, CancellationToken.None);

        Assert.Equal(AgentActionStatus.Done, outcome.Status);
        Assert.Equal(
            "Active", database.QueryString("SELECT state FROM routed_emails WHERE id = $id", ("$id", emailIds[0])));
    }

    [Fact]
    public async Task CompleteAsync_Active_Completed()
    {
        await using var database = TestDatabase.Create();
        var (tenantId, emailId) = await ActivateEmailAsync(database);
        database.Time.Advance(TimeSpan.FromMinutes(4));

        var outcome = await database.Agents.CompleteAsync(
            tenantId, "agent-1", emailId, "Resolved", "Sent a replacement", CancellationToken.None);

        Assert.Equal(AgentActionStatus.Done, outcome.Status);
        var email = ("$id", (object?)emailId);
        var now = database.Time.GetUtcNow().ToUnixTimeMilliseconds();
        Assert.Equal("Completed", database.QueryString("SELECT state FROM routed_emails WHERE id = $id", email));
        Assert.Equal(now, database.QueryLong("SELECT closed_at FROM routed_emails WHERE id = $id", email));
        Assert.Equal("Resolved", database.QueryString("SELECT work_code FROM routed_emails WHERE id = $id", email));
        Assert.Equal("Sent a replacement", database.QueryString("SELECT notes FROM routed_emails WHERE id = $id", email));
        Assert.Equal(
            "Resolved",
            database.QueryString("SELECT detail FROM events WHERE type = 'Completed' AND email_id = $id", email));
        Assert.Equal(now, database.QueryLong("SELECT idle_since FROM agents WHERE agent_id = 'agent-1'"));
    }

    [Fact]
    public async Task CompleteAsync_Twice_AlreadyDone()
    {
        await using var database = TestDatabase.Create();
        var (tenantId, emailId) = await ActivateEmailAsync(database);
        await database.Agents.CompleteAsync(tenantId, "agent-1", emailId, "Resolved", null, CancellationToken.None);

        var outcome = await database.Agents.CompleteAsync(
            tenantId, "agent-1", emailId, "Other", null, CancellationToken.None);

        Assert.Equal(AgentActionStatus.AlreadyDone, outcome.Status);
        Assert.Equal("Resolved", database.QueryString("SELECT work_code FROM routed_emails"));
        Assert.Equal(1, database.QueryLong("SELECT COUNT(*) FROM events WHERE type = 'Completed'"));
    }

    [Fact]
    public async Task CompleteAsync_OfferedEmail_ConflictOffered()
    {
        await using var database = TestDatabase.Create();
        var (tenantId, emailIds) = await OfferEmailsAsync(database, maxConcurrentEmails: 1, emailCount: 1);

        var outcome = await database.Agents.CompleteAsync(
            tenantId, "agent-1", emailIds[0], null, null, CancellationToken.None);

        Assert.Equal(AgentActionStatus.Conflict, outcome.Status);
        Assert.Equal("Offered", outcome.CurrentState);
        Assert.Equal("Offered", database.QueryString("SELECT state FROM routed_emails"));
    }

    [Fact]
    public async Task CompleteAsync_CanceledEmail_ConflictCanceled()
    {
        await using var database = TestDatabase.Create();
        var (tenantId, emailId) = await ActivateEmailAsync(database);
        await database.Emails.CancelAsync(tenantId, "email-0", CancellationToken.None);

        var outcome = await database.Agents.CompleteAsync(
            tenantId, "agent-1", emailId, null, null, CancellationToken.None);

        Assert.Equal(AgentActionStatus.Conflict, outcome.Status);
        Assert.Equal("Canceled", outcome.CurrentState);
    }

    [Fact]
    public async Task CompleteAsync_OtherAgentsEmail_NotFound()
    {
        await using var database = TestDatabase.Create();
        var (tenantId, emailId) = await ActivateEmailAsync(database);
        await database.PutAgentAsync(tenantId, "agent-2", 1, ("Sales", 1));

        var outcome = await database.Agents.CompleteAsync(
            tenantId, "agent-2", emailId, null, null, CancellationToken.None);

        Assert.Equal(AgentActionStatus.NotFound, outcome.Status);
        Assert.Equal("Active", database.QueryString("SELECT state FROM routed_emails"));
    }

    [Fact]
    public async Task GetWorkAsync_OfferAndActive_ListsBoth()
    {
        await using var database = TestDatabase.Create();
        var (tenantId, emailIds) = await OfferEmailsAsync(database, maxConcurrentEmails: 2, emailCount: 2);
        database.Execute(
            "UPDATE routed_emails SET screen_pop_url = 'https://crm.example.com/case/email-1' WHERE id = $id",
            ("$id", emailIds[1]));
        await database.Agents.AcceptAsync(
            tenantId, "agent-1", database.PendingOfferId(emailIds[0]), CancellationToken.None);

        var work = await database.Agents.GetWorkAsync(tenantId, "agent-1", CancellationToken.None);

        Assert.Equal(AgentStatus.Available, work.Status);
        var offer = Assert.Single(work.Offers);
        Assert.Equal(emailIds[1], offer.Email.EmailId);
        Assert.Equal(RoutedEmailState.Offered, offer.Email.State);
        Assert.Equal("https://crm.example.com/case/email-1", offer.ScreenPopUrl);
        var active = Assert.Single(work.Emails);
        Assert.Equal(emailIds[0], active.EmailId);
        Assert.Equal(RoutedEmailState.Active, active.State);
    }

    [Fact]
    public async Task FindSessionAsync_BeforeExpiry_FindsSession()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutAgentAsync(tenantId, "agent-1", 1);
        var expiresAt = database.Time.GetUtcNow() + TimeSpan.FromHours(8);
        await database.Agents.CreateSessionAsync(tenantId, "agent-1", TokenHash, expiresAt, CancellationToken.None);
        database.Time.Advance(TimeSpan.FromHours(8) - TimeSpan.FromMilliseconds(1));

        var session = await database.Agents.FindSessionAsync(TokenHash, CancellationToken.None);

        Assert.Equal(new AgentSession(tenantId, "agent-1", expiresAt), session);
    }

    [Fact]
    public async Task FindSessionAsync_AtExpiry_ReturnsNull()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutAgentAsync(tenantId, "agent-1", 1);
        var expiresAt = database.Time.GetUtcNow() + TimeSpan.FromHours(8);
        await database.Agents.CreateSessionAsync(tenantId, "agent-1", TokenHash, expiresAt, CancellationToken.None);
        database.Time.Advance(TimeSpan.FromHours(8));

        var session = await database.Agents.FindSessionAsync(TokenHash, CancellationToken.None);

        Assert.Null(session);
    }

    [Fact]
    public async Task FindSessionAsync_UnknownToken_ReturnsNull()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutAgentAsync(tenantId, "agent-1", 1);
        await database.Agents.CreateSessionAsync(
            tenantId, "agent-1", TokenHash, database.Time.GetUtcNow() + TimeSpan.FromHours(8), CancellationToken.None);

        var session = await database.Agents.FindSessionAsync([1, 2, 3], CancellationToken.None);

        Assert.Null(session);
    }

    [Fact]
    public async Task CreateSessionAsync_ExpiredSessionsExist_DeletesThem()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutAgentAsync(tenantId, "agent-1", 1);
        await database.Agents.CreateSessionAsync(
            tenantId, "agent-1", [1], database.Time.GetUtcNow() + TimeSpan.FromHours(1), CancellationToken.None);
        database.Time.Advance(TimeSpan.FromHours(2));

        await database.Agents.CreateSessionAsync(
            tenantId, "agent-1", [2], database.Time.GetUtcNow() + TimeSpan.FromHours(1), CancellationToken.None);

        Assert.Equal(1, database.QueryLong("SELECT COUNT(*) FROM user_sessions"));
        Assert.Equal(2, database.QueryLong("SELECT COUNT(*) FROM events WHERE type = 'AgentSignedIn'"));
    }

    [Fact]
    public async Task FindPasswordHashAsync_UnknownAgent_ReturnsNull()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();

        var hash = await database.Agents.FindPasswordHashAsync(tenantId, "nobody", CancellationToken.None);

        Assert.Null(hash);
    }

    /// <summary>
    /// Creates a tenant with a Sales queue, queues emails <c>email-0</c>, <c>email-1</c> and so on, and routes them
    /// to the Available agent <c>agent-1</c>, which must take every one of them.
    /// </summary>
    private static async Task<(long TenantId, List<long> EmailIds)> OfferEmailsAsync(
        TestDatabase database, int maxConcurrentEmails, int emailCount)
    {
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        var emailIds = new List<long>();
        for (var i = 0; i < emailCount; i++)
        {
            emailIds.Add(await database.QueueEmailAsync(tenantId, $"email-{i}"));
        }

        await database.PutAgentAsync(tenantId, "agent-1", maxConcurrentEmails, ("Sales", 1));
        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);
        Assert.Equal(emailCount, (await database.RouteAsync(tenantId)).Count);
        return (tenantId, emailIds);
    }

    /// <summary>Creates one email <c>email-0</c> that <c>agent-1</c> has accepted.</summary>
    private static async Task<(long TenantId, long EmailId)> ActivateEmailAsync(TestDatabase database)
    {
        var (tenantId, emailIds) = await OfferEmailsAsync(database, maxConcurrentEmails: 1, emailCount: 1);
        var outcome = await database.Agents.AcceptAsync(
            tenantId, "agent-1", database.PendingOfferId(emailIds[0]), CancellationToken.None);
        Assert.Equal(AgentActionStatus.Done, outcome.Status);
        return (tenantId, emailIds[0]);
    }
}

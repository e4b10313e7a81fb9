using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Emails;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Tests.Sqlite;

public sealed class SqliteRoutedEmailStoreTests
{
    [Fact]
    public async Task CancelAsync_Queued_CancelsWithoutReleasingAgent()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database, maxConcurrentEmails: 1);
        var emailId = await database.QueueEmailAsync(tenantId, "email-1");
        database.Time.Advance(TimeSpan.FromMinutes(2));

        var outcome = await database.Emails.CancelAsync(tenantId, "email-1", CancellationToken.None);

        Assert.Equal(CancelStatus.Canceled, outcome.Status);
        Assert.Null(outcome.ReleasedAgentId);
        Assert.NotNull(outcome.Email);
        Assert.Equal(RoutedEmailState.Canceled, outcome.Email.State);
        Assert.Equal("Canceled", outcome.Email.History[^1].Event);
        Assert.Equal(
            database.Time.GetUtcNow().ToUnixTimeMilliseconds(),
            database.QueryLong("SELECT closed_at FROM routed_emails WHERE id = $id", ("$id", emailId)));
    }

    [Fact]
    public async Task CancelAsync_Offered_WithdrawsOfferAndReleasesAgent()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database, maxConcurrentEmails: 1);
        var emailId = await database.QueueEmailAsync(tenantId, "email-1");
        Assert.Single(await database.RouteAsync(tenantId));
        var offerId = database.PendingOfferId(emailId);
        database.Time.Advance(TimeSpan.FromMinutes(2));

        var outcome = await database.Emails.CancelAsync(tenantId, "email-1", CancellationToken.None);

        Assert.Equal(CancelStatus.Canceled, outcome.Status);
        Assert.Equal("agent-1", outcome.ReleasedAgentId);
        Assert.Equal(RoutedEmailState.Canceled, outcome.Email?.State);
        Assert.Equal("Withdrawn", database.QueryString("SELECT state FROM offers WHERE id = $id", ("$id", offerId)));
        Assert.Equal(
            database.Time.GetUtcNow().ToUnixTimeMilliseconds(),
            database.QueryLong("SELECT closed_at FROM offers WHERE id = $id", ("$id", offerId)));
        Assert.Equal(
            database.Time.GetUtcNow().ToUnixTimeMilliseconds(),
            database.QueryLong("SELECT idle_since FROM agents WHERE agent_id = 'agent-1'"));
    }

    [Fact]
    public async Task CancelAsync_Offered_FreesAgentForNextEmail()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database, maxConcurrentEmails: 1);
        await database.QueueEmailAsync(tenantId, "email-1");
        Assert.Single(await database.RouteAsync(tenantId));
        var nextId = await database.QueueEmailAsync(tenantId, "email-2");
        Assert.Empty(await database.RouteAsync(tenantId));

        await database.Emails.CancelAsync(tenantId, "email-1", CancellationToken.None);
        var offers = await database.RouteAsync(tenantId);

        var offer = Assert.Single(offers);
        Assert.Equal(nextId, offer.EmailId);
        Assert.Equal("agent-1", offer.AgentId);
    }

    [Fact]
    public async Task CancelAsync_Active_ReleasesAgent()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database, maxConcurrentEmails: 1);
        var emailId = await database.QueueEmailAsync(tenantId, "email-1");
        await database.RouteAsync(tenantId);
        await database.Agents.AcceptAsync(
            tenantId, "agent-1", database.PendingOfferId(emailId), CancellationToken.None);
        await database.QueueEmailAsync(tenantId, "email-2");

        var outcome = await database.Emails.CancelAsync(tenantId, "email-1", CancellationToken.None);

        Assert.Equal(CancelStatus.Canceled, outcome.Status);
        Assert.Equal("agent-1", outcome.ReleasedAgentId);
        Assert.Equal(RoutedEmailState.Canceled, outcome.Email?.State);
        var work = await database.Agents.GetWorkAsync(tenantId, "agent-1", CancellationToken.None);
        Assert.Empty(work.Emails);
        Assert.Equal("email-2", Assert.Single(await database.RouteAsync(tenantId)).EntityId);
    }

    [Fact]
    public async Task CancelAsync_Wrap_ReleasesAgent()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database, maxConcurrentEmails: 1);
        var emailId = await database.QueueEmailAsync(tenantId, "email-1");
        await database.RouteAsync(tenantId);
        await database.Agents.AcceptAsync(
            tenantId, "agent-1", database.PendingOfferId(emailId), CancellationToken.None);

        // No store moves an email to Wrap yet, so the test sets the state directly.
        database.Execute("UPDATE routed_emails SET state = 'Wrap' WHERE id = $id", ("$id", emailId));

        var outcome = await database.Emails.CancelAsync(tenantId, "email-1", CancellationToken.None);

        Assert.Equal(CancelStatus.Canceled, outcome.Status);
        Assert.Equal("agent-1", outcome.ReleasedAgentId);
        Assert.Equal(RoutedEmailState.Canceled, outcome.Email?.State);
    }

    [Fact]
    public async Task CancelAsync_Completed_AlreadyCompletedAndUnchanged()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database, maxConcurrentEmails: 1);
        var emailId = await database.QueueEmailAsync(tenantId, "email-1");
        await database.RouteAsync(tenantId);
        await database.Agents.AcceptAsync(
            tenantId, "agent-1", database.PendingOfferId(emailId), CancellationToken.None);
        await database.Agents.CompleteAsync(tenantId, "agent-1", emailId, null, null, CancellationToken.None);
        var closedAt = database.QueryLong("SELECT closed_at FROM routed_emails");
        database.Time.Advance(TimeSpan.FromMinutes(2));

        var outcome = await database.Emails.CancelAsync(tenantId, "email-1", CancellationToken.None);

        Assert.Equal(CancelStatus.AlreadyCompleted, outcome.Status);
        Assert.Null(outcome.ReleasedAgentId);
        Assert.Equal(RoutedEmailState.Completed, outcome.Email?.State);
        Assert.Equal("Completed", database.QueryString("SELECT state FROM routed_emails"));
        Assert.Equal(closedAt, database.QueryLong("SELECT closed_at FROM routed_emails"));
        Assert.Equal(0, database.QueryLong("SELECT COUNT(*) FROM events WHERE type = 'Canceled'"));
    }

    [Fact]
    public async Task CancelAsync_Twice_AlreadyCanceledAndUnchanged()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database, maxConcurrentEmails: 1);
        await database.QueueEmailAsync(tenantId, "email-1");
        await database.Emails.CancelAsync(tenantId, "email-1", CancellationToken.None);
        var closedAt = database.QueryLong("SELECT closed_at FROM routed_emails");
        database.Time.Advance(TimeSpan.FromMinutes(2));

        var outcome = await database.Emails.CancelAsync(tenantId, "email-1", CancellationToken.None);

        Assert.Equal(CancelStatus.AlreadyCanceled, outcome.Status);
        Assert.Equal(RoutedEmailState.Canceled, outcome.Email?.State);
        Assert.Equal(closedAt, database.QueryLong("SELECT closed_at FROM routed_emails"));
        Assert.Equal(1, database.QueryLong("SELECT COUNT(*) FROM events WHERE type = 'Canceled'"));
    }

    [Fact]
    public async Task CancelAsync_BySupervisor_ActionFollowsCancelInSameCommit()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database, maxConcurrentEmails: 1);
        var emailId = await database.QueueEmailAsync(tenantId, "email-1");

        await database.Emails.CancelAsync(tenantId, "email-1", CancellationToken.None, supervisor: "user:sam");

        // Events of one commit are numbered together, so consecutive sequence numbers show the shared transaction.
        const string EventSql = "SELECT sequence FROM events WHERE email_id = $id AND type = $type";
        var canceled = database.QueryLong(EventSql, ("$id", emailId), ("$type", "Canceled"));
        var action = database.QueryLong(EventSql, ("$id", emailId), ("$type", "SupervisorAction"));
        Assert.Equal(canceled + 1, action);
        Assert.Equal("""{"action":"Cancel","by":"user:sam"}""", database.QueryString(
            "SELECT detail FROM events WHERE email_id = $id AND type = 'SupervisorAction'", ("$id", emailId)));
    }

    [Fact]
    public async Task CancelAsync_ByIntegrator_NoSupervisorAction()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database, maxConcurrentEmails: 1);
        var emailId = await database.QueueEmailAsync(tenantId, "email-1");

        await database.Emails.CancelAsync(tenantId, "email-1", CancellationToken.None);

        Assert.Equal(0, database.QueryLong(
            "SELECT COUNT(*) FROM events WHERE email_id = $id AND type = 'SupervisorAction'", ("$id", emailId)));
    }

    [Fact]
    public async Task CancelAsync_UnknownEntityId_NotFound()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database, maxConcurrentEmails: 1);

        var outcome = await database.Emails.CancelAsync(tenantId, "unknown", CancellationToken.None);

        Assert.Equal(CancelStatus.NotFound, outcome.Status);
        Assert.Null(outcome.Email);
    }

    [Fact]
    public async Task CancelAsync_OtherTenantsEmail_NotFound()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database, maxConcurrentEmails: 1);
        var otherTenantId = await database.CreateTenantAsync("globex");
        await database.QueueEmailAsync(tenantId, "email-1");

        var outcome = await database.Emails.CancelAsync(otherTenantId, "email-1", CancellationToken.None);

        Assert.Equal(CancelStatus.NotFound, outcome.Status);
        Assert.Equal("Queued", database.QueryString("SELECT state FROM routed_emails"));
    }

    [Fact]
    public async Task FindByEntityIdAsync_ReceivedAgain_ReturnsNewest()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database, maxConcurrentEmails: 1);
        var firstId = await database.QueueEmailAsync(tenantId, "email-1");
        await database.Emails.CancelAsync(tenantId, "email-1", CancellationToken.None);
        database.Time.Advance(TestDatabase.Retention + TimeSpan.FromMinutes(1));
        var secondId = await database.QueueEmailAsync(tenantId, "email-1", priority: 2);

        var email = await database.Emails.FindByEntityIdAsync(tenantId, "email-1", CancellationToken.None);

        Assert.NotNull(email);
        Assert.NotEqual(firstId, secondId);
        Assert.Equal(secondId, email.EmailId);
        Assert.Equal(RoutedEmailState.Queued, email.State);
        Assert.Equal(2, email.Priority);
        Assert.Equal(["Received"], email.History.Select(entry => entry.Event));
    }

    [Fact]
    public async Task FindByEntityIdAsync_Completed_ReturnsHistoryInOrder()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database, maxConcurrentEmails: 1);
        var emailId = await database.QueueEmailAsync(tenantId, "email-1");
        database.Time.Advance(TimeSpan.FromSeconds(1));
        await database.RouteAsync(tenantId);
        database.Time.Advance(TimeSpan.FromSeconds(1));
        await database.Agents.AcceptAsync(
            tenantId, "agent-1", database.PendingOfferId(emailId), CancellationToken.None);
        database.Time.Advance(TimeSpan.FromSeconds(1));
        await database.Agents.CompleteAsync(tenantId, "agent-1", emailId, "Resolved", null, CancellationToken.None);

        var email = await database.Emails.FindByEntityIdAsync(tenantId, "email-1", CancellationToken.None);

        Assert.NotNull(email);
        Assert.Equal(RoutedEmailState.Completed, email.State);
        Assert.Equal("agent-1", email.AgentId);
        Assert.Equal(
            [
                new HistoryEntry(TestDatabase.Start, "Received", null),
                new HistoryEntry(TestDatabase.Start + TimeSpan.FromSeconds(1), "Offered", "agent-1"),
                new HistoryEntry(TestDatabase.Start + TimeSpan.FromSeconds(2), "Accepted", "agent-1"),
                new HistoryEntry(TestDatabase.Start + TimeSpan.FromSeconds(3), "Completed", "agent-1"),
            ],
            email.History);
    }

    [Fact]
    public async Task FindByEntityIdAsync_OtherTenant_ReturnsNull()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database, maxConcurrentEmails: 1);
        var otherTenantId = await database.CreateTenantAsync("globex");
        await database.QueueEmailAsync(tenantId, "email-1");

        var email = await database.Emails.FindByEntityIdAsync(otherTenantId, "email-1", CancellationToken.None);

        Assert.Null(email);
    }

    /// <summary>Creates a tenant with a Sales queue and the Available agent <c>agent-1</c> serving it.</summary>
    private static async Task<long> SetUpAsync(TestDatabase database, int maxConcurrentEmails)
    {
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        await database.PutAgentAsync(tenantId, "agent-1", maxConcurrentEmails, ("Sales", 1));
        await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);
        return tenantId;
    }
}

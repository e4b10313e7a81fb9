using System.Collections.Concurrent;
using RoutedEmail.Core.Agents;
using RoutedEmail.Storage.Abstractions;
using RoutedEmail.Storage.Sqlite;

namespace RoutedEmail.Storage.Tests.Sqlite;

/// <summary>
/// Routing on arrival: the SQLite ingest writer offers new email to Available agents inside the transaction that
/// stores it, on a real database file, and a failing step leaves the email stored and Queued.
/// </summary>
public sealed class SqliteArrivalRoutingTests
{
    [Fact]
    public async Task Append_AgentAvailable_OffersBeforeReturning()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database, available: true);
        var arrival = new RecordingArrival();
        await using var ingest = database.CreateIngestWithArrivalRouting(arrival);

        var added = await AppendAsync(database, ingest, tenantId, "e1");

        Assert.Equal(1, added);
        var (announcedTenant, offers) = Assert.Single(arrival.Announced);
        Assert.Equal(tenantId, announcedTenant);
        var offer = Assert.Single(offers);
        Assert.Equal("e1", offer.EntityId);
        Assert.Equal("agent-1", offer.AgentId);
        var emailId = database.NewestEmailId(tenantId, "e1");
        Assert.Equal(offer.OfferId, database.PendingOfferId(emailId));
        Assert.Equal("Offered", database.QueryScalar("SELECT state FROM routed_emails WHERE id = $id", ("$id", emailId)));
        Assert.Empty(await database.RouteAsync(tenantId));
    }

    [Fact]
    public async Task Append_AgentAvailable_NumbersOfferedAfterReceived()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database, available: true);
        await using var ingest = database.CreateIngestWithArrivalRouting(new RecordingArrival());

        await AppendAsync(database, ingest, tenantId, "e1");

        // The agent's status change before has a number of its own.
        var emailId = database.NewestEmailId(tenantId, "e1");
        var received = SequenceOf(database, emailId, "Received");
        Assert.Equal(received + 1, SequenceOf(database, emailId, "Offered"));
        Assert.Equal(received + 1, database.QueryLong(
            "SELECT last_sequence FROM event_sequences WHERE tenant_id = $tenant", ("$tenant", tenantId)));
    }

    [Fact]
    public async Task Append_NoAgentAvailable_LeavesEmailQueued()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database, available: false);
        var arrival = new RecordingArrival();
        await using var ingest = database.CreateIngestWithArrivalRouting(arrival);

        await AppendAsync(database, ingest, tenantId, "e1");

        Assert.Empty(arrival.Announced);
        var emailId = database.NewestEmailId(tenantId, "e1");
        Assert.Equal("Queued", database.QueryScalar("SELECT state FROM routed_emails WHERE id = $id", ("$id", emailId)));
    }

    [Fact]
    public async Task Append_RoutingFails_StoresEmailQueued()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database, available: true);
        RejectOffers(database);
        var arrival = new RecordingArrival();
        await using var ingest = database.CreateIngestWithArrivalRouting(arrival);

        var added = await AppendAsync(database, ingest, tenantId, "e1");

        Assert.Equal(1, added);
        Assert.Empty(arrival.Announced);
        var emailId = database.NewestEmailId(tenantId, "e1");
        Assert.Equal("Queued", database.QueryScalar("SELECT state FROM routed_emails WHERE id = $id", ("$id", emailId)));
        Assert.Equal(0, database.QueryLong("SELECT COUNT(*) FROM offers"));
        Assert.Equal("Received", database.QueryScalar(
            "SELECT group_concat(type) FROM events WHERE email_id = $email", ("$email", emailId)));
        Assert.Equal(SequenceOf(database, emailId, "Received"), database.QueryLong(
            "SELECT last_sequence FROM event_sequences WHERE tenant_id = $tenant", ("$tenant", tenantId)));

        // The routing store forgot its copy of the agents, whose offer it had counted, and routes the email later.
        database.Execute("DROP TRIGGER reject_offers");
        var offer = Assert.Single(await database.RouteAsync(tenantId));
        Assert.Equal("e1", offer.EntityId);
        Assert.Equal("agent-1", offer.AgentId);
    }

    [Fact]
    public async Task Append_RoutingFails_NextBatchRouted()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database, available: true);
        RejectOffers(database);
        var arrival = new RecordingArrival();
        await using var ingest = database.CreateIngestWithArrivalRouting(arrival);
        await AppendAsync(database, ingest, tenantId, "e1");
        database.Execute("DROP TRIGGER reject_offers");

        await AppendAsync(database, ingest, tenantId, "e2");

        // The writer's connection and statements survived the failed step, and its step offers the older email.
        var (_, offers) = Assert.Single(arrival.Announced);
        Assert.Equal("e1", Assert.Single(offers).EntityId);
        Assert.Equal("Queued", database.QueryScalar(
            "SELECT state FROM routed_emails WHERE id = $id", ("$id", database.NewestEmailId(tenantId, "e2"))));
    }

    [Fact]
    public async Task Append_CommitFails_NextBatchRouted()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await SetUpAsync(database, available: true);

        // A deferred foreign key that an offer violates makes the group's COMMIT fail after the routing step.
        database.Execute(
            """
            CREATE TABLE commit_blocker (tenant_id INTEGER REFERENCES tenants (id) DEFERRABLE INITIALLY DEFERRED);
            CREATE TRIGGER block_commit AFTER INSERT ON offers BEGIN INSERT INTO commit_blocker VALUES (-1); END;
            """);
        var arrival = new RecordingArrival();
        await using var ingest = database.CreateIngestWithArrivalRouting(arrival);
        await Assert.ThrowsAnyAsync<Exception>(() => AppendAsync(database, ingest, tenantId, "e1"));
        database.Execute("DROP TRIGGER block_commit; DROP TABLE commit_blocker");

        await AppendAsync(database, ingest, tenantId, "e2");

        // The failed commit undid e1 and its offer. The step forgot the offer it had counted for agent-1, so the
        // agent is routable again.
        Assert.Equal(0, database.QueryLong("SELECT COUNT(*) FROM routed_emails WHERE entity_id = 'e1'"));
        var (_, offers) = Assert.Single(arrival.Announced);
        var offer = Assert.Single(offers);
        Assert.Equal("e2", offer.EntityId);
        Assert.Equal("agent-1", offer.AgentId);
    }

    private static Task<int> AppendAsync(
        TestDatabase database, SqliteIngestWriter ingest, long tenantId, string entityId) =>
        ingest.AppendAsync(
            tenantId, [TestDatabase.Email(entityId)], database.Time.GetUtcNow() - TestDatabase.Retention,
            CancellationToken.None);

    // SQLite rejects every new offer, so each routing step fails at its first offer.
    private static void RejectOffers(TestDatabase database) => database.Execute(
        "CREATE TRIGGER reject_offers BEFORE INSERT ON offers BEGIN SELECT RAISE(ABORT, 'rejected by the test'); END");

    private static long SequenceOf(TestDatabase database, long emailId, string type) => database.QueryLong(
        "SELECT sequence FROM events WHERE email_id = $email AND type = $type", ("$email", emailId), ("$type", type));

    private static async Task<long> SetUpAsync(TestDatabase database, bool available)
    {
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        await database.PutAgentAsync(tenantId, "agent-1", 1, ("Sales", 1));
        if (available)
        {
            await database.SetStatusAsync(tenantId, "agent-1", AgentStatus.Available);
        }

        return tenantId;
    }

    private sealed class RecordingArrival : IArrivalRouting
    {
        public ConcurrentQueue<(long TenantId, IReadOnlyList<OfferMade> Offers)> Announced { get; } = new();

        public TimeSpan DeclineSkip => TestDatabase.DeclineSkip;

        public void OffersCommitted(long tenantId, IReadOnlyList<OfferMade> offers) =>
            Announced.Enqueue((tenantId, offers));
    }
}

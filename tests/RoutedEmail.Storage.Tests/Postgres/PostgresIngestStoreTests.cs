using Npgsql;
using RoutedEmail.Core.Emails;
using RoutedEmail.Storage.Abstractions;
using RoutedEmail.Storage.Postgres;
using RoutedEmail.Storage.Sql;
using RoutedEmail.Storage.Sqlite;
using RoutedEmail.Storage.Tests.Sqlite;

namespace RoutedEmail.Storage.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class PostgresIngestStoreTests(PostgresCluster cluster)
{
    private const string ForeignKeyViolation = "23503";
    private const string NotNullViolation = "23502";

    // No tenant row has this id, so inserting an email for it violates the foreign key on routed_emails.
    private const long UnknownTenantId = 999_999;

    [Fact]
    public async Task AppendAsync_NewEmail_StoresEveryField()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        var tenantId = await database.CreateTenantAsync();
        var email = new NewRoutedEmail(
            "entity-1", "owner-7", "Billing", 5, "from@example.com", "to@example.com", "Invoice question",
            [new EmailAttribute("CustomerId", "42"), new EmailAttribute("Class", "Commercial")],
            "https://crm.example.com/case/entity-1");

        var added = await database.AppendAsync(tenantId, email);

        Assert.Equal(1, added);
        var rows = await database.QueryRowsAsync(
            """
            SELECT state, owner_id, skill_queue, priority, agent_id, from_address, to_address, subject, attributes,
                screen_pop_url, received_at, enqueued_at, closed_at, decline_count, expiry_count
            FROM routed_emails WHERE tenant_id = @tenant AND entity_id = 'entity-1'
            """, ("tenant", tenantId));
        var row = Assert.Single(rows);
        var start = TestDatabase.Start.ToUnixTimeMilliseconds();
        Assert.Equal("Queued", row[0]);
        Assert.Equal("owner-7", row[1]);
        Assert.Equal("Billing", row[2]);
        Assert.Equal(5, row[3]);
        Assert.Null(row[4]);
        Assert.Equal("from@example.com", row[5]);
        Assert.Equal("to@example.com", row[6]);
        Assert.Equal("Invoice question", row[7]);
        Assert.Equal(email.Attributes, SqlCommands.ReadAttributes((string)row[8]!));
        Assert.Equal("https://crm.example.com/case/entity-1", row[9]);
        Assert.Equal(start, row[10]);
        Assert.Equal(start, row[11]);
        Assert.Null(row[12]);
        Assert.Equal(0, row[13]);
        Assert.Equal(0, row[14]);
    }

    [Fact]
    public async Task AppendAsync_NewEmails_WritesReceivedEvents()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        var tenantId = await database.CreateTenantAsync();

        await database.AppendAsync(tenantId, TestDatabase.Email("entity-1"), TestDatabase.Email("entity-2"));

        foreach (var entityId in new[] { "entity-1", "entity-2" })
        {
            var received = await database.QueryLongAsync(
                """
                SELECT COUNT(*) FROM events v JOIN routed_emails e ON e.id = v.email_id
                WHERE e.entity_id = @entity AND v.type = 'Received' AND v.tenant_id = @tenant
                    AND v.at = e.received_at
                """, ("entity", entityId), ("tenant", tenantId));
            Assert.True(received == 1, $"Email {entityId} has {received} Received events; expected 1.");
        }

        Assert.Equal(2, await database.QueryLongAsync("SELECT COUNT(*) FROM events"));
    }

    [Fact]
    public async Task AppendAsync_Batch_KeepsBatchOrderInIds()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        var tenantId = await database.CreateTenantAsync();
        var entityIds = new[] { "zulu", "alpha", "mike", "bravo" };

        await database.AppendAsync(tenantId, entityIds.Select(id => TestDatabase.Email(id)).ToArray());

        var stored = await database.QueryRowsAsync("SELECT entity_id FROM routed_emails ORDER BY id");
        Assert.Equal(entityIds, stored.Select(row => (string)row[0]!));
    }

    [Fact]
    public async Task AppendAsync_ConcurrentBatches_StoresEachOnce()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        var tenantId = await database.CreateTenantAsync();
        const int batchCount = 200;

        var appends = Enumerable.Range(0, batchCount)
            .Select(i => Task.Run(() => database.AppendAsync(tenantId, TestDatabase.Email($"entity-{i}"))))
            .ToList();
        var counts = await Task.WhenAll(appends);

        Assert.All(counts, count => Assert.Equal(1, count));
        Assert.Equal(batchCount, await database.QueryLongAsync("SELECT COUNT(*) FROM routed_emails"));
        Assert.Equal(batchCount, await database.QueryLongAsync("SELECT COUNT(DISTINCT entity_id) FROM routed_emails"));
        Assert.Equal(batchCount, await database.QueryLongAsync("SELECT COUNT(*) FROM events WHERE type = 'Received'"));
    }

    [Fact]
    public async Task AppendAsync_ConcurrentResends_StoresOneEmail()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        var tenantId = await database.CreateTenantAsync();

        var appends = Enumerable.Range(0, 50)
            .Select(_ => Task.Run(() => database.AppendAsync(tenantId, TestDatabase.Email("entity-1"))))
            .ToList();
        var counts = await Task.WhenAll(appends);

        Assert.Equal(1, counts.Sum());
        Assert.Equal(1, await database.QueryLongAsync("SELECT COUNT(*) FROM routed_emails"));
        Assert.Equal(1, await database.QueryLongAsync("SELECT COUNT(*) FROM events"));
    }

    [Fact]
    public async Task AppendAsync_OverlappingBatchesTwoNodes_StoresOnce()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        var tenantId = await database.CreateTenantAsync();
        await using var otherNode = PostgresTestDatabase.CreateNode(database.ConnectionString);
        var stores = new IIngestStore[] { database.Ingest, new PostgresIngestStore(otherNode, database.Time) };
        var retainedSince = database.Time.GetUtcNow() - TestDatabase.Retention;

        // In each round every batch contains the same 200 new entity ids, half of the batches in reverse order. Unless
        // the store orders its waits, two such transactions wait for each other and PostgreSQL aborts one as a
        // deadlock.
        const int rounds = 10;
        const int batchSize = 200;
        for (var round = 0; round < rounds; round++)
        {
            var entityIds = Enumerable.Range(0, batchSize).Select(i => $"round-{round}-entity-{i}").ToList();
            var appends = Enumerable.Range(0, 8)
                .Select(i => Task.Run(() => stores[i % 2].AppendAsync(
                    tenantId,
                    (i % 4 < 2 ? entityIds : entityIds.AsEnumerable().Reverse())
                        .Select(id => TestDatabase.Email(id)).ToList(),
                    retainedSince, CancellationToken.None)))
                .ToList();
            var counts = await Task.WhenAll(appends);

            Assert.True(counts.Sum() == batchSize, $"Round {round} added {counts.Sum()} emails; expected {batchSize}.");
        }

        Assert.Equal(rounds * batchSize, await database.QueryLongAsync("SELECT COUNT(*) FROM routed_emails"));
        Assert.Equal(rounds * batchSize, await database.QueryLongAsync("SELECT COUNT(*) FROM events"));
    }

    [Fact]
    public async Task AppendAsync_DuplicateInBatch_StoresOne()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        var tenantId = await database.CreateTenantAsync();

        var added = await database.AppendAsync(
            tenantId, TestDatabase.Email("entity-1"), TestDatabase.Email("entity-2"), TestDatabase.Email("entity-1"));

        Assert.Equal(2, added);
        Assert.Equal(1, await database.QueryLongAsync("SELECT COUNT(*) FROM routed_emails WHERE entity_id = 'entity-1'"));
        Assert.Equal(1, await database.QueryLongAsync("SELECT COUNT(*) FROM routed_emails WHERE entity_id = 'entity-2'"));
    }

    [Fact]
    public async Task AppendAsync_OpenEntityIdResent_ReturnsZero()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        var tenantId = await database.CreateTenantAsync();
        await database.AppendAsync(tenantId, TestDatabase.Email("entity-1"));
        database.Time.Advance(TimeSpan.FromDays(3));

        // An open email is a retry however old it is.
        var added = await database.AppendAsync(tenantId, TestDatabase.Email("entity-1", priority: 9));

        Assert.Equal(0, added);
        Assert.Equal(1, await database.QueryLongAsync("SELECT COUNT(*) FROM routed_emails"));
        Assert.Equal(0, await database.QueryLongAsync("SELECT priority FROM routed_emails"));
        Assert.Equal(1, await database.QueryLongAsync("SELECT COUNT(*) FROM events"));
    }

    [Fact]
    public async Task AppendAsync_OtherTenant_StoresBoth()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        var firstTenant = await database.CreateTenantAsync("acme");
        var secondTenant = await database.CreateTenantAsync("globex");

        var first = await database.AppendAsync(firstTenant, TestDatabase.Email("entity-1"));
        var second = await database.AppendAsync(secondTenant, TestDatabase.Email("entity-1"));

        Assert.Equal(1, first);
        Assert.Equal(1, second);
        Assert.Equal(2, await database.QueryLongAsync("SELECT COUNT(*) FROM routed_emails"));
    }

    [Fact]
    public async Task AppendAsync_ClosedWithinRetention_ReturnsZero()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        var tenantId = await database.CreateTenantAsync();
        await database.AppendAsync(tenantId, TestDatabase.Email("entity-1"));
        database.Time.Advance(TimeSpan.FromMinutes(5));
        await database.CancelAsync(tenantId, "entity-1");
        var closedAt = database.Time.GetUtcNow();
        database.Time.Advance(TimeSpan.FromHours(1));

        var added = await database.Ingest.AppendAsync(
            tenantId, [TestDatabase.Email("entity-1")], closedAt - TimeSpan.FromMilliseconds(1),
            CancellationToken.None);

        Assert.Equal(0, added);
        Assert.Equal(1, await database.QueryLongAsync("SELECT COUNT(*) FROM routed_emails"));
    }

    [Fact]
    public async Task AppendAsync_ClosedBeforeRetention_CreatesNewEmail()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        var tenantId = await database.CreateTenantAsync();
        await database.AppendAsync(tenantId, TestDatabase.Email("entity-1"));
        var firstId = await database.QueryLongAsync("SELECT id FROM routed_emails");
        database.Time.Advance(TimeSpan.FromMinutes(5));
        await database.CancelAsync(tenantId, "entity-1");
        var closedAt = database.Time.GetUtcNow();
        database.Time.Advance(TimeSpan.FromHours(25));

        var added = await database.Ingest.AppendAsync(
            tenantId, [TestDatabase.Email("entity-1")], closedAt + TimeSpan.FromMilliseconds(1),
            CancellationToken.None);

        Assert.Equal(1, added);
        Assert.Equal(2, await database.QueryLongAsync("SELECT COUNT(*) FROM routed_emails"));
        var newest = Assert.Single(await database.QueryRowsAsync(
            "SELECT id, state, enqueued_at FROM routed_emails ORDER BY id DESC LIMIT 1"));
        Assert.True((long)newest[0]! > firstId, "The new email must have a new id.");
        Assert.Equal("Queued", newest[1]);
        Assert.Equal(database.Time.GetUtcNow().ToUnixTimeMilliseconds(), newest[2]);
    }

    [Fact]
    public async Task FindRetriesAsync_MixedEntityIds_ReturnsRetained()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        var tenantId = await database.CreateTenantAsync();
        await database.AppendAsync(
            tenantId, TestDatabase.Email("open"), TestDatabase.Email("closed-recently"), TestDatabase.Email("closed-long-ago"));
        await database.CancelAsync(tenantId, "closed-long-ago");
        database.Time.Advance(TimeSpan.FromHours(2));
        await database.CancelAsync(tenantId, "closed-recently");
        var retainedSince = database.Time.GetUtcNow() - TimeSpan.FromHours(1);

        var retries = await database.Ingest.FindRetriesAsync(
            tenantId, ["open", "closed-recently", "closed-long-ago", "never-sent"], retainedSince,
            CancellationToken.None);

        Assert.Equal(["closed-recently", "open"], retries.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AppendAsync_UnknownTenant_FailsAndStoresNothing()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);

        var exception = await Assert.ThrowsAsync<PostgresException>(() => database.AppendAsync(
            UnknownTenantId, TestDatabase.Email("entity-1"), TestDatabase.Email("entity-2")));

        Assert.Equal(ForeignKeyViolation, exception.SqlState);
        Assert.Equal(0, await database.QueryLongAsync("SELECT COUNT(*) FROM routed_emails"));
        Assert.Equal(0, await database.QueryLongAsync("SELECT COUNT(*) FROM events"));
    }

    [Fact]
    public async Task AppendAsync_ConcurrentFailingBatches_CommitsValid()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        var tenantId = await database.CreateTenantAsync();

        // Every tenth batch names a tenant without a row, so its insert fails on the foreign key.
        var appends = Enumerable.Range(0, 200)
            .Select(i => Task.Run(() => database.AppendAsync(
                i % 10 == 0 ? UnknownTenantId : tenantId, TestDatabase.Email($"entity-{i}"))))
            .ToList();
        await Task.WhenAll(appends).ContinueWith(_ => { }, TaskScheduler.Default);

        for (var i = 0; i < appends.Count; i++)
        {
            if (i % 10 == 0)
            {
                Assert.True(appends[i].IsFaulted, $"Batch {i} for an unknown tenant did not fail.");
                Assert.IsType<PostgresException>(appends[i].Exception?.InnerException);
            }
            else
            {
                Assert.True(appends[i].IsCompletedSuccessfully, $"Valid batch {i} failed: {appends[i].Exception}");
                Assert.Equal(1, await appends[i]);
            }
        }

        Assert.Equal(180, await database.QueryLongAsync(
            "SELECT COUNT(*) FROM routed_emails WHERE tenant_id = @t", ("t", tenantId)));
        Assert.Equal(0, await database.QueryLongAsync(
            "SELECT COUNT(*) FROM routed_emails WHERE tenant_id <> @t", ("t", tenantId)));
        Assert.Equal(180, await database.QueryLongAsync("SELECT COUNT(*) FROM events"));
    }

    [Fact]
    public async Task AppendAsync_LaterEmailFails_RollsBackBatch()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        var tenantId = await database.CreateTenantAsync();

        // The null subject passes C# but violates NOT NULL, in the same statement as the first email of the batch.
        var broken = TestDatabase.Email("entity-2") with { Subject = null! };
        var exception = await Assert.ThrowsAsync<PostgresException>(
            () => database.AppendAsync(tenantId, TestDatabase.Email("entity-1"), broken));

        Assert.Equal(NotNullViolation, exception.SqlState);
        Assert.Equal(0, await database.QueryLongAsync("SELECT COUNT(*) FROM routed_emails"));
        Assert.Equal(0, await database.QueryLongAsync("SELECT COUNT(*) FROM events"));
    }

    [Fact]
    public async Task AppendAsync_AfterFailedBatch_AcceptsRetry()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        var tenantId = await database.CreateTenantAsync();
        var broken = TestDatabase.Email("entity-2") with { Subject = null! };
        await Assert.ThrowsAsync<PostgresException>(
            () => database.AppendAsync(tenantId, TestDatabase.Email("entity-1"), broken));

        // The rolled-back email must not count as received, so the client's retry queues it.
        var added = await database.AppendAsync(tenantId, TestDatabase.Email("entity-1"), TestDatabase.Email("entity-2"));

        Assert.Equal(2, added);
    }

    [Fact]
    public async Task AppendAsync_Cancelled_StoresNothing()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        var tenantId = await database.CreateTenantAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => database.Ingest.AppendAsync(
            tenantId, [TestDatabase.Email("entity-1")], database.Time.GetUtcNow() - TestDatabase.Retention,
            new CancellationToken(canceled: true)));

        Assert.Equal(0, await database.QueryLongAsync("SELECT COUNT(*) FROM routed_emails"));
    }
}

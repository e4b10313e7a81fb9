using Microsoft.Data.Sqlite;
using RoutedEmail.Core.Emails;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Tests.Sqlite;

public sealed class SqliteIngestWriterTests
{
    // 787 is SQLITE_CONSTRAINT_FOREIGNKEY, 1299 is SQLITE_CONSTRAINT_NOTNULL.
    private const int ForeignKeyFailed = 787;
    private const int NotNullFailed = 1299;

    // No tenant row has this id, so inserting an email for it violates the foreign key on routed_emails.
    private const long UnknownTenantId = 999_999;

    [Fact]
    public async Task AppendAsync_NewEmail_StoresEveryField()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        var email = new NewRoutedEmail(
            "entity-1", "owner-7", "Billing", 5, "from@example.com", "to@example.com", "Invoice question",
            [new EmailAttribute("CustomerId", "42"), new EmailAttribute("Class", "Commercial")],
            "https://crm.example.com/case/entity-1");

        var added = await database.Ingest.AppendAsync(
            tenantId, [email], database.Time.GetUtcNow() - TestDatabase.Retention, CancellationToken.None);

        Assert.Equal(1, added);
        var stored = await database.Emails.FindByEntityIdAsync(tenantId, "entity-1", CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal(RoutedEmailState.Queued, stored.State);
        Assert.Equal("owner-7", stored.OwnerId);
        Assert.Equal("Billing", stored.SkillQueue);
        Assert.Equal(5, stored.Priority);
        Assert.Null(stored.AgentId);
        Assert.Equal("from@example.com", stored.FromAddress);
        Assert.Equal("to@example.com", stored.ToAddress);
        Assert.Equal("Invoice question", stored.Subject);
        Assert.Equal(email.Attributes, stored.Attributes);
        Assert.Equal(TestDatabase.Start, stored.EnqueuedAt);
        Assert.Equal(
            "https://crm.example.com/case/entity-1",
            database.QueryString("SELECT screen_pop_url FROM routed_emails WHERE id = $id", ("$id", stored.EmailId)));
    }

    [Fact]
    public async Task AppendAsync_NewEmail_WritesOneReceivedEvent()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();

        await database.AppendAsync(tenantId, TestDatabase.Email("entity-1"), TestDatabase.Email("entity-2"));

        foreach (var entityId in new[] { "entity-1", "entity-2" })
        {
            var emailId = database.NewestEmailId(tenantId, entityId);
            var received = database.QueryLong(
                "SELECT COUNT(*) FROM events WHERE email_id = $email AND type = 'Received' AND tenant_id = $tenant",
                ("$email", emailId), ("$tenant", tenantId));
            Assert.True(received == 1, $"Email {entityId} has {received} Received events; expected 1.");
        }

        Assert.Equal(2, database.QueryLong("SELECT COUNT(*) FROM events"));
    }

    [Fact]
    public async Task AppendAsync_ConcurrentBatches_StoresEachOnce()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        const int batchCount = 200;

        var appends = Enumerable.Range(0, batchCount)
            .Select(i => Task.Run(() => database.AppendAsync(tenantId, TestDatabase.Email($"entity-{i}"))))
            .ToList();
        var counts = await Task.WhenAll(appends);

        Assert.All(counts, count => Assert.Equal(1, count));
        Assert.Equal(batchCount, database.QueryLong("SELECT COUNT(*) FROM routed_emails"));
        Assert.Equal(batchCount, database.QueryLong("SELECT COUNT(DISTINCT entity_id) FROM routed_emails"));
        Assert.Equal(batchCount, database.QueryLong("SELECT COUNT(*) FROM events WHERE type = 'Received'"));
    }

    [Fact]
    public async Task AppendAsync_ConcurrentResends_StoresOneEmail()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();

        var appends = Enumerable.Range(0, 50)
            .Select(_ => Task.Run(() => database.AppendAsync(tenantId, TestDatabase.Email("entity-1"))))
            .ToList();
        var counts = await Task.WhenAll(appends);

        Assert.Equal(1, counts.Sum());
        Assert.Equal(1, database.QueryLong("SELECT COUNT(*) FROM routed_emails"));
    }

    [Fact]
    public async Task AppendAsync_DuplicateInBatch_StoresOne()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();

        var added = await database.AppendAsync(
            tenantId, TestDatabase.Email("entity-1"), TestDatabase.Email("entity-2"), TestDatabase.Email("entity-1"));

        Assert.Equal(2, added);
        Assert.Equal(
            1, database.QueryLong("SELECT COUNT(*) FROM routed_emails WHERE entity_id = 'entity-1'"));
        Assert.Equal(
            1, database.QueryLong("SELECT COUNT(*) FROM routed_emails WHERE entity_id = 'entity-2'"));
    }

    [Fact]
    public async Task AppendAsync_OpenEntityIdResent_ReturnsZero()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.AppendAsync(tenantId, TestDatabase.Email("entity-1"));
        database.Time.Advance(TimeSpan.FromDays(3));

        // An open email is a retry however old it is.
        var added = await database.AppendAsync(tenantId, TestDatabase.Email("entity-1", priority: 9));

        Assert.Equal(0, added);
        Assert.Equal(1, database.QueryLong("SELECT COUNT(*) FROM routed_emails"));
        Assert.Equal(0, database.QueryLong("SELECT priority FROM routed_emails"));
        Assert.Equal(1, database.QueryLong("SELECT COUNT(*) FROM events"));
    }

    [Fact]
    public async Task AppendAsync_OtherTenant_StoresBoth()
    {
        await using var database = TestDatabase.Create();
        var firstTenant = await database.CreateTenantAsync("acme");
        var secondTenant = await database.CreateTenantAsync("globex");

        var first = await database.AppendAsync(firstTenant, TestDatabase.Email("entity-1"));
        var second = await database.AppendAsync(secondTenant, TestDatabase.Email("entity-1"));

        Assert.Equal(1, first);
        Assert.Equal(1, second);
        Assert.Equal(2, database.QueryLong("SELECT COUNT(*) FROM routed_emails"));
    }

    [Fact]
    public async Task AppendAsync_ClosedWithinRetention_ReturnsZero()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.AppendAsync(tenantId, TestDatabase.Email("entity-1"));
        database.Time.Advance(TimeSpan.FromMinutes(5));
        await database.Emails.CancelAsync(tenantId, "entity-1", CancellationToken.None);
        var closedAt = database.Time.GetUtcNow();
        database.Time.Advance(TimeSpan.FromHours(1));

        var added = await database.Ingest.AppendAsync(
            tenantId, [TestDatabase.Email("entity-1")], closedAt - TimeSpan.FromMilliseconds(1),
            CancellationToken.None);

        Assert.Equal(0, added);
        Assert.Equal(1, database.QueryLong("SELECT COUNT(*) FROM routed_emails"));
    }

    [Fact]
    public async Task AppendAsync_ClosedBeforeRetention_CreatesNewEmail()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        var firstId = await database.QueueEmailAsync(tenantId, "entity-1");
        database.Time.Advance(TimeSpan.FromMinutes(5));
        await database.Emails.CancelAsync(tenantId, "entity-1", CancellationToken.None);
        var closedAt = database.Time.GetUtcNow();
        database.Time.Advance(TimeSpan.FromHours(25));

        var added = await database.Ingest.AppendAsync(
            tenantId, [TestDatabase.Email("entity-1")], closedAt + TimeSpan.FromMilliseconds(1),
            CancellationToken.None);

        Assert.Equal(1, added);
        Assert.Equal(2, database.QueryLong("SELECT COUNT(*) FROM routed_emails"));
        var newest = await database.Emails.FindByEntityIdAsync(tenantId, "entity-1", CancellationToken.None);
        Assert.NotNull(newest);
        Assert.True(newest.EmailId > firstId, "The new email must have a new id.");
        Assert.Equal(RoutedEmailState.Queued, newest.State);
        Assert.Equal(database.Time.GetUtcNow(), newest.EnqueuedAt);
    }

    [Fact]
    public async Task AppendAsync_FailingBatchInGroup_CommitsOthers()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        var retainedSince = database.Time.GetUtcNow() - TestDatabase.Retention;
        Task<int> first, before, failing, after;

        // While the lock is held the writer cannot commit, so the batches queue up. The writer takes at most one
        // group before the lock is released and every remaining batch after it. So the failing batch always
        // shares its transaction with at least one valid batch.
        using (database.HoldWriteLock())
        {
            first = database.AppendAsync(tenantId, TestDatabase.Email("first"));
            before = database.AppendAsync(tenantId, TestDatabase.Email("before-1"), TestDatabase.Email("before-2"));
            failing = database.Ingest.AppendAsync(
                UnknownTenantId, [TestDatabase.Email("failing-1"), TestDatabase.Email("failing-2")], retainedSince,
                CancellationToken.None);
            after = database.AppendAsync(tenantId, TestDatabase.Email("after"));
            await Task.Delay(TimeSpan.FromMilliseconds(100));
            Assert.False(failing.IsCompleted, "A batch completed while the write lock was held.");
        }

        var exception = await Assert.ThrowsAsync<SqliteException>(() => failing);
        Assert.Equal(ForeignKeyFailed, exception.SqliteExtendedErrorCode);
        Assert.Equal(1, await first);
        Assert.Equal(2, await before);
        Assert.Equal(1, await after);
        Assert.Equal(0, database.QueryLong("SELECT COUNT(*) FROM routed_emails WHERE entity_id LIKE 'failing-%'"));
        Assert.Equal(4, database.QueryLong("SELECT COUNT(*) FROM routed_emails"));
        Assert.Equal(0, database.QueryLong("SELECT COUNT(*) FROM events WHERE tenant_id = $t", ("$t", UnknownTenantId)));
        Assert.Equal(4, database.QueryLong("SELECT COUNT(*) FROM events WHERE type = 'Received'"));
    }

    [Fact]
    public async Task AppendAsync_ConcurrentFailingBatches_CommitsValid()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        var retainedSince = database.Time.GetUtcNow() - TestDatabase.Retention;

        // Every tenth batch names a tenant without a row, so its insert fails on the foreign key.
        var appends = Enumerable.Range(0, 200)
            .Select(i => Task.Run(() => database.Ingest.AppendAsync(
                i % 10 == 0 ? UnknownTenantId : tenantId, [TestDatabase.Email($"entity-{i}")], retainedSince,
                CancellationToken.None)))
            .ToList();
        await Task.WhenAll(appends).ContinueWith(_ => { }, TaskScheduler.Default);

        for (var i = 0; i < appends.Count; i++)
        {
            if (i % 10 == 0)
            {
                Assert.True(appends[i].IsFaulted, $"Batch {i} for an unknown tenant did not fail.");
                Assert.IsType<SqliteException>(appends[i].Exception?.InnerException);
            }
            else
            {
                Assert.True(appends[i].IsCompletedSuccessfully, $"Valid batch {i} failed: {appends[i].Exception}");
                Assert.Equal(1, await appends[i]);
            }
        }

        Assert.Equal(180, database.QueryLong("SELECT COUNT(*) FROM routed_emails WHERE tenant_id = $t", ("$t", tenantId)));
        Assert.Equal(0, database.QueryLong("SELECT COUNT(*) FROM routed_emails WHERE tenant_id <> $t", ("$t", tenantId)));
        Assert.Equal(180, database.QueryLong("SELECT COUNT(*) FROM events"));
    }

    [Fact]
    public async Task AppendAsync_LaterEmailFails_RollsBackBatch()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();

        // The null subject passes C# but violates NOT NULL, after the first email of the batch was inserted.
        var broken = TestDatabase.Email("entity-2") with { Subject = null! };
        var exception = await Assert.ThrowsAsync<SqliteException>(
            () => database.AppendAsync(tenantId, TestDatabase.Email("entity-1"), broken));

        Assert.Equal(NotNullFailed, exception.SqliteExtendedErrorCode);
        Assert.Equal(0, database.QueryLong("SELECT COUNT(*) FROM routed_emails"));
        Assert.Equal(0, database.QueryLong("SELECT COUNT(*) FROM events"));
    }

    [Fact]
    public async Task AppendAsync_RolledBackBatch_NoSequenceGap()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        var broken = TestDatabase.Email("broken-2") with { Subject = null! };
        Task<int> before, failing, after;

        // The writer numbers each event as it inserts it. The broken batch numbers its first event before its
        // second insert fails, so the batch after it must take that number again.
        using (database.HoldWriteLock())
        {
            before = database.AppendAsync(tenantId, TestDatabase.Email("before-1"), TestDatabase.Email("before-2"));
            failing = database.AppendAsync(tenantId, TestDatabase.Email("broken-1"), broken);
            after = database.AppendAsync(tenantId, TestDatabase.Email("after"));
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        await Assert.ThrowsAsync<SqliteException>(() => failing);
        Assert.Equal(2, await before);
        Assert.Equal(1, await after);
        Assert.Equal(1, await database.AppendAsync(tenantId, TestDatabase.Email("next-group")));

        SqliteEventSequenceTests.AssertGapFree(ReadSequences(database, tenantId));
        Assert.Equal(4, database.QueryLong(
            "SELECT last_sequence FROM event_sequences WHERE tenant_id = $t", ("$t", tenantId)));
        Assert.Equal(4, database.QueryLong("SELECT COUNT(DISTINCT public_id) FROM events"));
    }

    [Fact]
    public async Task AppendAsync_AfterFailedBatch_AcceptsRetry()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        var broken = TestDatabase.Email("entity-2") with { Subject = null! };
        await Assert.ThrowsAsync<SqliteException>(
            () => database.AppendAsync(tenantId, TestDatabase.Email("entity-1"), broken));

        // The rolled-back email must not count as received, so the client's retry queues it.
        var added = await database.AppendAsync(tenantId, TestDatabase.Email("entity-1"), TestDatabase.Email("entity-2"));

        Assert.Equal(2, added);
    }

    [Fact]
    public async Task DisposeAsync_PendingBatches_CompletesThem()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        var writer = database.Ingest;
        List<Task<int>> appends;
        Task disposing;

        using (database.HoldWriteLock())
        {
            appends = Enumerable.Range(0, 20)
                .Select(i => database.AppendAsync(tenantId, TestDatabase.Email($"entity-{i}")))
                .ToList();
            disposing = writer.DisposeAsync().AsTask();
            await Task.Delay(TimeSpan.FromMilliseconds(100));
            Assert.False(disposing.IsCompleted, "DisposeAsync returned while batches were still waiting.");
        }

        await disposing;

        Assert.All(appends, append => Assert.True(append.IsCompletedSuccessfully));
        Assert.All(await Task.WhenAll(appends), count => Assert.Equal(1, count));
        Assert.Equal(20, database.QueryLong("SELECT COUNT(*) FROM routed_emails"));
    }

    [Fact]
    public async Task AppendAsync_AfterDispose_Throws()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.Ingest.DisposeAsync();

        await Assert.ThrowsAnyAsync<InvalidOperationException>(
            () => database.AppendAsync(tenantId, TestDatabase.Email("entity-1")));
        Assert.Equal(0, database.QueryLong("SELECT COUNT(*) FROM routed_emails"));
    }

    private static List<long> ReadSequences(TestDatabase database, long tenantId)
    {
        using var connection = database.Database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sequence FROM events WHERE tenant_id = $tenant ORDER BY id";
        command.Parameters.AddWithValue("$tenant", tenantId);
        using var reader = command.ExecuteReader();
        var sequences = new List<long>();
        while (reader.Read())
        {
            sequences.Add(reader.GetInt64(0));
        }

        return sequences;
    }
}

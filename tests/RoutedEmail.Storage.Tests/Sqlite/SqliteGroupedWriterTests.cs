using System.Data.Common;
using RoutedEmail.Storage.Sql;

namespace RoutedEmail.Storage.Tests.Sqlite;

/// <summary>
/// Work queued while the grouped writer is busy commits together, each part in a savepoint of its own: a part that
/// throws or does not commit loses only its own writes, and every caller waits for the group's commit.
/// </summary>
public sealed class SqliteGroupedWriterTests
{
    private const long Tenant = 1;
    private static readonly TimeSpan Completion = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task WriteAsync_QueuedWhileBusy_CommitsTogether()
    {
        await using var database = await CreateAsync();
        var visibleDuringThird = -1L;
        var parts = await QueueBehindBlockerAsync(database,
            (connection, transaction) => InsertAndCommit(connection, transaction, 1),
            (connection, transaction) => InsertAndCommit(connection, transaction, 2),
            (connection, transaction) =>
            {
                // Another connection does not see the earlier parts' rows: they wait in the same open transaction.
                visibleDuringThird = CountRows(database);
                return InsertAndCommit(connection, transaction, 3);
            });

        var results = await Task.WhenAll(parts).WaitAsync(Completion);

        Assert.Equal([1L, 2L, 3L], results);
        Assert.Equal(0, visibleDuringThird);
        Assert.Equal(3, CountRows(database));
    }

    [Fact]
    public async Task WriteAsync_PartThrows_OtherPartsKept()
    {
        await using var database = await CreateAsync();
        var parts = await QueueBehindBlockerAsync(database,
            (connection, transaction) => InsertAndCommit(connection, transaction, 1),
            (connection, transaction) =>
            {
                Insert(connection, transaction, 2);
                throw new InvalidOperationException("The part failed after its insert.");
            },
            (connection, transaction) => InsertAndCommit(connection, transaction, 3));

        Assert.Equal(1L, await parts[0].WaitAsync(Completion));
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => parts[1].WaitAsync(Completion));
        Assert.Equal(3L, await parts[2].WaitAsync(Completion));
        Assert.Equal("The part failed after its insert.", failure.Message);
        Assert.Equal([1L, 3L], ReadIds(database));
    }

    [Fact]
    public async Task WriteAsync_WholeTransactionRolledBack_GroupFails()
    {
        await using var database = await CreateAsync();
        var parts = await QueueBehindBlockerAsync(database,
            (connection, transaction) => InsertAndCommit(connection, transaction, 1),
            (connection, transaction) =>
            {
                // SQLite may end the whole transaction like this after some errors, such as a full disk.
                using var rollback = connection.Command("ROLLBACK", transaction);
                rollback.ExecuteNonQuery();
                throw new InvalidOperationException("The transaction was rolled back.");
            });

        foreach (var part in parts)
        {
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => part.WaitAsync(Completion));
            Assert.Equal("The transaction was rolled back.", failure.Message);
        }

        Assert.Empty(ReadIds(database));
    }

    [Fact]
    public async Task WriteAsync_OpenReader_OtherPartsKept()
    {
        await using var database = await CreateAsync();
        var parts = await QueueBehindBlockerAsync(database,
            (connection, transaction) =>
            {
                // A RETURNING statement with rows left to read is still a write in progress, as in a part that does
                // not dispose its command.
                var insert = connection.Command(
                    "INSERT INTO grouped_rows (id) VALUES (1), (2) RETURNING id", transaction);
                var reader = insert.ExecuteReader();
                reader.Read();
                transaction.Commit();
                return 1L;
            },
            (connection, transaction) => InsertAndCommit(connection, transaction, 3));

        Assert.Equal(1L, await parts[0].WaitAsync(Completion));
        Assert.Equal(3L, await parts[1].WaitAsync(Completion));
        Assert.Equal([1L, 2L, 3L], ReadIds(database));
    }

    [Fact]
    public async Task WriteAsync_NoCommit_WritesRolledBack()
    {
        await using var database = await CreateAsync();

        var result = await database.Database.WriteAsync(Tenant, (connection, transaction) =>
        {
            Insert(connection, transaction, 1);
            return 7L;
        }).WaitAsync(Completion);

        Assert.Equal(7L, result);
        Assert.Empty(ReadIds(database));
    }

    [Fact]
    public async Task WriteAsync_AfterDispose_Throws()
    {
        var database = await CreateAsync();
        await database.DisposeAsync();

        // The writer rejects the work at once, before any task exists to carry the exception.
        Assert.Throws<ObjectDisposedException>(() =>
        {
            _ = database.Database.WriteAsync(Tenant, (connection, transaction) => InsertAndCommit(connection, transaction, 1));
        });
    }

    /// <summary>
    /// Keeps the writer busy with a part that waits, queues the parts behind it, and then lets it finish, so that
    /// the queued parts form the next group.
    /// </summary>
    private static async Task<Task<long>[]> QueueBehindBlockerAsync(
        TestDatabase database, params Func<DbConnection, DbTransaction, long>[] works)
    {
        using var started = new SemaphoreSlim(0);
        using var release = new ManualResetEventSlim();
        var blocker = database.Database.WriteAsync(Tenant, (_, _) =>
        {
            started.Release();
            release.Wait(Completion);
            return 0L;
        });
        Assert.True(await started.WaitAsync(Completion));

        var parts = works.Select(work => database.Database.WriteAsync(Tenant, work)).ToArray();
        release.Set();
        await blocker.WaitAsync(Completion);
        return parts;
    }

    private static async Task<TestDatabase> CreateAsync()
    {
        var database = TestDatabase.Create();
        using var connection = database.Database.Open();
        using var command = connection.Command("CREATE TABLE grouped_rows (id INTEGER PRIMARY KEY)", null);
        command.ExecuteNonQuery();
        await Task.CompletedTask;
        return database;
    }

    private static long InsertAndCommit(DbConnection connection, DbTransaction transaction, long id)
    {
        Insert(connection, transaction, id);
        transaction.Commit();
        return id;
    }

    private static void Insert(DbConnection connection, DbTransaction transaction, long id)
    {
        using var command = connection.Command("INSERT INTO grouped_rows (id) VALUES (@id)", transaction);
        command.With("@id", id).ExecuteNonQuery();
    }

    private static long CountRows(TestDatabase database) => ReadIds(database).Count;

    private static List<long> ReadIds(TestDatabase database)
    {
        using var connection = database.Database.Open();
        using var command = connection.Command("SELECT id FROM grouped_rows ORDER BY id", null);
        using var reader = command.ExecuteReader();
        var ids = new List<long>();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }
}

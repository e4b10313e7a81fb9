using System.Data.Common;
using RoutedEmail.Storage.Sql;
using RoutedEmail.Storage.Sqlite;

namespace RoutedEmail.Storage.Tests.Sqlite;

/// <summary>
/// Write transactions queue on the process's gate instead of SQLite's busy handler, commit without SQLite's own
/// fsync and then wait for the shared one, and hand their connection back with <c>synchronous = FULL</c>.
/// </summary>
public sealed class SqliteWriteGateTests
{
    [Fact]
    public async Task BeginWrite_InsideTransaction_SynchronousNormal()
    {
        await using var database = await CreateAsync();
        using var connection = database.Database.Open();
        using var transaction = database.Database.BeginWrite(connection, tenantId: 1);

        // 1 is NORMAL: the commit itself does not fsync, because the commit waits for the gate's fsync after it.
        Assert.Equal(1L, Scalar(connection, "PRAGMA synchronous", transaction));
    }

    [Fact]
    public async Task Commit_Connection_BackToSynchronousFull()
    {
        await using var database = await CreateAsync();
        using var connection = database.Database.Open();
        using (var transaction = database.Database.BeginWrite(connection, tenantId: 1))
        {
            Insert(connection, transaction, 1);
            transaction.Commit();
        }

        Assert.Equal(2L, Scalar(connection, "PRAGMA synchronous", null));
    }

    [Fact]
    public async Task Open_PooledAfterWrite_KeepsEverySetting()
    {
        await using var database = await CreateAsync();
        using (var connection = database.Database.Open())
        using (var transaction = database.Database.BeginWrite(connection, tenantId: 1))
        {
            Insert(connection, transaction, 1);
            transaction.Commit();
        }

        // The pool hands back the same physical connection, on which Open no longer runs the settings' PRAGMAs.
        using var reopened = database.Database.Open();

        Assert.Equal(2L, Scalar(reopened, "PRAGMA synchronous", null));
        Assert.Equal(1L, Scalar(reopened, "PRAGMA foreign_keys", null));
        Assert.Equal(10000L, Scalar(reopened, "PRAGMA busy_timeout", null));
    }

    [Fact]
    public async Task Dispose_Uncommitted_RollsBack()
    {
        await using var database = await CreateAsync();
        using (var connection = database.Database.Open())
        using (var abandoned = database.Database.BeginWrite(connection, tenantId: 1))
        {
            Insert(connection, abandoned, 1);
        }

        using var next = database.Database.Open();
        using (var transaction = database.Database.BeginWrite(next, tenantId: 1))
        {
            Insert(next, transaction, 2);
            transaction.Commit();
        }

        Assert.Equal(2L, Scalar(next, "PRAGMA synchronous", null));
        Assert.Equal(1L, Scalar(next, "SELECT COUNT(*) FROM gate_rows", null));
        Assert.Equal(2L, Scalar(next, "SELECT MAX(id) FROM gate_rows", null));
    }

    [Fact]
    public async Task Commit_FailsOnConstraint_ReleasesGate()
    {
        await using var database = await CreateAsync();
        using var connection = database.Database.Open();
        using (var transaction = database.Database.BeginWrite(connection, tenantId: 1))
        {
            Insert(connection, transaction, 1);
            transaction.Commit();
        }

        using (var failing = database.Database.BeginWrite(connection, tenantId: 1))
        {
            Assert.ThrowsAny<DbException>(() => Insert(connection, failing, 1));
        }

        using var again = database.Database.BeginWrite(connection, tenantId: 1);
        Insert(connection, again, 2);
        again.Commit();
        Assert.Equal(2L, Scalar(connection, "SELECT COUNT(*) FROM gate_rows", null));
    }

    [Fact]
    public async Task Commit_ManyConcurrentWriters_EveryRowStored()
    {
        const int Writers = 16;
        const int RowsPerWriter = 50;
        await using var database = await CreateAsync();

        var writers = Enumerable.Range(0, Writers).Select(writer => Task.Run(() =>
        {
            for (var row = 0; row < RowsPerWriter; row++)
            {
                using var connection = database.Database.Open();
                using var transaction = database.Database.BeginWrite(connection, tenantId: 1);
                Insert(connection, transaction, (writer * RowsPerWriter) + row + 1);
                transaction.Commit();
            }
        }));
        await Task.WhenAll(writers);

        using var reader = database.Database.Open();
        Assert.Equal((long)Writers * RowsPerWriter, Scalar(reader, "SELECT COUNT(*) FROM gate_rows", null));
    }

    [Fact]
    public async Task Enter_Nested_TimesOut()
    {
        await using var database = await CreateAsync();
        var gate = new SqliteWriteGate(database.Database.FilePath, TimeSpan.FromMilliseconds(50));
        gate.Enter();

        var exception = Assert.Throws<TimeoutException>(gate.Enter);

        Assert.Contains(database.Database.FilePath, exception.Message, StringComparison.Ordinal);
        gate.Exit();
    }

    private static async Task<TestDatabase> CreateAsync()
    {
        var database = TestDatabase.Create();
        using var connection = database.Database.Open();
        using var command = connection.Command("CREATE TABLE gate_rows (id INTEGER PRIMARY KEY)", null);
        command.ExecuteNonQuery();
        await Task.CompletedTask;
        return database;
    }

    private static void Insert(DbConnection connection, DbTransaction transaction, long id)
    {
        using var command = connection.Command("INSERT INTO gate_rows (id) VALUES (@id)", transaction);
        command.With("@id", id).ExecuteNonQuery();
    }

    private static object? Scalar(DbConnection connection, string sql, DbTransaction? transaction)
    {
        using var command = connection.Command(sql, transaction);
        return command.ExecuteScalar();
    }
}

using System.Data.Common;
using Microsoft.Data.Sqlite;
using RoutedEmail.Storage.Sql;
using RoutedEmail.Storage.Sqlite;
using SQLitePCL;

namespace RoutedEmail.Storage.Tests.Sqlite;

/// <summary>
/// Write transactions run on one kept connection whose commands stay prepared between transactions. After every
/// transaction, committed, rolled back or failed, the next writer must find that connection outside any
/// transaction, with no statement still stepping and no parameter left from an earlier use.
/// </summary>
public sealed class SqliteKeptWriterTests
{
    private const string InsertSql = "INSERT INTO kept_rows (id, name) VALUES (@id, @name)";

    [Fact]
    public async Task Command_SecondTransaction_ReusesPreparedCommand()
    {
        await using var database = await CreateAsync();
        using var connection = database.Database.Open();

        SqliteCommand first;
        using (var transaction = database.Database.BeginWrite(connection, tenantId: 1))
        {
            using (var command = connection.Command(InsertSql, transaction))
            {
                command.With("@id", 1).With("@name", "one").ExecuteNonQuery();
                first = Assert.IsType<SqliteKeptCommand>(command).Inner;
            }

            transaction.Commit();
        }

        var keptConnection = database.Database.KeptWriter.Connect();
        using var next = database.Database.BeginWrite(connection, tenantId: 1);
        using var second = connection.Command(InsertSql, next);
        second.With("@id", 2).With("@name", "two").ExecuteNonQuery();

        Assert.Same(first, Assert.IsType<SqliteKeptCommand>(second).Inner);
        Assert.Same(keptConnection, second.Connection);
        Assert.NotSame(connection, second.Connection);
    }

    [Fact]
    public async Task Command_AfterUse_ParametersCleared()
    {
        await using var database = await CreateAsync();
        using var connection = database.Database.Open();
        using var transaction = database.Database.BeginWrite(connection, tenantId: 1);

        using (var first = connection.Command(InsertSql, transaction))
        {
            first.With("@id", 1).With("@name", "one").ExecuteNonQuery();
        }

        using var second = connection.Command(InsertSql, transaction);

        Assert.Empty(second.Parameters);

        // Microsoft.Data.Sqlite rejects a statement whose @name has no value, so the old value was not kept.
        second.With("@id", 2);
        Assert.Throws<InvalidOperationException>(() => second.ExecuteNonQuery());
    }

    [Fact]
    public async Task Rollback_KeptConnection_CleanAndUsable()
    {
        await using var database = await CreateAsync();
        using var connection = database.Database.Open();
        var kept = database.Database.KeptWriter;

        using (var abandoned = database.Database.BeginWrite(connection, tenantId: 1))
        {
            Insert(connection, abandoned, 1);
        }

        var keptConnection = kept.Connect();
        Assert.True(IsOutsideTransaction(keptConnection));
        Assert.False(HasSteppingStatement(keptConnection));

        using (var transaction = database.Database.BeginWrite(connection, tenantId: 1))
        {
            Insert(connection, transaction, 2);
            transaction.Commit();
        }

        Assert.Same(keptConnection, kept.Connect());
        Assert.Equal(1L, database.QueryLong("SELECT COUNT(*) FROM kept_rows"));
        Assert.Equal(2L, database.QueryLong("SELECT MAX(id) FROM kept_rows"));
    }

    [Fact]
    public async Task Command_FailingStatement_LaterTransactionsCommit()
    {
        await using var database = await CreateAsync();
        using var connection = database.Database.Open();
        Commit(database, connection, 1);

        using (var failing = database.Database.BeginWrite(connection, tenantId: 1))
        {
            Assert.ThrowsAny<DbException>(() => Insert(connection, failing, 1));
        }

        var keptConnection = database.Database.KeptWriter.Connect();
        Assert.True(IsOutsideTransaction(keptConnection));
        Assert.False(HasSteppingStatement(keptConnection));

        Commit(database, connection, 2);
        Commit(database, connection, 3);

        Assert.Equal(3L, database.QueryLong("SELECT COUNT(*) FROM kept_rows"));
    }

    [Fact]
    public async Task Commit_DeferredKeyFails_NextCommits()
    {
        await using var database = await CreateAsync();
        using var connection = database.Database.Open();

        using (var failing = database.Database.BeginWrite(connection, tenantId: 1))
        {
            using var orphan = connection.Command(
                "INSERT INTO kept_children (id, parent_id) VALUES (1, 99)", failing);
            orphan.ExecuteNonQuery();

            // The deferred foreign key is checked at COMMIT, which fails and leaves the transaction open.
            Assert.ThrowsAny<DbException>(failing.Commit);
        }

        Assert.True(IsOutsideTransaction(database.Database.KeptWriter.Connect()));
        Commit(database, connection, 1);
        Assert.Equal(0L, database.QueryLong("SELECT COUNT(*) FROM kept_children"));
        Assert.Equal(1L, database.QueryLong("SELECT COUNT(*) FROM kept_rows"));
    }

    [Fact]
    public async Task Commit_ReaderLeftOpen_NoStatementStepping()
    {
        await using var database = await CreateAsync();
        using var connection = database.Database.Open();
        Commit(database, connection, 1);
        Commit(database, connection, 2);

        using (var transaction = database.Database.BeginWrite(connection, tenantId: 1))
        {
            // Neither the command nor its reader is disposed before the commit.
            var command = connection.Command("SELECT id FROM kept_rows ORDER BY id", transaction);
            var reader = command.ExecuteReader();
            Assert.True(reader.Read());
            Insert(connection, transaction, 3);
            transaction.Commit();
        }

        var keptConnection = database.Database.KeptWriter.Connect();
        Assert.True(IsOutsideTransaction(keptConnection));
        Assert.False(HasSteppingStatement(keptConnection));
        Assert.Equal(3L, database.QueryLong("SELECT COUNT(*) FROM kept_rows"));
    }

    [Fact]
    public async Task Command_ReaderStillOpen_NewCommand()
    {
        await using var database = await CreateAsync();
        using var connection = database.Database.Open();
        Commit(database, connection, 1);
        Commit(database, connection, 2);
        const string sql = "SELECT id FROM kept_rows WHERE id >= @from ORDER BY id";

        using var transaction = database.Database.BeginWrite(connection, tenantId: 1);
        using var outer = connection.Command(sql, transaction);
        using var outerReader = outer.With("@from", 1).ExecuteReader();
        var inner = new List<long>();
        while (outerReader.Read())
        {
            using var nested = connection.Command(sql, transaction);
            Assert.NotSame(outer, nested);
            using var nestedReader = nested.With("@from", outerReader.GetInt64(0)).ExecuteReader();
            while (nestedReader.Read())
            {
                inner.Add(nestedReader.GetInt64(0));
            }
        }

        Assert.Equal([1L, 2L, 2L], inner);
    }

    [Fact]
    public async Task Dispose_AfterCommit_LeavesNextUse()
    {
        await using var database = await CreateAsync();
        using var connection = database.Database.Open();

        // The first command is disposed only after its transaction ended, as a using declaration does.
        var late = BeginAndTake(database, connection, out var firstTransaction);
        firstTransaction.Commit();
        firstTransaction.Dispose();

        using var transaction = database.Database.BeginWrite(connection, tenantId: 1);
        using var current = connection.Command(InsertSql, transaction);
        current.With("@id", 2).With("@name", "two");
        late.Dispose();

        Assert.Equal(2, current.Parameters.Count);
        Assert.NotNull(current.Transaction);
        Assert.Equal(1, current.ExecuteNonQuery());
        Assert.Throws<InvalidOperationException>(() => late.ExecuteNonQuery());
    }

    [Fact]
    public async Task Command_AfterCommit_Throws()
    {
        await using var database = await CreateAsync();
        using var connection = database.Database.Open();
        using var transaction = database.Database.BeginWrite(connection, tenantId: 1);
        Insert(connection, transaction, 1);
        transaction.Commit();

        // After the commit another writer may hold the kept connection, so no command may run on it.
        Assert.Throws<InvalidOperationException>(() => connection.Command(InsertSql, transaction));
    }

    [Fact]
    public async Task Dispose_Database_FinalizesKeptCommands()
    {
        await using var database = await CreateAsync();
        using var connection = database.Database.Open();
        Commit(database, connection, 1);
        var kept = database.Database.KeptWriter;
        var keptConnection = kept.Connect();
        Assert.Equal(1, kept.KeptCommandCount);

        database.Database.Dispose();

        Assert.Equal(0, kept.KeptCommandCount);
        Assert.Equal(System.Data.ConnectionState.Closed, keptConnection.State);
        Assert.Throws<ObjectDisposedException>(() => database.Database.BeginWrite(connection, tenantId: 1));
    }

    [Fact]
    public async Task BeginWrite_KeptConnection_HasSettings()
    {
        await using var database = await CreateAsync();
        using var connection = database.Database.Open();
        using var transaction = database.Database.BeginWrite(connection, tenantId: 1);

        // 1 is NORMAL: the commit waits for the gate's fsync of the write-ahead log instead.
        Assert.Equal(1L, Scalar(connection, "PRAGMA synchronous", transaction));
        Assert.Equal(1L, Scalar(connection, "PRAGMA foreign_keys", transaction));
        Assert.Equal(10000L, Scalar(connection, "PRAGMA busy_timeout", transaction));
    }

    [Fact]
    public async Task HasSteppingStatement_ReaderOpen_ReturnsTrue()
    {
        await using var database = await CreateAsync();
        using var connection = database.Database.Open();
        Commit(database, connection, 1);
        Commit(database, connection, 2);
        using var select = connection.Command("SELECT id FROM kept_rows", null);
        using var reader = select.ExecuteReader();
        Assert.True(reader.Read());

        // The probe that the other tests rely on must see a statement that is still stepping.
        Assert.True(HasSteppingStatement((SqliteConnection)connection));
    }

    private static async Task<TestDatabase> CreateAsync()
    {
        var database = TestDatabase.Create();
        database.Execute("CREATE TABLE kept_rows (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
        database.Execute(
            """
            CREATE TABLE kept_children (
                id INTEGER PRIMARY KEY,
                parent_id INTEGER NOT NULL REFERENCES kept_rows (id) DEFERRABLE INITIALLY DEFERRED)
            """);
        await Task.CompletedTask;
        return database;
    }

    private static DbCommand BeginAndTake(
        TestDatabase database, DbConnection connection, out DbTransaction transaction)
    {
        transaction = database.Database.BeginWrite(connection, tenantId: 1);
        var command = connection.Command(InsertSql, transaction);
        command.With("@id", 1).With("@name", "one").ExecuteNonQuery();
        return command;
    }

    private static void Commit(TestDatabase database, DbConnection connection, long id)
    {
        using var transaction = database.Database.BeginWrite(connection, tenantId: 1);
        Insert(connection, transaction, id);
        transaction.Commit();
    }

    private static void Insert(DbConnection connection, DbTransaction transaction, long id)
    {
        using var command = connection.Command(InsertSql, transaction);
        command.With("@id", id).With("@name", "row " + id).ExecuteNonQuery();
    }

    private static object? Scalar(DbConnection connection, string sql, DbTransaction transaction)
    {
        using var command = connection.Command(sql, transaction);
        return command.ExecuteScalar();
    }

    private static bool IsOutsideTransaction(SqliteConnection connection) =>
        raw.sqlite3_get_autocommit(connection.Handle) != 0;

    // SQLite rejects VACUUM with "SQL statements in progress" while another statement of the same connection is
    // still stepping. SQLitePCL's sqlite3_next_stmt would need statement tracking enabled when the connection opens.
    private static bool HasSteppingStatement(SqliteConnection connection)
    {
        using var vacuum = connection.CreateCommand();
        vacuum.CommandText = "VACUUM";
        try
        {
            vacuum.ExecuteNonQuery();
            return false;
        }
        catch (SqliteException exception) when (exception.Message.Contains("in progress", StringComparison.Ordinal))
        {
            return true;
        }
    }
}

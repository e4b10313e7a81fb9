using System.Data.Common;
using RoutedEmail.Storage.Sql;
using RoutedEmail.Storage.Sqlite;

namespace RoutedEmail.Storage.Tests.Sqlite;

/// <summary>
/// The commit of a SQLite write transaction numbers its events with two statements for every tenant at once, on
/// the kept writer connection and on the ingest writer's connection alike.
/// </summary>
public sealed class SqliteEventNumberingTests
{
    private static readonly DateTimeOffset At = TestDatabase.Start;

    [Fact]
    public async Task Commit_TwoTenants_NumberedAfterCounters()
    {
        await using var database = TestDatabase.Create();
        database.Execute("INSERT INTO event_sequences (tenant_id, last_sequence) VALUES (1, 5)");
        using var connection = database.Database.Open();

        using (var transaction = database.Database.BeginWrite(connection, tenantId: null))
        {
            foreach (var tenantId in new long[] { 1, 2, 1, 2, 1 })
            {
                SqlCommands.AppendEvent(connection, transaction, tenantId, At, "AgentSignedIn", agentId: "agent-1");
            }

            transaction.Commit();
        }

        Assert.Equal(
            [(1L, 6L), (2L, 1L), (1L, 7L), (2L, 2L), (1L, 8L)],
            ReadRows(connection, "SELECT tenant_id, sequence FROM events ORDER BY id"));
        Assert.Equal(8L, database.QueryLong("SELECT last_sequence FROM event_sequences WHERE tenant_id = 1"));
        Assert.Equal(2L, database.QueryLong("SELECT last_sequence FROM event_sequences WHERE tenant_id = 2"));
        Assert.Equal(
            5L, database.QueryLong("SELECT COUNT(DISTINCT public_id) FROM events WHERE public_id LIKE 'evt_%'"));
    }

    [Fact]
    public async Task Commit_SecondTransaction_ContinuesSequence()
    {
        await using var database = TestDatabase.Create();
        using var connection = database.Database.Open();

        AppendAndCommit(database, connection, tenantId: 1, count: 2);
        AppendAndCommit(database, connection, tenantId: 1, count: 3);

        Assert.Equal(
            [(1L, 1L), (1L, 2L), (1L, 3L), (1L, 4L), (1L, 5L)],
            ReadRows(connection, "SELECT tenant_id, sequence FROM events ORDER BY id"));
        Assert.Equal(5L, database.QueryLong("SELECT last_sequence FROM event_sequences WHERE tenant_id = 1"));
    }

    [Fact]
    public async Task Rollback_AppendedEvents_CounterUnchanged()
    {
        await using var database = TestDatabase.Create();
        using var connection = database.Database.Open();
        AppendAndCommit(database, connection, tenantId: 1, count: 1);

        using (var transaction = database.Database.BeginWrite(connection, tenantId: 1))
        {
            SqlCommands.AppendEvent(connection, transaction, 1, At, "AgentSignedIn", agentId: "agent-1");
            transaction.Rollback();
        }

        AppendAndCommit(database, connection, tenantId: 1, count: 1);

        Assert.Equal([(1L, 1L), (1L, 2L)], ReadRows(connection, "SELECT tenant_id, sequence FROM events ORDER BY id"));
        Assert.Equal(2L, database.QueryLong("SELECT last_sequence FROM event_sequences WHERE tenant_id = 1"));
    }

    [Fact]
    public async Task Commit_ReopenedKeptConnection_NumbersEvents()
    {
        await using var database = TestDatabase.Create();
        using var connection = database.Database.Open();
        AppendAndCommit(database, connection, tenantId: 1, count: 1);

        // A statement that fails inside the transaction makes the kept writer close its connection at the end.
        using (var failing = database.Database.BeginWrite(connection, tenantId: 1))
        {
            using var invalid = connection.Command("INSERT INTO no_such_table VALUES (1)", failing);
            Assert.ThrowsAny<DbException>(() => invalid.ExecuteNonQuery());
        }

        AppendAndCommit(database, connection, tenantId: 1, count: 2);

        Assert.Equal(
            [(1L, 1L), (1L, 2L), (1L, 3L)],
            ReadRows(connection, "SELECT tenant_id, sequence FROM events ORDER BY id"));
    }

    [Fact]
    public async Task IngestCommit_ReceivedEvents_Numbered()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        using var connection = database.Database.Open();
        AppendAndCommit(database, connection, tenantId, count: 2);
        var before = ReadCounter(database, tenantId);

        await database.AppendAsync(tenantId, TestDatabase.Email("e-1"), TestDatabase.Email("e-2"));

        var received = ReadRows(connection,
            $"SELECT email_id, sequence FROM events WHERE tenant_id = {tenantId} AND type = 'Received' ORDER BY id");
        Assert.Equal([before + 1, before + 2], received.Select(row => row.Second));
        Assert.Equal(0L, database.QueryLong("SELECT COUNT(*) FROM events WHERE sequence IS NULL"));
        Assert.Equal(before + 2, ReadCounter(database, tenantId));
    }

    [Theory]
    [InlineData(SqliteEventNumbering.AdvanceCountersSql)]
    [InlineData(SqliteEventNumbering.NumberSql)]
    public async Task NumberingStatement_Plan_ReadsOnlyUnnumberedEvents(string sql)
    {
        await using var database = TestDatabase.Create();
        using var connection = database.Database.Open();
        using var command = connection.Command("EXPLAIN QUERY PLAN " + sql, null);
        using var reader = command.ExecuteReader();
        var plan = new List<string>();
        while (reader.Read())
        {
            plan.Add(reader.GetString(3));
        }

        Assert.Contains(plan, line => line.Contains("events USING INDEX events_unnumbered", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.Contains("events_by_tenant_sequence", StringComparison.Ordinal));
    }

    private static void AppendAndCommit(TestDatabase database, DbConnection connection, long tenantId, int count)
    {
        using var transaction = database.Database.BeginWrite(connection, tenantId);
        for (var index = 0; index < count; index++)
        {
            SqlCommands.AppendEvent(connection, transaction, tenantId, At, "AgentSignedIn", agentId: "agent-1");
        }

        transaction.Commit();
    }

    private static long ReadCounter(TestDatabase database, long tenantId) => database.QueryLong(
        "SELECT last_sequence FROM event_sequences WHERE tenant_id = $tenant", ("$tenant", tenantId));

    private static List<(long First, long Second)> ReadRows(DbConnection connection, string sql)
    {
        using var command = connection.Command(sql, null);
        using var reader = command.ExecuteReader();
        var rows = new List<(long, long)>();
        while (reader.Read())
        {
            rows.Add((reader.GetInt64(0), reader.GetInt64(1)));
        }

        return rows;
    }
}

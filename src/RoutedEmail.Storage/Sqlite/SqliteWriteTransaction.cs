using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using RoutedEmail.Storage.Abstractions;
using RoutedEmail.Storage.Sql;

namespace RoutedEmail.Storage.Sqlite;

/// <summary>
/// A write transaction that keeps the process's <see cref="SqliteWriteGate"/> from its start to its end. Its commit
/// returns after the write-ahead log is on disk, so callers acknowledge a write only once it is durable.
/// </summary>
/// <remarks>
/// Commands take <see cref="Inner"/>, because Microsoft.Data.Sqlite accepts only its own transaction type;
/// <c>SqlCommands.Command</c> unwraps it.
/// The commit numbers the transaction's events first (see <see cref="SqlEventSequences"/>). Once the commit is on
/// disk and the gate is free, it calls the <see cref="IEventCommitObserver"/>s for the tenants it numbered.
/// </remarks>
internal sealed class SqliteWriteTransaction : DbTransaction, IWrappedTransaction
{
    private readonly SqliteConnection _connection;
    private readonly SqliteWriteGate _gate;
    private readonly IEventCommitObserver[] _observers;
    private bool _gateHeld = true;

    private SqliteWriteTransaction(
        SqliteConnection connection, SqliteTransaction inner, SqliteWriteGate gate, IEventCommitObserver[] observers)
    {
        _connection = connection;
        Inner = inner;
        _gate = gate;
        _observers = observers;
    }

    /// <summary>The SQLite transaction that commands run in.</summary>
    public SqliteTransaction Inner { get; }

    DbTransaction IWrappedTransaction.Inner => Inner;

    // Every commit looks for unnumbered events, because the ingest writer inserts its events with a statement of
    // its own. Finding none is one lookup in a nearly empty index inside this process.
    void IWrappedTransaction.MarkEventAppended()
    {
    }

    public override IsolationLevel IsolationLevel => Inner.IsolationLevel;

    protected override DbConnection? DbConnection => _connection;

    /// <summary>
    /// Enters the gate and begins an IMMEDIATE transaction whose commit skips SQLite's fsync, because
    /// <see cref="Commit"/> runs the shared one after it.
    /// </summary>
    public static SqliteWriteTransaction Begin(
        SqliteConnection connection, SqliteWriteGate gate, IEventCommitObserver[] observers)
    {
        gate.Enter();
        try
        {
            SetSynchronous(connection, "NORMAL");
            return new SqliteWriteTransaction(
                connection, connection.BeginTransaction(deferred: false), gate, observers);
        }
        catch
        {
            RestoreFullSync(connection);
            gate.Exit();
            throw;
        }
    }

    /// <summary>
    /// Numbers the transaction's events, commits, lets the next writer in, and returns once the commit is on disk,
    /// after telling the observers which tenants' event logs grew.
    /// </summary>
    public override void Commit()
    {
        var tenants = SqlEventSequences.NumberPending(_connection, Inner, SqlEventSequences.Sqlite);
        Inner.Commit();
        ExitGate();
        _gate.WaitUntilDurable();
        EventCommitSignals.Signal(_observers, tenants);
    }

    public override void Rollback()
    {
        Inner.Rollback();
        ExitGate();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // Disposing an uncommitted transaction rolls it back, as SqliteTransaction does.
            Inner.Dispose();
            ExitGate();
        }

        base.Dispose(disposing);
    }

    private void ExitGate()
    {
        if (!_gateHeld)
        {
            return;
        }

        _gateHeld = false;

        // A pooled connection returns with FULL, so writes outside this class, such as single statements in
        // autocommit, keep waiting for their own fsync.
        try
        {
            RestoreFullSync(_connection);
        }
        finally
        {
            _gate.Exit();
        }
    }

    private static void RestoreFullSync(SqliteConnection? connection)
    {
        if (connection is { State: ConnectionState.Open })
        {
            SetSynchronous(connection, "FULL");
        }
    }

    private static void SetSynchronous(SqliteConnection connection, string level)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA synchronous = {level}";
        command.ExecuteNonQuery();
    }
}

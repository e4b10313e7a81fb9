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
/// <c>SqlCommands.Command</c> unwraps it. A transaction begun on the <see cref="SqliteKeptWriter"/> runs on the
/// kept connection, whatever connection the caller opened, and <c>SqlCommands.Command</c> hands out its kept
/// commands. The commit numbers the transaction's events first (see <see cref="SqliteEventNumbering"/>). Once the commit is on
/// disk and the gate is free, it calls the <see cref="IEventCommitObserver"/>s for the tenants it numbered.
/// </remarks>
internal sealed class SqliteWriteTransaction : DbTransaction, IWrappedTransaction
{
    private readonly SqliteConnection _connection;
    private readonly SqliteWriteGate _gate;
    private readonly IEventCommitObserver[] _observers;
    private readonly SqliteEventNumbering? _numbering;
    private bool _gateHeld = true;
    private bool _ended;
    private bool _eventAppended;
    private List<long>? _numberedTenants;

    private SqliteWriteTransaction(
        SqliteConnection connection, SqliteTransaction inner, SqliteWriteGate gate, SqliteKeptWriter? kept,
        SqliteEventNumbering? numbering, IEventCommitObserver[] observers)
    {
        _connection = connection;
        Inner = inner;
        _gate = gate;
        Kept = kept;
        _numbering = numbering;
        _observers = observers;
    }

    /// <summary>The SQLite transaction that commands run in.</summary>
    public SqliteTransaction Inner { get; }

    DbTransaction IWrappedTransaction.Inner => Inner;

    /// <summary>The kept writer whose connection this transaction runs on, or null for the caller's connection.</summary>
    public SqliteKeptWriter? Kept { get; }

    // Events are appended through SqlCommands.AppendEvent, or by the ingest writer, which marks its group
    // transaction itself. A commit without a mark runs no numbering statement.
    void IWrappedTransaction.MarkEventAppended() => _eventAppended = true;

    /// <summary>
    /// Records that the transaction appended events of the tenant and numbered them itself, so the commit notifies
    /// the observers of the tenant without running the numbering statements for it.
    /// </summary>
    public void MarkEventsNumbered(long tenantId)
    {
        _numberedTenants ??= [];
        if (!_numberedTenants.Contains(tenantId))
        {
            _numberedTenants.Add(tenantId);
        }
    }

    /// <summary>
    /// Returns a command for the SQL text on the kept writer's connection, which only this transaction may use
    /// until it ends.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The transaction has already committed or rolled back, or it runs on the caller's connection.
    /// </exception>
    public DbCommand KeptCommand(string sql)
    {
        if (Kept is null || !_gateHeld)
        {
            throw new InvalidOperationException(
                "A kept command was requested for a write transaction that has already ended or that runs on the " +
                "caller's connection. Begin a new transaction with SqlDatabase.BeginWrite.");
        }

        return Kept.Command(sql, Inner);
    }

    public override IsolationLevel IsolationLevel => Inner.IsolationLevel;

    protected override DbConnection? DbConnection => _connection;

    /// <summary>
    /// Enters the gate and begins an IMMEDIATE transaction on the caller's connection, whose commit skips SQLite's
    /// fsync, because <see cref="Commit"/> runs the shared one after it.
    /// </summary>
    /// <param name="connection">The connection to run on; it gets <c>synchronous = FULL</c> back at the end.</param>
    /// <param name="gate">The gate of the database file.</param>
    /// <param name="observers">The observers to call after a commit that numbered events.</param>
    /// <param name="numbering">
    /// The connection's prepared numbering statements, or null to prepare them for this commit only.
    /// </param>
    public static SqliteWriteTransaction Begin(
        SqliteConnection connection, SqliteWriteGate gate, IEventCommitObserver[] observers,
        SqliteEventNumbering? numbering = null)
    {
        gate.Enter();
        try
        {
            SetSynchronous(connection, "NORMAL");
            var inner = connection.BeginTransaction(deferred: false);
            return new SqliteWriteTransaction(connection, inner, gate, kept: null, numbering, observers);
        }
        catch
        {
            RestoreFullSync(connection);
            gate.Exit();
            throw;
        }
    }

    /// <summary>
    /// Enters the gate and begins an IMMEDIATE transaction on the kept writer's connection, which keeps
    /// <c>synchronous = NORMAL</c> because <see cref="Commit"/> runs the shared fsync after the commit.
    /// </summary>
    public static SqliteWriteTransaction Begin(
        SqliteKeptWriter kept, SqliteWriteGate gate, IEventCommitObserver[] observers)
    {
        gate.Enter();
        try
        {
            var connection = kept.Connect();
            var inner = connection.BeginTransaction(deferred: false);
            return new SqliteWriteTransaction(connection, inner, gate, kept, kept.Numbering, observers);
        }
        catch
        {
            kept.CloseIfNotClean(ended: false);
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
        // Readers that callers left open end first, so no kept statement is still stepping after the transaction.
        Kept?.ReleaseCommands();
        var tenants = _eventAppended ? NumberEvents() : [];
        foreach (var tenant in _numberedTenants ?? [])
        {
            if (!tenants.Contains(tenant))
            {
                tenants.Add(tenant);
            }
        }

        Inner.Commit();
        _ended = true;
        ExitGate();
        _gate.WaitUntilDurable();
        EventCommitSignals.Signal(_observers, tenants);
    }

    public override void Rollback()
    {
        Kept?.ReleaseCommands();
        Inner.Rollback();
        _ended = true;
        ExitGate();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                if (_gateHeld)
                {
                    Kept?.ReleaseCommands();
                }

                // Disposing an uncommitted transaction rolls it back, as SqliteTransaction does.
                Inner.Dispose();
                _ended = true;
            }
            finally
            {
                ExitGate();
            }
        }

        base.Dispose(disposing);
    }

    private List<long> NumberEvents()
    {
        if (_numbering is not null)
        {
            return _numbering.Number(Inner);
        }

        using var numbering = new SqliteEventNumbering(_connection);
        return numbering.Number(Inner);
    }

    private void ExitGate()
    {
        if (!_gateHeld)
        {
            return;
        }

        _gateHeld = false;
        try
        {
            if (Kept is null)
            {
                // A pooled connection returns with FULL, so writes outside this class, such as single statements
                // in autocommit, keep waiting for their own fsync.
                RestoreFullSync(_connection);
            }
            else
            {
                // The next writer must find the kept connection outside any transaction, or on a new connection.
                Kept.CloseIfNotClean(_ended);
            }
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

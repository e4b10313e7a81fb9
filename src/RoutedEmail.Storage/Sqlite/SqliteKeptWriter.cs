using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace RoutedEmail.Storage.Sqlite;

/// <summary>
/// The connection that the stores' write transactions run on, kept open with one prepared command per SQL text.
/// Microsoft.Data.Sqlite finalizes a command's prepared statements when the command is disposed or its connection
/// closes or returns to the pool (version 10.0.15), so a connection opened per transaction parses every statement
/// again.
/// </summary>
/// <remarks>
/// Only the holder of the <see cref="SqliteWriteGate"/> uses the connection, so one connection serves every writer
/// of the process. The connection is not pooled and keeps <c>synchronous = NORMAL</c>, because each commit waits
/// for the gate's fsync after it. The ingest writer has a second kept writer, with a connection of its own.
/// </remarks>
internal sealed class SqliteKeptWriter(string connectionString, SqliteWriteGate gate) : IDisposable
{
    /// <summary>
    /// The maximum number of SQL texts kept prepared. The stores' SQL texts are constants, far fewer than this, so
    /// the limit only guards against SQL built per call. A command past the limit is created and finalized per use.
    /// </summary>
    public const int MaxKeptCommands = 1024;

    // SQLite writes the pages that a savepoint may have to undo to a sub-journal, which becomes a temporary file
    // once it passes 64 KiB (SQLITE_STMTJRNL_SPILL, the default). The ingest writer's groups of 100-item batches
    // pass that in every savepoint, and strace showed about 9,500 pwrite calls a second to that file. In memory
    // they cost a copy each. SQLite rejects a change of temp_store inside a transaction, so it is set here.
    private const string ConnectionPragmas =
        "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; " +
        "PRAGMA temp_store = MEMORY;";

    private readonly Dictionary<string, SqliteKeptCommand.Entry> _commands = new(StringComparer.Ordinal);

    // Commands of this transaction that are not kept. They are finalized at its end, inside the gate, because a
    // caller's dispose may come after the next writer has started on the connection.
    private readonly List<SqliteKeptCommand.Entry> _transient = [];
    private SqliteConnection? _connection;
    private SqliteEventNumbering? _numbering;
    private bool _disposed;

    /// <summary>The number of SQL texts whose commands are kept prepared.</summary>
    public int KeptCommandCount => _commands.Count;

    /// <summary>The event numbering statements of the kept connection, or null while it is closed.</summary>
    public SqliteEventNumbering? Numbering => _numbering;

    /// <summary>
    /// Returns the kept connection, opened on first use or after a failure closed it. Call it only while holding
    /// the gate.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The database was disposed at shutdown.</exception>
    public SqliteConnection Connect()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_connection is not null)
        {
            return _connection;
        }

        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = ConnectionPragmas;
            command.ExecuteNonQuery();
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        _connection = connection;
        _numbering = new SqliteEventNumbering(connection);
        return connection;
    }

    /// <summary>
    /// Returns the kept command for the SQL text in the transaction, with no parameters. A command whose earlier
    /// use has not ended yet, such as one whose reader is still open in a loop, is not handed out twice. The
    /// caller then gets a new command, finalized at the end of the transaction.
    /// </summary>
    public DbCommand Command(string sql, SqliteTransaction transaction)
    {
        var connection = _connection ?? throw new InvalidOperationException(
            "The kept writer connection is closed. Begin the write transaction with SqlDatabase.BeginWrite first.");
        if (!_commands.TryGetValue(sql, out var entry) && _commands.Count < MaxKeptCommands)
        {
            var prepared = connection.CreateCommand();
            prepared.CommandText = sql;
            entry = new SqliteKeptCommand.Entry(prepared);
            _commands.Add(sql, entry);
        }

        if (entry is not null && SqliteKeptCommand.TryTake(entry, transaction) is { } use)
        {
            return use;
        }

        var command = connection.CreateCommand();
        command.CommandText = sql;
        var transient = new SqliteKeptCommand.Entry(command);
        _transient.Add(transient);
        return SqliteKeptCommand.TryTake(transient, transaction)!;
    }

    /// <summary>
    /// Ends every use of the kept commands at the end of a transaction, so no statement keeps stepping and no
    /// parameter carries over to the next transaction.
    /// </summary>
    public void ReleaseCommands()
    {
        foreach (var entry in _commands.Values)
        {
            entry.CurrentUse?.End();
        }

        foreach (var entry in _transient)
        {
            entry.CurrentUse?.End();
            entry.Command.Dispose();
        }

        _transient.Clear();
    }

    /// <summary>
    /// Closes the connection when a transaction did not end cleanly: its commit or rollback failed, or the
    /// connection is still inside a transaction. The next transaction opens a new connection and prepares its
    /// commands again.
    /// </summary>
    /// <param name="ended">Whether the transaction's commit or rollback returned.</param>
    public void CloseIfNotClean(bool ended)
    {
        if (_connection is null)
        {
            return;
        }

        var clean = ended
            && _connection.State == ConnectionState.Open
            && SQLitePCL.raw.sqlite3_get_autocommit(_connection.Handle) != 0;
        if (!clean)
        {
            CloseConnection();
        }
    }

    /// <summary>
    /// Finalizes every kept command and closes the connection, once the write in progress, if any, has ended.
    /// </summary>
    /// <exception cref="TimeoutException">A write transaction held the gate for the gate's whole timeout.</exception>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        gate.Enter();
        try
        {
            _disposed = true;
            CloseConnection();
        }
        finally
        {
            gate.Exit();
        }
    }

    private void CloseConnection()
    {
        foreach (var entry in _commands.Values.Concat(_transient))
        {
            entry.CurrentUse?.End();
            entry.Command.Dispose();
        }

        _commands.Clear();
        _transient.Clear();
        _numbering?.Dispose();
        _numbering = null;
        _connection?.Dispose();
        _connection = null;
    }
}

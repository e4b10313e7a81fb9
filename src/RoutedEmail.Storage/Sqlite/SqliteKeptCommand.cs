using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;

namespace RoutedEmail.Storage.Sqlite;

/// <summary>
/// One use of a prepared command of the kept writer connection, handed out for one SQL text in one transaction.
/// The stores write <c>using var command = connection.Command(sql, transaction)</c>, so
/// <see cref="Dispose(bool)"/> ends this use without finalizing the shared <see cref="Inner"/> command.
/// </summary>
/// <remarks>
/// A caller often disposes its command after the commit has let the next writer in, and that writer may already
/// use the same inner command. So each use gets its own handle, and only the handle of the current use changes
/// the inner command: a handle whose use has ended does nothing on dispose and throws on any other call.
/// </remarks>
internal sealed class SqliteKeptCommand : DbCommand
{
    private readonly Entry _entry;
    private DbDataReader? _reader;
    private bool _ended;

    private SqliteKeptCommand(Entry entry) => _entry = entry;

    /// <summary>The shared prepared command, which the kept writer disposes at shutdown or after a failure.</summary>
    public SqliteCommand Inner => _entry.Command;

    /// <summary>Whether this use has ended, at its dispose or at the end of its transaction.</summary>
    public bool Ended => _ended;

    /// <summary>
    /// Starts a use of the entry's command inside the transaction, with no parameters, or returns null when an
    /// earlier use has not ended, such as one whose reader is still open in a loop.
    /// </summary>
    public static SqliteKeptCommand? TryTake(Entry entry, SqliteTransaction transaction)
    {
        if (entry.CurrentUse is not null)
        {
            return null;
        }

        entry.Command.Transaction = transaction;
        entry.Command.Parameters.Clear();
        var use = new SqliteKeptCommand(entry);
        entry.CurrentUse = use;
        return use;
    }

    /// <summary>
    /// Ends this use: disposes a reader that is still open, so no statement keeps stepping, and clears the
    /// parameters. Does nothing once the use has ended.
    /// </summary>
    public void End()
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        var reader = _reader;
        _reader = null;
        try
        {
            reader?.Dispose();
        }
        finally
        {
            _entry.Command.Parameters.Clear();
            _entry.Command.Transaction = null;
            _entry.CurrentUse = null;
        }
    }

    /// <summary>The SQL text, which is fixed because the cache finds the command by it.</summary>
    [AllowNull]
    public override string CommandText
    {
        get => Current.CommandText;
        set => throw new NotSupportedException(
            "A kept write command cannot change its SQL text. Create a new command with connection.Command(sql, " +
            "transaction) instead.");
    }

    public override int CommandTimeout
    {
        get => Current.CommandTimeout;
        set => Current.CommandTimeout = value;
    }

    public override CommandType CommandType
    {
        get => Current.CommandType;
        set => Current.CommandType = value;
    }

    public override bool DesignTimeVisible
    {
        get => Current.DesignTimeVisible;
        set => Current.DesignTimeVisible = value;
    }

    public override UpdateRowSource UpdatedRowSource
    {
        get => Current.UpdatedRowSource;
        set => Current.UpdatedRowSource = value;
    }

    protected override DbConnection? DbConnection
    {
        get => Current.Connection;
        set => throw new NotSupportedException("A kept write command stays on the kept writer connection.");
    }

    protected override DbParameterCollection DbParameterCollection => Current.Parameters;

    protected override DbTransaction? DbTransaction
    {
        get => Current.Transaction;
        set => throw new NotSupportedException("A kept write command takes its transaction from BeginWrite.");
    }

    public override void Cancel() => Current.Cancel();

    public override int ExecuteNonQuery() => Current.ExecuteNonQuery();

    public override object? ExecuteScalar() => Current.ExecuteScalar();

    public override void Prepare() => Current.Prepare();

    protected override DbParameter CreateDbParameter() => Current.CreateParameter();

    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior)
    {
        var command = Current;

        // A reader left open by an earlier execution in this use would make the inner command throw.
        _reader?.Dispose();
        _reader = command.ExecuteReader(behavior);
        return _reader;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            End();
        }

        // Component.Dispose only leaves its container and raises the Disposed event. It does not stop later uses.
        base.Dispose(disposing);
    }

    private SqliteCommand Current => _ended
        ? throw new InvalidOperationException(
            "A kept write command was used after its transaction ended or after it was disposed. Create commands " +
            "inside the transaction and use each one before the commit.")
        : _entry.Command;

    /// <summary>The prepared command of one SQL text and its current use, if any.</summary>
    internal sealed class Entry(SqliteCommand command)
    {
        /// <summary>The prepared command.</summary>
        public SqliteCommand Command { get; } = command;

        /// <summary>The use in progress, or null when the command is free.</summary>
        public SqliteKeptCommand? CurrentUse { get; set; }
    }
}

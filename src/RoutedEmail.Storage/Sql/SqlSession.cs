using System.Data;
using System.Data.Common;

namespace RoutedEmail.Storage.Sql;

/// <summary>
/// A connection for short reads outside a transaction, with one command per SQL text. A database that keeps
/// sessions open (SQLite) hands the same session to later callers, so each command is prepared once per physical
/// connection. Otherwise disposing the session disposes its commands and closes the connection.
/// </summary>
/// <remarks>
/// Use a session from one thread at a time, and dispose every reader before the session: a kept session whose
/// statement is still stepping would hold a read snapshot of the database.
/// </remarks>
internal sealed class SqlSession : IDisposable
{
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);
    private readonly Action<SqlSession>? _release;

    /// <summary>Creates a session on an open connection.</summary>
    /// <param name="connection">The open connection, which the session owns.</param>
    /// <param name="release">
    /// Called on dispose to keep the session for the next caller; null closes the session on dispose.
    /// </param>
    public SqlSession(DbConnection connection, Action<SqlSession>? release)
    {
        Connection = connection;
        _release = release;
    }

    /// <summary>The open connection.</summary>
    public DbConnection Connection { get; }

    /// <summary>Whether the connection is still open, so the session can be kept.</summary>
    public bool IsReusable => Connection.State == ConnectionState.Open;

    /// <summary>
    /// Returns the session's command for the SQL text, created on first use, with no parameters. Do not dispose
    /// it: the session does.
    /// </summary>
    public DbCommand Command(string sql) => Command(sql, null);

    /// <summary>
    /// Returns the session's command for the SQL text in a read transaction of <see cref="Connection"/>, or outside
    /// one when <paramref name="transaction"/> is null, with no parameters. Do not dispose it: the session does.
    /// </summary>
    public DbCommand Command(string sql, DbTransaction? transaction)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.Command(sql, null);
            _commands.Add(sql, command);
        }

        command.Parameters.Clear();
        command.Transaction = transaction;
        return command;
    }

    /// <summary>Hands the session back for reuse, or closes it.</summary>
    public void Dispose()
    {
        if (_release is null)
        {
            Close();
        }
        else
        {
            _release(this);
        }
    }

    /// <summary>Disposes the commands, which finalizes their prepared statements, and closes the connection.</summary>
    public void Close()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
        Connection.Dispose();
    }
}

using System.Collections.Concurrent;
using System.Data.Common;
using RoutedEmail.Storage.Sql;

namespace RoutedEmail.Storage.Sqlite;

/// <summary>
/// Keeps up to <see cref="MaxIdleSessions"/> read sessions open between callers, because Microsoft.Data.Sqlite
/// finalizes a command's prepared statements when its connection closes or returns to the connection pool
/// (version 10.0.15). A kept session's commands skip SQLite's parser on every later use.
/// </summary>
internal sealed class SqliteSessionPool(Func<DbConnection> open) : IDisposable
{
    /// <summary>
    /// The maximum number of idle sessions kept. Each contains an open connection and a few prepared statements.
    /// More sessions than this run at once only under more concurrent requests, and the surplus is closed when
    /// handed back.
    /// </summary>
    public const int MaxIdleSessions = 16;

    private readonly ConcurrentStack<SqlSession> _idle = new();
    private int _idleCount;
    private volatile bool _disposed;

    /// <summary>Takes an idle session, or opens a new one when none is idle.</summary>
    public SqlSession Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryPop(out var session))
        {
            Interlocked.Decrement(ref _idleCount);
            return session;
        }

        return new SqlSession(open(), Return);
    }

    /// <summary>Closes every idle session; sessions handed back later are closed too.</summary>
    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryPop(out var session))
        {
            Interlocked.Decrement(ref _idleCount);
            session.Close();
        }
    }

    private void Return(SqlSession session)
    {
        if (_disposed || !session.IsReusable)
        {
            session.Close();
            return;
        }

        if (Interlocked.Increment(ref _idleCount) > MaxIdleSessions)
        {
            Interlocked.Decrement(ref _idleCount);
            session.Close();
            return;
        }

        _idle.Push(session);

        // A dispose that ran between the check above and the push would leave this session open.
        if (_disposed && _idle.TryPop(out var late))
        {
            Interlocked.Decrement(ref _idleCount);
            late.Close();
        }
    }
}

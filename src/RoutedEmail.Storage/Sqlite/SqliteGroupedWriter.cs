using System.Data.Common;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sqlite;

/// <summary>
/// Group commit for short write transactions, such as an agent's accept or complete: one task runs every piece of
/// work waiting at that moment in one write transaction on the kept writer, each in a savepoint of its own. They
/// share one turn at the write gate, one commit and one fsync, and no caller blocks a thread while it waits.
/// </summary>
/// <remarks>
/// A part that throws, or returns without committing, is rolled back to its savepoint alone, and its caller gets
/// the exception or the result. A failed commit fails every part of the group. Each caller's task completes only
/// after the commit that contains its part is on disk, so callers acknowledge only durable writes, as with
/// <see cref="SqliteWriteTransaction"/>.
/// </remarks>
internal sealed partial class SqliteGroupedWriter : IDisposable
{
    // Bounds the work of one transaction, so that a burst still commits in steps and the gate's other writers,
    // such as the routing step, wait at most one group.
    private const int MaxPartsPerCommit = 64;

    private readonly SqliteKeptWriter _keptWriter;
    private readonly SqliteWriteGate _gate;
    private readonly IEventCommitObserver[] _observers;
    private readonly ILogger _logger;
    private readonly Channel<PendingPart> _pending =
        Channel.CreateUnbounded<PendingPart>(new UnboundedChannelOptions { SingleReader = true });

    private readonly Task _writer;

    public SqliteGroupedWriter(
        SqliteKeptWriter keptWriter, SqliteWriteGate gate, IEventCommitObserver[] observers,
        ILogger logger)
    {
        _keptWriter = keptWriter;
        _gate = gate;
        _observers = observers;
        _logger = logger;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>
    /// Runs the work in the next group's transaction and returns its result once the group's commit is on disk.
    /// The work commits its transaction to keep its writes.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The database is shutting down.</exception>
    public Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, T> work)
    {
        var part = new PendingPart<T>(work);
        if (!_pending.Writer.TryWrite(part))
        {
            throw new ObjectDisposedException(nameof(SqliteGroupedWriter), "The database is shutting down.");
        }

        return part.Completion.Task;
    }

    /// <summary>Lets the parts already queued finish, then stops the writer task.</summary>
    public void Dispose()
    {
        _pending.Writer.TryComplete();
        _writer.GetAwaiter().GetResult();
    }

    private async Task WriteLoopAsync()
    {
        var group = new List<PendingPart>(MaxPartsPerCommit);
        while (await _pending.Reader.WaitToReadAsync())
        {
            group.Clear();
            while (group.Count < MaxPartsPerCommit && _pending.Reader.TryRead(out var part))
            {
                group.Add(part);
            }

            try
            {
                WriteGroup(group);
                foreach (var part in group)
                {
                    part.Finish();
                }
            }
#pragma warning disable CA1031 // Every waiting caller must get a result, whatever the failure.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                if (!SqliteIngestWriter.CallerLogs(exception))
                {
                    Log.GroupCommitFailed(_logger, exception, group.Count);
                }

                foreach (var part in group)
                {
                    part.Fail(exception);
                }
            }
        }
    }

    private void WriteGroup(List<PendingPart> group)
    {
        using var transaction = SqliteWriteTransaction.Begin(_keptWriter, _gate, _observers);
        var connection = (SqliteConnection)transaction.Connection!;
        foreach (var part in group)
        {
            Execute(transaction, "SAVEPOINT part");
            var savepoint = new SqliteSavepointTransaction(transaction);
            try
            {
                part.Run(connection, savepoint);
            }
#pragma warning disable CA1031 // The part's caller gets the exception; the other parts go on.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                // After some errors, such as a full disk, SQLite may roll back the whole transaction. When it has,
                // the group fails with the part's error, which the callers report as they would their own.
                if (SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) != 0)
                {
                    throw;
                }

                part.Failure = exception;
            }
            finally
            {
                // A reader that the part left open is a statement in progress. SQLite reports the RELEASE below as
                // busy while one is, and the command retries it for 30 seconds with the gate held.
                _keptWriter.ReleaseCommands();
            }

            // A failure of the rollback itself, such as an I/O error, leaves the transaction unknown, so it fails
            // the whole group.
            Execute(transaction, savepoint.Committed && part.Failure is null
                ? "RELEASE part"
                : "ROLLBACK TO part; RELEASE part");
        }

        transaction.Commit();
    }

    private static void Execute(SqliteWriteTransaction transaction, string sql)
    {
        using var command = transaction.KeptCommand(sql);
        command.ExecuteNonQuery();
    }

    /// <summary>A caller's work, waiting for its group.</summary>
    private abstract class PendingPart
    {
        /// <summary>The exception the work threw; its writes were rolled back.</summary>
        public Exception? Failure { get; set; }

        public abstract void Run(DbConnection connection, DbTransaction transaction);

        /// <summary>Gives the caller the result, or the work's own exception, after the group's commit.</summary>
        public abstract void Finish();

        /// <summary>Gives the caller the group's failure.</summary>
        public abstract void Fail(Exception exception);
    }

    private sealed class PendingPart<T>(Func<DbConnection, DbTransaction, T> work) : PendingPart
    {
        private T? _result;

        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Run(DbConnection connection, DbTransaction transaction) =>
            _result = work(connection, transaction);

        public override void Finish()
        {
            if (Failure is { } failure)
            {
                Completion.TrySetException(failure);
            }
            else
            {
                Completion.TrySetResult(_result!);
            }
        }

        public override void Fail(Exception exception) => Completion.TrySetException(exception);
    }

    private static partial class Log
    {
        [LoggerMessage(
            1111, LogLevel.Error, "Group commit of {Count} write transactions failed; every caller gets an error")]
        public static partial void GroupCommitFailed(ILogger logger, Exception exception, int count);
    }
}

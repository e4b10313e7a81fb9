using System.Data;
using System.Data.Common;
using Npgsql;
using RoutedEmail.Storage.Abstractions;
using RoutedEmail.Storage.Sql;

namespace RoutedEmail.Storage.Postgres;

/// <summary>
/// A READ COMMITTED write transaction whose commit first numbers the events it appended (see
/// <see cref="SqlEventSequences"/>), then calls the <see cref="IEventCommitObserver"/>s. Commands take <see cref="Inner"/>, which <c>SqlCommands.Command</c> unwraps.
/// </summary>
internal sealed class PostgresWriteTransaction(
    NpgsqlConnection connection, NpgsqlTransaction inner, IEventCommitObserver[] observers)
    : DbTransaction, IWrappedTransaction
{
    private bool _eventAppended;

    /// <summary>The Npgsql transaction that commands run in.</summary>
    public NpgsqlTransaction Inner { get; } = inner;

    DbTransaction IWrappedTransaction.Inner => Inner;

    public override IsolationLevel IsolationLevel => Inner.IsolationLevel;

    protected override DbConnection? DbConnection => connection;

    void IWrappedTransaction.MarkEventAppended() => _eventAppended = true;

    /// <summary>Numbers the transaction's events, if it appended any, commits, and calls the observers.</summary>
    public override void Commit()
    {
        if (!_eventAppended)
        {
            Inner.Commit();
            return;
        }

        var tenants = SqlEventSequences.NumberPending(connection, Inner, SqlEventSequences.Postgres);
        Inner.Commit();
        EventCommitSignals.Signal(observers, tenants);
    }

    public override void Rollback() => Inner.Rollback();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

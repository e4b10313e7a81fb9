using System.Data;
using System.Data.Common;
using Npgsql;
using RoutedEmail.Storage.Sql;

namespace RoutedEmail.Storage.Postgres;

/// <summary>
/// A READ COMMITTED write transaction whose commit first numbers the events it appended (see
/// <see cref="SqlEventSequences"/>). Commands take <see cref="Inner"/>, which <c>SqlCommands.Command</c> unwraps.
/// </summary>
internal sealed class PostgresWriteTransaction(NpgsqlConnection connection, NpgsqlTransaction inner)
    : DbTransaction, IWrappedTransaction
{
    private bool _eventAppended;

    /// <summary>The Npgsql transaction that commands run in.</summary>
    public NpgsqlTransaction Inner { get; } = inner;

    DbTransaction IWrappedTransaction.Inner => Inner;

    public override IsolationLevel IsolationLevel => Inner.IsolationLevel;

    protected override DbConnection? DbConnection => connection;

    void IWrappedTransaction.MarkEventAppended() => _eventAppended = true;

    /// <summary>Numbers the transaction's events, if it appended any, and commits.</summary>
    public override void Commit()
    {
        if (_eventAppended)
        {
            SqlEventSequences.NumberPending(connection, Inner, SqlEventSequences.Postgres);
        }

        Inner.Commit();
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

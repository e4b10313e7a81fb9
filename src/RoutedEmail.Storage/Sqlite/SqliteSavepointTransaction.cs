using System.Data;
using System.Data.Common;
using RoutedEmail.Storage.Sql;

namespace RoutedEmail.Storage.Sqlite;

/// <summary>
/// One caller's part of a <see cref="SqliteGroupedWriter"/> group: a savepoint inside the group's write transaction.
/// Its commit keeps the part's writes, and they become durable with the group's commit. Without a commit they are
/// rolled back to the savepoint, as an uncommitted transaction is.
/// </summary>
internal sealed class SqliteSavepointTransaction(SqliteWriteTransaction group) : DbTransaction, IWrappedTransaction
{
    private bool _ended;

    /// <summary>Whether the part called <see cref="Commit"/>.</summary>
    public bool Committed { get; private set; }

    DbTransaction IWrappedTransaction.Inner => group.Inner;

    void IWrappedTransaction.MarkEventAppended() => ((IWrappedTransaction)group).MarkEventAppended();

    public override IsolationLevel IsolationLevel => group.IsolationLevel;

    protected override DbConnection? DbConnection => group.Connection;

    /// <summary>Returns the kept command for the SQL text, as the group's transaction does.</summary>
    public DbCommand KeptCommand(string sql) => group.KeptCommand(sql);

    /// <summary>Keeps the part's writes; they are on disk once the group's commit returns.</summary>
    /// <exception cref="InvalidOperationException">The part has already committed or rolled back.</exception>
    public override void Commit()
    {
        End();
        Committed = true;
    }

    /// <summary>Marks the part's writes for rollback to its savepoint.</summary>
    public override void Rollback() => End();

    private void End()
    {
        if (_ended)
        {
            throw new InvalidOperationException(
                "This transaction has already committed or rolled back. Begin a new one with SqlDatabase.WriteAsync.");
        }

        _ended = true;
    }
}

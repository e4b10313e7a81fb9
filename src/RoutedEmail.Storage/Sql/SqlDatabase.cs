using System.Data.Common;

namespace RoutedEmail.Storage.Sql;

/// <summary>
/// A database that the shared SQL stores run on: SQLite or PostgreSQL. The stores write SQL that both accept, with
/// <c>@name</c> parameters, and ask this class for what differs: how a transaction is started and locked, and a few
/// expressions.
/// </summary>
public abstract class SqlDatabase
{
    /// <summary>Opens a connection with the store's session settings.</summary>
    public abstract DbConnection Open();

    /// <summary>
    /// Opens a session for short reads outside a transaction. This implementation opens a new connection and closes
    /// it with the session; SQLite keeps sessions open, so their prepared commands serve later callers.
    /// </summary>
    internal virtual SqlSession OpenSession() => new(Open(), release: null);

    /// <summary>
    /// Begins a transaction that changes the tenant's routing state: emails, offers, agents or queues. Such
    /// transactions of one tenant run one at a time, on every node, so each reads the previous one's result.
    /// </summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="tenantId">The tenant whose state the transaction changes; null for one that changes none.</param>
    public abstract DbTransaction BeginWrite(DbConnection connection, long? tenantId);

    /// <summary>
    /// Runs the work in a write transaction of the tenant, as <see cref="BeginWrite"/> begins it, and returns the
    /// work's result once its commit is on disk. The work commits the transaction to keep its writes. This
    /// implementation runs it at once on a connection of its own; SQLite commits the work of concurrent callers
    /// together.
    /// </summary>
    internal virtual Task<T> WriteAsync<T>(long tenantId, Func<DbConnection, DbTransaction, T> work)
    {
        using var connection = Open();
        using var transaction = BeginWrite(connection, tenantId);
        return Task.FromResult(work(connection, transaction));
    }

    /// <summary>Begins a read-only transaction whose reads all come from one consistent snapshot.</summary>
    public abstract DbTransaction BeginRead(DbConnection connection);

    /// <summary>
    /// Returns a subquery that yields the text elements of a JSON array parameter as a column named <c>value</c>,
    /// for <c>IN (...)</c>.
    /// </summary>
    /// <param name="parameter">The parameter's name with its <c>@</c>, such as <c>@owners</c>.</param>
    public abstract string JsonArrayValues(string parameter);

    /// <summary>Returns whether the exception reports a unique constraint or unique index violation.</summary>
    public abstract bool IsUniqueViolation(DbException exception);
}

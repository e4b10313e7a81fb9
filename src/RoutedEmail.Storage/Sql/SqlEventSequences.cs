using System.Data.Common;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>
/// Numbers the events that a write transaction appended, just before it commits: per tenant, gap-free, after the
/// tenant's last number in <c>event_sequences</c>, in the order of their ids.
/// </summary>
/// <remarks>
/// The step locks the tenant's <c>event_sequences</c> row until the commit. A transaction that numbers events of
/// the same tenant later, on any node, waits for that commit and then reads the new last number. So numbers
/// follow commit order, and once a reader has seen number N, every event committed later gets a number above N.
/// Because the lock is taken at the end of the transaction, it is held only for the commit itself. Tenants are
/// numbered in ascending id order, so two transactions that span several tenants cannot deadlock on these rows.
/// </remarks>
internal static class SqlEventSequences
{
    /// <summary>SQLite's expression for a new public event id: <c>evt_</c> and 32 random hex digits.</summary>
    /// <remarks>SQLite numbers its events with <c>SqliteEventNumbering</c>, which uses this expression.</remarks>
    public const string SqlitePublicId = "'evt_' || lower(hex(randomblob(16)))";

    /// <summary>PostgreSQL's statements: a public id is <c>evt_</c> and the 32 hex digits of a random UUID.</summary>
    public static readonly NumberingDialect Postgres = new(
        "'evt_' || replace(CAST(gen_random_uuid() AS text), '-', '')",
        "SELECT DISTINCT tenant_id FROM events WHERE sequence IS NULL ORDER BY tenant_id");

    // The no-op update takes the row lock and returns the value committed last, also after waiting for the lock.
    private const string LockCounterSql =
        """
        INSERT INTO event_sequences (tenant_id, last_sequence) VALUES (@tenant, 0)
        ON CONFLICT (tenant_id) DO UPDATE SET last_sequence = event_sequences.last_sequence
        RETURNING last_sequence
        """;

    private const string AdvanceCounterSql =
        "UPDATE event_sequences SET last_sequence = last_sequence + @count WHERE tenant_id = @tenant";

    /// <summary>
    /// Numbers the transaction's unnumbered events of every tenant and gives each a public id.
    /// </summary>
    /// <param name="connection">The transaction's connection.</param>
    /// <param name="transaction">The provider's own transaction, not a wrapper.</param>
    /// <param name="dialect">The database's statements, <see cref="Postgres"/>.</param>
    /// <returns>The tenants whose events were numbered, in ascending order, or an empty list.</returns>
    public static List<long> NumberPending(DbConnection connection, DbTransaction transaction, NumberingDialect dialect)
    {
        var tenants = FindTenants(connection, transaction, dialect.FindTenantsSql);
        foreach (var tenantId in tenants)
        {
            using var lockCounter = Create(connection, transaction, LockCounterSql, tenantId);
            var last = lockCounter.ExecuteInt64() ?? 0;
            using var number = Create(connection, transaction, NumberSql(dialect.PublicIdSql), tenantId);
            var count = number.With("@last", last).ExecuteNonQuery();
            using var advance = Create(connection, transaction, AdvanceCounterSql, tenantId);
            advance.With("@count", count).ExecuteNonQuery();
        }

        return tenants;
    }

    /// <summary>The asynchronous form of <see cref="NumberPending"/>, for the PostgreSQL ingest store.</summary>
    public static async Task<List<long>> NumberPendingAsync(
        DbConnection connection, DbTransaction transaction, NumberingDialect dialect,
        CancellationToken cancellationToken)
    {
        var tenants = new List<long>();
        await using (var find = Create(connection, transaction, dialect.FindTenantsSql, tenantId: null))
        await using (var reader = await find.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                tenants.Add(reader.ReadInt64(0));
            }
        }

        foreach (var tenantId in tenants)
        {
            await using var lockCounter = Create(connection, transaction, LockCounterSql, tenantId);
            var last = Convert.ToInt64(
                await lockCounter.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            await using var number = Create(connection, transaction, NumberSql(dialect.PublicIdSql), tenantId);
            var count = await number.With("@last", last).ExecuteNonQueryAsync(cancellationToken);
            await using var advance = Create(connection, transaction, AdvanceCounterSql, tenantId);
            await advance.With("@count", count).ExecuteNonQueryAsync(cancellationToken);
        }

        return tenants;
    }

    // Runs after the counter lock, so on PostgreSQL (READ COMMITTED) its snapshot contains every event that an
    // earlier holder of the lock committed, and those are numbered already.
    private static string NumberSql(string publicIdSql) =>
        $"""
        UPDATE events SET sequence = @last + numbered.n, public_id = {publicIdSql}
        FROM (
            SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM events
            WHERE tenant_id = @tenant AND sequence IS NULL
        ) AS numbered
        WHERE events.id = numbered.id
        """;

    private static List<long> FindTenants(DbConnection connection, DbTransaction transaction, string findTenantsSql)
    {
        using var find = Create(connection, transaction, findTenantsSql, tenantId: null);
        using var reader = find.ExecuteReader();
        var tenants = new List<long>();
        while (reader.Read())
        {
            tenants.Add(reader.ReadInt64(0));
        }

        return tenants;
    }

    private static DbCommand Create(DbConnection connection, DbTransaction transaction, string sql, long? tenantId)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return tenantId is { } tenant ? command.With("@tenant", tenant) : command;
    }
}

/// <summary>The statements of one database for <see cref="SqlEventSequences"/>.</summary>
/// <param name="PublicIdSql">An expression for a new public event id.</param>
/// <param name="FindTenantsSql">A query for the ids of the tenants with unnumbered events, in ascending order.</param>
internal sealed record NumberingDialect(string PublicIdSql, string FindTenantsSql);

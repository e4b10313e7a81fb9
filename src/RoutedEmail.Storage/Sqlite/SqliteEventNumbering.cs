using Microsoft.Data.Sqlite;
using RoutedEmail.Storage.Sql;

namespace RoutedEmail.Storage.Sqlite;

/// <summary>
/// Numbers a SQLite write transaction's events just before it commits, with two statements prepared once per
/// connection: per tenant, gap-free, after the tenant's last number in <c>event_sequences</c>, in id order. The
/// numbers and public ids are the same as those of <see cref="SqlEventSequences"/>, which PostgreSQL uses.
/// </summary>
/// <remarks>
/// Every write transaction on the file holds SQLite's write lock from its <c>BEGIN IMMEDIATE</c> on, so no other
/// writer, in this process or another, can number events between the two statements, and numbers follow commit
/// order without the row lock that PostgreSQL needs. Both statements cover every tenant at once, so a transaction
/// with events of several tenants costs no more statements than one with a single tenant. Both read the unnumbered
/// events through <c>INDEXED BY events_unnumbered</c>. Without it, SQLite 3.40 and 3.53 (the version bundled with
/// Microsoft.Data.Sqlite here) plan <c>sequence IS NULL</c> as a scan of the whole <c>events_by_tenant_sequence</c>
/// index, so every commit would cost time in proportion to the size of the event log.
/// </remarks>
internal sealed class SqliteEventNumbering : IDisposable
{
    // Moves each counter past the tenant's unnumbered events first, so the numbering below can count back from it,
    // and returns the tenants it moved.
    internal const string AdvanceCountersSql =
        """
        INSERT INTO event_sequences (tenant_id, last_sequence)
        SELECT tenant_id, COUNT(*) FROM events INDEXED BY events_unnumbered
        WHERE sequence IS NULL GROUP BY tenant_id
        ON CONFLICT (tenant_id) DO UPDATE SET last_sequence = last_sequence + excluded.last_sequence
        RETURNING tenant_id
        """;

    internal const string NumberSql =
        $"""
        UPDATE events SET sequence = counters.last_sequence - numbered.total + numbered.n,
            public_id = {SqlEventSequences.SqlitePublicId}
        FROM (
            SELECT id, tenant_id,
                ROW_NUMBER() OVER (PARTITION BY tenant_id ORDER BY id) AS n,
                COUNT(*) OVER (PARTITION BY tenant_id) AS total
            FROM events INDEXED BY events_unnumbered WHERE sequence IS NULL
        ) AS numbered
        JOIN event_sequences AS counters ON counters.tenant_id = numbered.tenant_id
        WHERE events.id = numbered.id
        """;

    private readonly SqliteCommand _advanceCounters;
    private readonly SqliteCommand _number;

    /// <summary>Creates the two commands on the connection; SQLite prepares each on its first run.</summary>
    public SqliteEventNumbering(SqliteConnection connection)
    {
        _advanceCounters = connection.CreateCommand();
        _advanceCounters.CommandText = AdvanceCountersSql;
        _number = connection.CreateCommand();
        _number.CommandText = NumberSql;
    }

    /// <summary>Numbers every unnumbered event and gives each a public id, inside the transaction.</summary>
    /// <param name="transaction">A write transaction on this instance's connection.</param>
    /// <returns>The tenants whose events were numbered, or an empty list.</returns>
    public List<long> Number(SqliteTransaction transaction)
    {
        _advanceCounters.Transaction = transaction;
        _number.Transaction = transaction;
        try
        {
            var tenants = new List<long>();
            using (var reader = _advanceCounters.ExecuteReader())
            {
                while (reader.Read())
                {
                    tenants.Add(reader.GetInt64(0));
                }
            }

            if (tenants.Count > 0)
            {
                _number.ExecuteNonQuery();
            }

            return tenants;
        }
        finally
        {
            _advanceCounters.Transaction = null;
            _number.Transaction = null;
        }
    }

    /// <summary>Finalizes both prepared statements.</summary>
    public void Dispose()
    {
        _advanceCounters.Dispose();
        _number.Dispose();
    }
}

using System.Data.Common;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>The durable deadlines of routing: offer expiry, wrap end and the end of a skip period.</summary>
internal sealed partial class SqlRoutingStore
{
    public Task<DateTimeOffset?> FindNextOfferDeadlineAsync(CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command("SELECT MIN(expires_at) FROM offers WHERE state = 'Pending'", null);
        var next = command.ExecuteInt64();
        return Task.FromResult(next is { } stored ? SqlCommands.ToTime(stored) : (DateTimeOffset?)null);
    }

    public Task<IReadOnlyList<OfferExpired>> ExpireDueOffersAsync(CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        var now = time.GetUtcNow();
        using var due = connection.Command(
            "SELECT tenant_id, id FROM offers WHERE state = 'Pending' AND expires_at <= @now ORDER BY expires_at, id",
            null);
        due.With("@now", now.ToStored());

        // An earlier expiry of the same agent, or another node, may have closed the offer since it was read.
        var expired = FireDue(connection, ReadDue(due), (transaction, tenantId, offerId) =>
            IsPending(connection, transaction, offerId)
                ? OfferTransitions.Expire(connection, transaction, tenantId, offerId, now)
                : null);
        return Task.FromResult<IReadOnlyList<OfferExpired>>(expired);
    }

    /// <summary>Reads the tenant id and row id of each due row, in the order the query gives.</summary>
    private static List<(long TenantId, long Id)> ReadDue(DbCommand command)
    {
        using var reader = command.ExecuteReader();
        var due = new List<(long, long)>();
        while (reader.Read())
        {
            due.Add((reader.ReadInt64(0), reader.ReadInt64(1)));
        }

        return due;
    }

    /// <summary>
    /// Fires due deadlines in one write transaction per tenant, so that on PostgreSQL each tenant's lock is held
    /// only for its own rows. <paramref name="fire"/> checks again, under that lock, that its row is still due, and
    /// returns null when it is not.
    /// </summary>
    private List<T> FireDue<T>(
        DbConnection connection, List<(long TenantId, long Id)> due, Func<DbTransaction, long, long, T?> fire)
        where T : class
    {
        var fired = new List<T>();
        foreach (var tenant in due.GroupBy(row => row.TenantId))
        {
            using var transaction = database.BeginWrite(connection, tenant.Key);
            foreach (var (tenantId, id) in tenant)
            {
                if (fire(transaction, tenantId, id) is { } result)
                {
                    fired.Add(result);
                }
            }

            transaction.Commit();
        }

        return fired;
    }

    private static bool IsPending(DbConnection connection, DbTransaction transaction, long offerId)
    {
        using var command = connection.Command("SELECT state FROM offers WHERE id = @offer", transaction);
        return (string?)command.With("@offer", offerId).ExecuteScalar() == "Pending";
    }

    public Task<DateTimeOffset?> FindNextWrapEndAsync(CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command(
            "SELECT MIN(wrap_ends_at) FROM routed_emails WHERE state = 'Wrap'", null);
        var next = command.ExecuteInt64();
        return Task.FromResult(next is { } stored ? SqlCommands.ToTime(stored) : (DateTimeOffset?)null);
    }

    public Task<DateTimeOffset?> FindNextSkipEndAsync(
        DateTimeOffset after, TimeSpan declineSkip, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command(
            """
            SELECT MIN(o.closed_at) FROM offers o JOIN routed_emails e ON e.id = o.email_id
            WHERE o.state IN ('Declined', 'Expired') AND o.closed_at > @since AND e.state = 'Queued'
            """, null);
        command.With("@since", (after - declineSkip).ToStored());
        var next = command.ExecuteInt64();
        return Task.FromResult(next is { } stored ? SqlCommands.ToTime(stored) + declineSkip : (DateTimeOffset?)null);
    }

    public Task<IReadOnlyList<long>> ListTenantsWithSkipsEndedAsync(
        DateTimeOffset after, TimeSpan declineSkip, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command(
            """
            SELECT DISTINCT o.tenant_id FROM offers o JOIN routed_emails e ON e.id = o.email_id
            WHERE o.state IN ('Declined', 'Expired') AND o.closed_at > @from AND o.closed_at <= @to
              AND e.state = 'Queued'
            ORDER BY o.tenant_id
            """, null);
        command.With("@from", (after - declineSkip).ToStored())
            .With("@to", (time.GetUtcNow() - declineSkip).ToStored());
        using var reader = command.ExecuteReader();
        var tenantIds = new List<long>();
        while (reader.Read())
        {
            tenantIds.Add(reader.ReadInt64(0));
        }

        return Task.FromResult<IReadOnlyList<long>>(tenantIds);
    }

    public Task<IReadOnlyList<WrapEnded>> EndDueWrapsAsync(CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        var now = time.GetUtcNow();
        using var due = connection.Command(
            "SELECT tenant_id, id FROM routed_emails WHERE state = 'Wrap' AND wrap_ends_at <= @now ORDER BY wrap_ends_at, id",
            null);
        due.With("@now", now.ToStored());
        var ended = FireDue(connection, ReadDue(due), (transaction, tenantId, emailId) =>
        {
            // The agent may have ended the wrap, or the integrator cancelled the email, since it was read.
            using var read = connection.Command(
                """
                SELECT entity_id, agent_id FROM routed_emails
                WHERE id = @email AND state = 'Wrap' AND wrap_ends_at <= @now
                """, transaction);
            using var reader = read.With("@email", emailId).With("@now", now.ToStored()).ExecuteReader();
            if (!reader.Read())
            {
                return null;
            }

            var email = new WrapEnded(tenantId, emailId, reader.GetString(0), reader.GetString(1));
            reader.Close();
            EmailTransitions.Complete(connection, transaction, tenantId, emailId, email.AgentId, now);
            return email;
        });
        return Task.FromResult<IReadOnlyList<WrapEnded>>(ended);
    }
}

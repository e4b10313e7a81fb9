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
        var next = command.ExecuteScalar();
        return Task.FromResult(next is long stored ? SqlCommands.ToTime(stored) : (DateTimeOffset?)null);
    }

    public Task<IReadOnlyList<OfferExpired>> ExpireDueOffersAsync(CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, null);
        var now = time.GetUtcNow();
        using var due = connection.Command(
            "SELECT id, tenant_id FROM offers WHERE state = 'Pending' AND expires_at <= @now ORDER BY expires_at, id",
            transaction);
        due.With("@now", now.ToStored());
        var offers = new List<(long OfferId, long TenantId)>();
        using (var reader = due.ExecuteReader())
        {
            while (reader.Read())
            {
                offers.Add((reader.GetInt64(0), reader.GetInt64(1)));
            }
        }

        var expired = new List<OfferExpired>();
        foreach (var (offerId, tenantId) in offers)
        {
            // An earlier expiry of the same agent may have withdrawn this offer already.
            if (IsPending(connection, transaction, offerId))
            {
                expired.Add(OfferTransitions.Expire(connection, transaction, tenantId, offerId, now));
            }
        }

        transaction.Commit();
        return Task.FromResult<IReadOnlyList<OfferExpired>>(expired);
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
        var next = command.ExecuteScalar();
        return Task.FromResult(next is long stored ? SqlCommands.ToTime(stored) : (DateTimeOffset?)null);
    }

    public Task<DateTimeOffset?> FindNextSkipEndAsync(TimeSpan declineSkip, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command(
            """
            SELECT MIN(o.closed_at) FROM offers o JOIN routed_emails e ON e.id = o.email_id
            WHERE o.state IN ('Declined', 'Expired') AND o.closed_at > @since AND e.state = 'Queued'
            """, null);
        command.With("@since", (time.GetUtcNow() - declineSkip).ToStored());
        var next = command.ExecuteScalar();
        return Task.FromResult(next is long stored ? SqlCommands.ToTime(stored) + declineSkip : (DateTimeOffset?)null);
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
            tenantIds.Add(reader.GetInt64(0));
        }

        return Task.FromResult<IReadOnlyList<long>>(tenantIds);
    }

    public Task<IReadOnlyList<WrapEnded>> EndDueWrapsAsync(CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, null);
        var now = time.GetUtcNow();
        using var due = connection.Command(
            """
            SELECT id, tenant_id, entity_id, agent_id FROM routed_emails
            WHERE state = 'Wrap' AND wrap_ends_at <= @now ORDER BY wrap_ends_at, id
            """, transaction);
        due.With("@now", now.ToStored());
        var ended = new List<WrapEnded>();
        using (var reader = due.ExecuteReader())
        {
            while (reader.Read())
            {
                ended.Add(new WrapEnded(reader.GetInt64(1), reader.GetInt64(0), reader.GetString(2), reader.GetString(3)));
            }
        }

        foreach (var email in ended)
        {
            EmailTransitions.Complete(connection, transaction, email.TenantId, email.EmailId, email.AgentId, now);
        }

        transaction.Commit();
        return Task.FromResult<IReadOnlyList<WrapEnded>>(ended);
    }
}

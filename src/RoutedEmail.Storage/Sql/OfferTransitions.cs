using System.Data.Common;
using RoutedEmail.Core.Emails;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>Closes pending offers inside the caller's transaction, putting each email back at its original place.</summary>
internal static class OfferTransitions
{
    /// <summary>Withdraws every pending offer of an agent, for example because it left Available.</summary>
    /// <returns>The number of offers withdrawn.</returns>
    public static int WithdrawAll(
        DbConnection connection, DbTransaction transaction, long tenantId, string agentId, DateTimeOffset now)
    {
        using var withdraw = connection.Command(
            """
            UPDATE offers SET state = 'Withdrawn', closed_at = @now
            WHERE tenant_id = @tenant AND agent_id = @agent AND state = 'Pending'
            RETURNING id, email_id
            """, transaction);
        withdraw.With("@now", now.ToStored()).With("@tenant", tenantId).With("@agent", agentId);
        var withdrawn = new List<(long OfferId, long EmailId)>();
        using (var reader = withdraw.ExecuteReader())
        {
            while (reader.Read())
            {
                withdrawn.Add((reader.ReadInt64(0), reader.ReadInt64(1)));
            }
        }

        foreach (var (offerId, emailId) in withdrawn)
        {
            Requeue(connection, transaction, emailId);
            SqlCommands.AppendEvent(connection, transaction, tenantId, now, EventTypes.OfferWithdrawn, emailId,
                agentId, offerId);
        }

        return withdrawn.Count;
    }

    /// <summary>
    /// Expires one pending offer: the email goes back to its queue, an Available agent becomes Missed, and the
    /// agent's other pending offers are withdrawn.
    /// </summary>
    public static OfferExpired Expire(
        DbConnection connection, DbTransaction transaction, long tenantId, long offerId, DateTimeOffset now)
    {
        using var expire = connection.Command(
            """
            UPDATE offers SET state = 'Expired', closed_at = @now WHERE id = @offer AND state = 'Pending'
            RETURNING email_id, agent_id
            """, transaction);
        expire.With("@now", now.ToStored()).With("@offer", offerId);
        long emailId;
        string agentId;
        using (var reader = expire.ExecuteReader())
        {
            reader.Read();
            emailId = reader.ReadInt64(0);
            agentId = reader.GetString(1);
        }

        Requeue(connection, transaction, emailId, countColumn: "expiry_count");
        SqlCommands.AppendEvent(connection, transaction, tenantId, now, EventTypes.OfferExpired, emailId, agentId,
            offerId);

        using var missed = connection.Command(
            """
            UPDATE agents SET status = 'Missed', status_since = @now
            WHERE tenant_id = @tenant AND agent_id = @agent AND status = 'Available'
            """, transaction);
        missed.With("@now", now.ToStored()).With("@tenant", tenantId).With("@agent", agentId);
        if (missed.ExecuteNonQuery() > 0)
        {
            SqlCommands.AppendEvent(connection, transaction, tenantId, now, EventTypes.AgentStatusChanged,
                agentId: agentId, detail: "Missed");
        }

        WithdrawAll(connection, transaction, tenantId, agentId, now);
        using var entity = connection.Command("SELECT entity_id FROM routed_emails WHERE id = @email", transaction);
        var entityId = (string)entity.With("@email", emailId).ExecuteScalar()!;
        return new OfferExpired(tenantId, offerId, emailId, entityId, agentId);
    }

    /// <summary>
    /// Declines one pending offer: the offer becomes Declined and the email goes back to its queue at its original
    /// place. The caller has checked that the offer is Pending and not overdue.
    /// </summary>
    public static void Decline(
        DbConnection connection, DbTransaction transaction, long tenantId, long offerId, long emailId,
        string agentId, DateTimeOffset now)
    {
        using var decline = connection.Command(
            "UPDATE offers SET state = 'Declined', closed_at = @now WHERE id = @offer AND state = 'Pending'",
            transaction);
        decline.With("@now", now.ToStored()).With("@offer", offerId).ExecuteNonQuery();
        Requeue(connection, transaction, emailId, countColumn: "decline_count");
        SqlCommands.AppendEvent(connection, transaction, tenantId, now, EventTypes.OfferDeclined, emailId, agentId,
            offerId);
    }

    /// <summary>Puts an offered email back in its queue, adding one to the named counter when given.</summary>
    private static void Requeue(
        DbConnection connection, DbTransaction transaction, long emailId, string? countColumn = null)
    {
        // The enqueue time, priority and attributes stay, so the email keeps its place in the queue. The counter
        // name comes from this class, never from input.
        var count = countColumn is null ? string.Empty : $", {countColumn} = {countColumn} + 1";
        using var requeue = connection.Command(
            $"UPDATE routed_emails SET state = 'Queued', agent_id = NULL{count} WHERE id = @email", transaction);
        requeue.With("@email", emailId).ExecuteNonQuery();
    }
}

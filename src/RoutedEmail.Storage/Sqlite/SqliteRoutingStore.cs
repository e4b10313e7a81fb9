using Microsoft.Data.Sqlite;
using RoutedEmail.Core.Emails;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sqlite;

/// <summary>
/// Routing steps in SQLite. Agents take turns in order of idle time, longest first; each turn offers the agent one
/// email: from its best-ranked queue with waiting email, the highest priority, then the oldest enqueue time.
/// Turns repeat until no agent can take more.
/// </summary>
internal sealed class SqliteRoutingStore(SqliteDatabase database, TimeProvider time) : IRoutingStore
{
    public Task<IReadOnlyList<long>> ListTenantIdsAsync(CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command("SELECT id FROM tenants ORDER BY id", null);
        using var reader = command.ExecuteReader();
        var ids = new List<long>();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }

        return Task.FromResult<IReadOnlyList<long>>(ids);
    }

    public Task<IReadOnlyList<OfferMade>> RouteAsync(long tenantId, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        var now = time.GetUtcNow();
        var offers = new List<OfferMade>();
        var agents = ReadRoutableAgents(connection, transaction, tenantId);
        while (agents.Count > 0)
        {
            var stillRoutable = new List<RoutableAgent>();
            foreach (var agent in agents)
            {
                var offer = OfferBestEmail(connection, transaction, tenantId, agent.AgentId, now);
                if (offer is null)
                {
                    continue;
                }

                offers.Add(offer);
                if (agent.FreeSlots > 1)
                {
                    stillRoutable.Add(agent with { FreeSlots = agent.FreeSlots - 1 });
                }
            }

            agents = stillRoutable;
        }

        transaction.Commit();
        return Task.FromResult<IReadOnlyList<OfferMade>>(offers);
    }

    public Task<DateTimeOffset?> FindNextOfferDeadlineAsync(CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command("SELECT MIN(expires_at) FROM offers WHERE state = 'Pending'", null);
        var next = command.ExecuteScalar();
        return Task.FromResult(next is long stored ? SqliteCommands.ToTime(stored) : (DateTimeOffset?)null);
    }

    public Task<IReadOnlyList<OfferExpired>> ExpireDueOffersAsync(CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        var now = time.GetUtcNow();
        using var due = connection.Command(
            "SELECT id, tenant_id FROM offers WHERE state = 'Pending' AND expires_at <= $now ORDER BY expires_at, id",
            transaction);
        due.With("$now", now.ToStored());
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

    private static bool IsPending(SqliteConnection connection, SqliteTransaction transaction, long offerId)
    {
        using var command = connection.Command("SELECT state FROM offers WHERE id = $offer", transaction);
        return (string?)command.With("$offer", offerId).ExecuteScalar() == "Pending";
    }

    private static List<RoutableAgent> ReadRoutableAgents(
        SqliteConnection connection, SqliteTransaction transaction, long tenantId)
    {
        using var command = connection.Command(
            """
            SELECT a.agent_id, a.max_concurrent_emails - (
                SELECT COUNT(*) FROM routed_emails e
                WHERE e.tenant_id = a.tenant_id AND e.agent_id = a.agent_id
                  AND e.state IN ('Offered', 'Active', 'Wrap')) AS free_slots
            FROM agents a
            WHERE a.tenant_id = $tenant AND a.status = 'Available'
            ORDER BY a.idle_since, a.agent_id
            """, transaction);
        command.With("$tenant", tenantId);
        using var reader = command.ExecuteReader();
        var agents = new List<RoutableAgent>();
        while (reader.Read())
        {
            if (reader.GetInt64(1) > 0)
            {
                agents.Add(new RoutableAgent(reader.GetString(0), reader.GetInt64(1)));
            }
        }

        return agents;
    }

    private static OfferMade? OfferBestEmail(
        SqliteConnection connection, SqliteTransaction transaction, long tenantId, string agentId, DateTimeOffset now)
    {
        // Queues are visited in rank order; among queues of equal rank the best email of either wins.
        using var command = connection.Command(
            """
            SELECT e.id, e.entity_id, q.offer_timeout_seconds
            FROM agent_skills s
            JOIN skill_queues q ON q.tenant_id = s.tenant_id AND q.name = s.skill_queue
            JOIN routed_emails e ON e.id = (
                SELECT w.id FROM routed_emails w
                WHERE w.tenant_id = s.tenant_id AND w.skill_queue = s.skill_queue AND w.state = 'Queued'
                ORDER BY w.priority DESC, w.enqueued_at, w.id LIMIT 1)
            WHERE s.tenant_id = $tenant AND s.agent_id = $agent
            ORDER BY s.rank, e.priority DESC, e.enqueued_at, e.id
            LIMIT 1
            """, transaction);
        command.With("$tenant", tenantId).With("$agent", agentId);
        long emailId;
        string entityId;
        int timeoutSeconds;
        using (var reader = command.ExecuteReader())
        {
            if (!reader.Read())
            {
                return null;
            }

            emailId = reader.GetInt64(0);
            entityId = reader.GetString(1);
            timeoutSeconds = reader.GetInt32(2);
        }

        using var insert = connection.Command(
            """
            INSERT INTO offers (tenant_id, email_id, agent_id, state, created_at, expires_at)
            VALUES ($tenant, $email, $agent, 'Pending', $now, $expires)
            RETURNING id
            """, transaction);
        insert.With("$tenant", tenantId).With("$email", emailId).With("$agent", agentId)
            .With("$now", now.ToStored()).With("$expires", now.AddSeconds(timeoutSeconds).ToStored());
        var offerId = (long)insert.ExecuteScalar()!;

        using var update = connection.Command(
            "UPDATE routed_emails SET state = 'Offered', agent_id = $agent WHERE id = $email", transaction);
        update.With("$agent", agentId).With("$email", emailId).ExecuteNonQuery();
        SqliteCommands.AppendEvent(connection, transaction, tenantId, now, EventTypes.Offered, emailId, agentId,
            offerId);
        return new OfferMade(offerId, emailId, entityId, agentId);
    }

    private sealed record RoutableAgent(string AgentId, long FreeSlots);
}

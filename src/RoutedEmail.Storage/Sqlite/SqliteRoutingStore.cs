using Microsoft.Data.Sqlite;
using RoutedEmail.Core.Emails;
using RoutedEmail.Core.Routing;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sqlite;

/// <summary>
/// Routing steps in SQLite. A step reads the routable agents and the first waiting email of each queue they serve,
/// then makes the offers that <see cref="RoutingPolicy"/> chooses, one at a time, until it chooses none.
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
        var agents = ReadRoutableAgents(connection, transaction, tenantId);
        var heads = new Dictionary<string, QueueHead>(StringComparer.Ordinal);
        foreach (var queue in agents.SelectMany(agent => agent.Ranks.Keys).Distinct(StringComparer.Ordinal))
        {
            RefreshHead(connection, transaction, tenantId, queue, heads);
        }

        var offers = new List<OfferMade>();
        while (RoutingPolicy.ChooseNext(agents, heads) is { } choice)
        {
            offers.Add(Offer(connection, transaction, tenantId, heads[choice.Queue], choice.AgentId, now));
            var index = agents.FindIndex(agent => agent.AgentId == choice.AgentId);
            var agent = agents[index];
            agents[index] = agent with { Load = agent.Load + 1, FreeSlots = agent.FreeSlots - 1 };
            RefreshHead(connection, transaction, tenantId, choice.Queue, heads);
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
            SELECT a.agent_id, a.max_concurrent_emails, a.idle_since, s.skill_queue, s.rank, (
                SELECT COUNT(*) FROM routed_emails e
                WHERE e.tenant_id = a.tenant_id AND e.agent_id = a.agent_id
                  AND e.state IN ('Offered', 'Active', 'Wrap')) AS load
            FROM agents a
            JOIN agent_skills s ON s.tenant_id = a.tenant_id AND s.agent_id = a.agent_id
            WHERE a.tenant_id = $tenant AND a.status = 'Available'
            ORDER BY a.agent_id
            """, transaction);
        command.With("$tenant", tenantId);
        using var reader = command.ExecuteReader();
        var agents = new List<RoutableAgent>();
        Dictionary<string, int>? ranks = null;
        while (reader.Read())
        {
            var agentId = reader.GetString(0);
            if (agents.Count == 0 || agents[^1].AgentId != agentId)
            {
                ranks = new Dictionary<string, int>(StringComparer.Ordinal);
                var load = reader.GetInt32(5);
                agents.Add(new RoutableAgent(agentId, ranks, load, reader.GetInt32(1) - load,
                    SqliteCommands.ToTime(reader.GetInt64(2))));
            }

            ranks![reader.GetString(3)] = reader.GetInt32(4);
        }

        agents.RemoveAll(agent => agent.FreeSlots <= 0);
        return agents;
    }

    /// <summary>Reads the first waiting email of a queue into <paramref name="heads"/>, or removes the queue.</summary>
    private static void RefreshHead(
        SqliteConnection connection, SqliteTransaction transaction, long tenantId, string queue,
        Dictionary<string, QueueHead> heads)
    {
        using var command = connection.Command(
            """
            SELECT id, priority, enqueued_at FROM routed_emails
            WHERE tenant_id = $tenant AND skill_queue = $queue AND state = 'Queued'
            ORDER BY priority DESC, enqueued_at, id LIMIT 1
            """, transaction);
        command.With("$tenant", tenantId).With("$queue", queue);
        using var reader = command.ExecuteReader();
        if (reader.Read())
        {
            heads[queue] = new QueueHead(
                queue, reader.GetInt64(0), reader.GetInt32(1), SqliteCommands.ToTime(reader.GetInt64(2)));
        }
        else
        {
            heads.Remove(queue);
        }
    }

    private static OfferMade Offer(
        SqliteConnection connection, SqliteTransaction transaction, long tenantId, QueueHead head, string agentId,
        DateTimeOffset now)
    {
        using var insert = connection.Command(
            """
            INSERT INTO offers (tenant_id, email_id, agent_id, state, created_at, expires_at)
            SELECT $tenant, $email, $agent, 'Pending', $now,
                   $now + 1000 * (SELECT offer_timeout_seconds FROM skill_queues WHERE tenant_id = $tenant AND name = $queue)
            RETURNING id, expires_at
            """, transaction);
        insert.With("$tenant", tenantId).With("$email", head.EmailId).With("$agent", agentId)
            .With("$now", now.ToStored()).With("$queue", head.Queue);
        var offerId = (long)insert.ExecuteScalar()!;

        using var update = connection.Command(
            "UPDATE routed_emails SET state = 'Offered', agent_id = $agent WHERE id = $email RETURNING entity_id",
            transaction);
        var entityId = (string)update.With("$agent", agentId).With("$email", head.EmailId).ExecuteScalar()!;
        SqliteCommands.AppendEvent(connection, transaction, tenantId, now, EventTypes.Offered, head.EmailId, agentId,
            offerId);
        return new OfferMade(offerId, head.EmailId, entityId, agentId);
    }
}

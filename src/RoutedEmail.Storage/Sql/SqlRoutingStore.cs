using System.Data.Common;
using RoutedEmail.Core.Emails;
using RoutedEmail.Core.Routing;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>
/// Routing steps. A step brings this node's copy of the routable agents up to date (<see cref="RoutableAgentCache"/>),
/// reads the first waiting emails of each queue they serve, then makes the offers that <see cref="RoutingPolicy"/>
/// chooses, one at a time, until it chooses none.
/// Deadlines (offer expiry, wrap end, skip end) are in SqlDeadlines.cs.
/// </summary>
internal sealed partial class SqlRoutingStore(SqlDatabase database, TimeProvider time) : IRoutingStore
{
    private readonly RoutableAgentCache _routableAgents = new();

    public Task<IReadOnlyList<long>> ListTenantIdsAsync(CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command("SELECT id FROM tenants ORDER BY id", null);
        using var reader = command.ExecuteReader();
        var ids = new List<long>();
        while (reader.Read())
        {
            ids.Add(reader.ReadInt64(0));
        }

        return Task.FromResult<IReadOnlyList<long>>(ids);
    }

    public Task<IReadOnlyList<OfferMade>> RouteAsync(
        long tenantId, TimeSpan declineSkip, CancellationToken cancellationToken)
    {
        // A step woken by a completion often finds no waiting email, and one woken by new email may find no
        // Available agent. This read needs no write lock: an email or an agent status change that commits after
        // it wakes the router again.
        if (!MayOffer(tenantId))
        {
            return Task.FromResult<IReadOnlyList<OfferMade>>([]);
        }

        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId);
        try
        {
            var offers = MakeOffers(connection, transaction, tenantId, declineSkip);
            transaction.Commit();
            return Task.FromResult<IReadOnlyList<OfferMade>>(offers);
        }
        catch
        {
            // The copy counted offers that did not commit.
            _routableAgents.Forget(tenantId);
            throw;
        }
    }

    /// <summary>
    /// Runs a routing step of the tenant inside a write transaction that the caller began and commits, such as the
    /// ingest writer's, and returns the offers it made. When it throws, the caller must roll the step's writes back,
    /// because the node's copy of the routable agents is read again at the tenant's next step.
    /// </summary>
    internal List<OfferMade> RouteInTransaction(
        DbConnection connection, DbTransaction transaction, long tenantId, TimeSpan declineSkip)
    {
        try
        {
            return MakeOffers(connection, transaction, tenantId, declineSkip);
        }
        catch
        {
            _routableAgents.Forget(tenantId);
            throw;
        }
    }

    /// <summary>
    /// Drops this node's copy of the tenant's routable agents, after a transaction that made offers with it rolled
    /// back, so the tenant's next step reads every routable agent again.
    /// </summary>
    internal void ForgetRoutableAgents(long tenantId) => _routableAgents.Forget(tenantId);

    private List<OfferMade> MakeOffers(
        DbConnection connection, DbTransaction transaction, long tenantId, TimeSpan declineSkip)
    {
        var now = time.GetUtcNow();
        var agents = _routableAgents.Refresh(connection, transaction, tenantId);
        if (agents.Agents.Count == 0)
        {
            // Every agent is busy or away, as for most steps woken by new email under load: nothing to offer.
            return [];
        }

        var skips = ReadSkips(connection, transaction, tenantId, now - declineSkip);
        var waiting = new Dictionary<string, IReadOnlyList<QueueHead>>(StringComparer.Ordinal);
        foreach (var queue in agents.Queues)
        {
            RefreshWaiting(connection, transaction, tenantId, queue, skips, waiting);
        }

        var offers = new List<OfferMade>();
        while (RoutingPolicy.ChooseNext(agents, waiting) is (var choice, var email))
        {
            offers.Add(Offer(connection, transaction, tenantId, email, choice.AgentId, now,
                agents.Find(choice.AgentId)));
            agents.CountOffer(choice.AgentId);

            // An escalated email waits in its own queue and in an overflow queue; both lists lose it.
            var listed = waiting.Where(pair => pair.Value.Any(head => head.EmailId == email.EmailId))
                .Select(pair => pair.Key).ToList();
            foreach (var queue in listed)
            {
                RefreshWaiting(connection, transaction, tenantId, queue, skips, waiting);
            }
        }

        return offers;
    }

    /// <summary>
    /// Returns whether the tenant has a Queued email and an Available agent, on a kept session. Each is one
    /// look-up, in <c>routed_emails_waiting</c> and in <c>agents_not_offline</c>.
    /// </summary>
    private bool MayOffer(long tenantId)
    {
        using var session = database.OpenSession();
        var command = session.Command(MayOfferQuery);
        return command.With("@tenant", tenantId).ExecuteScalar() is not null;
    }

    /// <summary>
    /// One row when the tenant has a Queued email and an Available agent. The redundant
    /// <c>status &lt;&gt; 'Offline'</c> lets the planner search <c>agents_not_offline</c>.
    /// </summary>
    internal const string MayOfferQuery =
        """
        SELECT 1
        WHERE EXISTS (SELECT 1 FROM routed_emails e WHERE e.tenant_id = @tenant AND e.state = 'Queued')
          AND EXISTS (SELECT 1 FROM agents a
                      WHERE a.tenant_id = @tenant AND a.status <> 'Offline' AND a.status = 'Available')
        """;

    /// <summary>
    /// The tenant's declines and expiries since <c>@since</c> of emails that wait again, read through
    /// <c>offers_skipped_by_tenant</c> so that the routing step does not read the tenant's whole offer history.
    /// </summary>
    internal const string SkipsQuery =
        """
        SELECT o.email_id, o.agent_id FROM offers o JOIN routed_emails e ON e.id = o.email_id
        WHERE o.tenant_id = @tenant AND o.state IN ('Declined', 'Expired') AND o.closed_at > @since
          AND e.state = 'Queued'
        """;

    /// <summary>
    /// Reads the agents each waiting email skips: those who declined it, or let its offer expire, after
    /// <paramref name="skippedSince"/>.
    /// </summary>
    private static Dictionary<long, HashSet<string>> ReadSkips(
        DbConnection connection, DbTransaction transaction, long tenantId, DateTimeOffset skippedSince)
    {
        using var command = connection.Command(SkipsQuery, transaction);
        command.With("@tenant", tenantId).With("@since", skippedSince.ToStored());
        using var reader = command.ExecuteReader();
        var skips = new Dictionary<long, HashSet<string>>();
        while (reader.Read())
        {
            var emailId = reader.ReadInt64(0);
            if (!skips.TryGetValue(emailId, out var agentIds))
            {
                agentIds = new HashSet<string>(StringComparer.Ordinal);
                skips[emailId] = agentIds;
            }

            agentIds.Add(reader.GetString(1));
        }

        return skips;
    }

    /// <summary>
    /// Reads the first waiting emails of a queue into <paramref name="waiting"/>, or removes the queue when it has
    /// none. The queue's emails include those that overflowed into it from other queues after escalation, in the
    /// same order. It reads one email more than the number of emails with skips, so every agent finds the first
    /// email that does not skip it, when the queue has one.
    /// </summary>
    private static void RefreshWaiting(
        DbConnection connection, DbTransaction transaction, long tenantId, string queue,
        Dictionary<long, HashSet<string>> skips, Dictionary<string, IReadOnlyList<QueueHead>> waiting)
    {
        var emails = QueueLists.Read(connection, transaction, tenantId, queue, skips.Count + 1)
            .ConvertAll(head => skips.TryGetValue(head.EmailId, out var skipped)
                ? head with { ExcludedAgentIds = skipped }
                : head);

        if (emails.Count > 0)
        {
            waiting[queue] = emails;
        }
        else
        {
            waiting.Remove(queue);
        }
    }

    private static OfferMade Offer(
        DbConnection connection, DbTransaction transaction, long tenantId, QueueHead head, string agentId,
        DateTimeOffset now, RoutableAgent? chosen = null)
    {
        // The offer timeout is that of the email's own queue, also when an overflow queue's agent takes it.
        using var insert = connection.Command(
            """
            INSERT INTO offers (tenant_id, email_id, agent_id, state, created_at, expires_at)
            SELECT @tenant, e.id, @agent, 'Pending', @now, @now + 1000 * q.offer_timeout_seconds
            FROM routed_emails e JOIN skill_queues q ON q.tenant_id = e.tenant_id AND q.name = e.skill_queue
            WHERE e.id = @email
            RETURNING id, expires_at
            """, transaction);
        insert.With("@tenant", tenantId).With("@email", head.EmailId).With("@agent", agentId)
            .With("@now", now.ToStored());
        long offerId;
        DateTimeOffset expiresAt;
        using (var reader = insert.ExecuteReader())
        {
            reader.Read();
            offerId = reader.ReadInt64(0);
            expiresAt = SqlCommands.ToTime(reader.ReadInt64(1));
        }

        using var update = connection.Command(
            "UPDATE routed_emails SET state = 'Offered', agent_id = @agent WHERE id = @email RETURNING entity_id",
            transaction);
        var entityId = (string)update.With("@agent", agentId).With("@email", head.EmailId).ExecuteScalar()!;
        SqlCommands.AppendEvent(connection, transaction, tenantId, now, EventTypes.Offered, head.EmailId, agentId,
            offerId, OfferRoutingInputs.ToDetail(chosen, head.Queue));
        return new OfferMade(offerId, head.EmailId, entityId, agentId, expiresAt, head.Queue, head.EnqueuedAt);
    }
}

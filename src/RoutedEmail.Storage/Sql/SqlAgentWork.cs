using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Emails;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>The read of an agent's work, which every push and every hub method's return value need.</summary>
internal sealed partial class SqlAgentStore
{
    private const string StatusQuery =
        "SELECT status, other_work_count, away_reason FROM agents WHERE tenant_id = @tenant AND agent_id = @agent";

    private const string PendingOffersQuery =
        $"""
        SELECT o.id, o.expires_at, {EmailReader.Columns}
        FROM offers o JOIN routed_emails e ON e.id = o.email_id
        WHERE o.tenant_id = @tenant AND o.agent_id = @agent AND o.state = 'Pending'
        ORDER BY o.id
        """;

    /// <summary>
    /// The agent's accepted emails. The subquery repeats the predicate of the partial index
    /// <c>routed_emails_held_by_agent</c> and needs no other column, so SQLite reads the agent's open emails from that
    /// covering index. Written as one query over <c>routed_emails</c>, SQLite searched <c>routed_emails_by_agent</c>
    /// instead, which lists every email the agent ever held, so each read grew with the agent's history.
    /// </summary>
    internal const string AcceptedEmailsQuery =
        $"""
        SELECT {EmailReader.Columns} FROM routed_emails e
        WHERE e.id IN (
            SELECT h.id FROM routed_emails h
            WHERE h.tenant_id = @tenant AND h.agent_id = @agent AND h.state IN ('Offered', 'Active', 'Wrap')
              AND h.state IN ('Active', 'Wrap'))
        ORDER BY e.id
        """;

    /// <summary>
    /// Reads the agent's status, pending offers and accepted emails in one read transaction, on a kept session so
    /// that SQLite prepares the queries once per connection.
    /// </summary>
    public Task<AgentWork> GetWorkAsync(long tenantId, string agentId, CancellationToken cancellationToken)
    {
        using var session = database.OpenSession();
        using var transaction = database.BeginRead(session.Connection);
        var status = session.Command(StatusQuery, transaction);
        AgentStatus agentStatus;
        int otherWork;
        string? awayReason;
        using (var reader = status.With("@tenant", tenantId).With("@agent", agentId).ExecuteReader())
        {
            reader.Read();
            agentStatus = Enum.Parse<AgentStatus>(reader.GetString(0));
            otherWork = reader.ReadInt32(1);
            awayReason = reader.GetNullableString(2);
        }

        var offers = session.Command(PendingOffersQuery, transaction);
        offers.With("@tenant", tenantId).With("@agent", agentId);
        var pending = new List<OfferDetails>();
        using (var reader = offers.ExecuteReader())
        {
            while (reader.Read())
            {
                var (email, screenPop) = EmailReader.Read(reader, 2);
                pending.Add(new OfferDetails(
                    reader.ReadInt64(0), SqlCommands.ToTime(reader.ReadInt64(1)), screenPop, email));
            }
        }

        var accepted = session.Command(AcceptedEmailsQuery, transaction);
        accepted.With("@tenant", tenantId).With("@agent", agentId);
        var emails = new List<RoutedEmailDetails>();
        using (var reader = accepted.ExecuteReader())
        {
            while (reader.Read())
            {
                emails.Add(EmailReader.Read(reader).Email);
            }
        }

        pending = pending.ConvertAll(offer =>
            offer with { Email = EmailReader.WithHistory(session, transaction, offer.Email) });
        emails = emails.ConvertAll(email => EmailReader.WithHistory(session, transaction, email));
        return Task.FromResult(new AgentWork(agentStatus, pending, emails, otherWork, awayReason));
    }
}

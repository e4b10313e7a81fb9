using System.Data.Common;
using RoutedEmail.Core.Emails;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>An agent's actions on its offers and emails: accept, decline, complete and end wrap.</summary>
internal sealed partial class SqlAgentStore
{
    public Task<AgentActionOutcome> AcceptAsync(
        long tenantId, string agentId, long offerId, CancellationToken cancellationToken) =>
        database.WriteAsync(tenantId, (connection, transaction) =>
        {
            var now = time.GetUtcNow();
            if (ReadOpenOffer(connection, transaction, tenantId, agentId, offerId, now) is not { } offer)
            {
                return ClosedOfferOutcome(connection, transaction, tenantId, agentId, offerId, now);
            }

            using var accept = connection.Command(
                "UPDATE offers SET state = 'Accepted', closed_at = @now WHERE id = @offer", transaction);
            accept.With("@now", now.ToStored()).With("@offer", offerId).ExecuteNonQuery();
            using var email = connection.Command(
                "UPDATE routed_emails SET state = 'Active' WHERE id = @email", transaction);
            email.With("@email", offer.EmailId).ExecuteNonQuery();
            SqlCommands.AppendEvent(connection, transaction, tenantId, now, EventTypes.Accepted, offer.EmailId,
                agentId, offerId);
            transaction.Commit();
            return new AgentActionOutcome(AgentActionStatus.Done, Event: EventTypes.Accepted);
        });

    public Task<AgentActionOutcome> DeclineAsync(
        long tenantId, string agentId, long offerId, CancellationToken cancellationToken) =>
        database.WriteAsync(tenantId, (connection, transaction) =>
        {
            var now = time.GetUtcNow();
            if (ReadOpenOffer(connection, transaction, tenantId, agentId, offerId, now) is not { } offer)
            {
                var closed = ClosedOfferOutcome(connection, transaction, tenantId, agentId, offerId, now);

                // Unlike a repeated accept, a decline of an accepted offer is a conflict that names the state Accepted.
                return closed.Status == AgentActionStatus.AlreadyDone
                    ? new AgentActionOutcome(AgentActionStatus.Conflict, "Accepted")
                    : closed;
            }

            OfferTransitions.Decline(connection, transaction, tenantId, offerId, offer.EmailId, agentId, now);
            transaction.Commit();
            return new AgentActionOutcome(AgentActionStatus.Done, Event: EventTypes.OfferDeclined);
        });

    public Task<AgentActionOutcome> CompleteAsync(
        long tenantId, string agentId, long emailId, string? workCode, string? notes,
        CancellationToken cancellationToken) =>
        database.WriteAsync(tenantId, (connection, transaction) =>
        {
            var state = ReadEmailState(connection, transaction, tenantId, agentId, emailId);
            switch (state)
            {
                case null:
                    return new AgentActionOutcome(AgentActionStatus.NotFound);
                case nameof(RoutedEmailState.Completed) or nameof(RoutedEmailState.Wrap):
                    return new AgentActionOutcome(AgentActionStatus.AlreadyDone);
                case not nameof(RoutedEmailState.Active):
                    return new AgentActionOutcome(AgentActionStatus.Conflict, state);
            }

            var code = string.IsNullOrEmpty(workCode) ? null : workCode;
            var rules = ReadCompletionRules(connection, transaction, tenantId, agentId, emailId);
            if (!rules.Admits(code))
            {
                return new AgentActionOutcome(
                    AgentActionStatus.InvalidWorkCode, AllowedWorkCodes: rules.AllowedCodes);
            }

            var now = time.GetUtcNow();
            string completedEvent;
            if (rules.WrapSeconds > 0)
            {
                using var wrap = connection.Command(
                    """
                    UPDATE routed_emails SET state = 'Wrap', wrap_ends_at = @ends, work_code = @code, notes = @notes
                    WHERE id = @email
                    """, transaction);
                wrap.With("@ends", now.AddSeconds(rules.WrapSeconds).ToStored()).With("@code", code)
                    .With("@notes", notes).With("@email", emailId).ExecuteNonQuery();
                SqlCommands.AppendEvent(connection, transaction, tenantId, now, EventTypes.WrapStarted, emailId,
                    agentId, detail: code);
                completedEvent = EventTypes.WrapStarted;
            }
            else
            {
                using var store = connection.Command(
                    "UPDATE routed_emails SET work_code = @code, notes = @notes WHERE id = @email", transaction);
                store.With("@code", code).With("@notes", notes).With("@email", emailId).ExecuteNonQuery();
                EmailTransitions.Complete(connection, transaction, tenantId, emailId, agentId, now);
                completedEvent = EventTypes.Completed;
            }

            transaction.Commit();
            return new AgentActionOutcome(AgentActionStatus.Done, Event: completedEvent);
        });

    public Task<AgentActionOutcome> EndWrapAsync(
        long tenantId, string agentId, long emailId, CancellationToken cancellationToken) =>
        database.WriteAsync(tenantId, (connection, transaction) =>
        {
            var state = ReadEmailState(connection, transaction, tenantId, agentId, emailId);
            switch (state)
            {
                case null:
                    return new AgentActionOutcome(AgentActionStatus.NotFound);
                case nameof(RoutedEmailState.Completed):
                    return new AgentActionOutcome(AgentActionStatus.AlreadyDone);
                case not nameof(RoutedEmailState.Wrap):
                    return new AgentActionOutcome(AgentActionStatus.Conflict, state);
            }

            EmailTransitions.Complete(connection, transaction, tenantId, emailId, agentId, time.GetUtcNow());
            transaction.Commit();
            return new AgentActionOutcome(AgentActionStatus.Done, Event: EventTypes.Completed);
        });

    /// <summary>
    /// Reads a Pending offer of this agent whose deadline has not passed, or returns null for any other offer.
    /// </summary>
    private static PendingOffer? ReadOpenOffer(
        DbConnection connection, DbTransaction transaction, long tenantId, string agentId, long offerId,
        DateTimeOffset now)
    {
        using var read = connection.Command(
            """
            SELECT email_id FROM offers
            WHERE id = @offer AND tenant_id = @tenant AND agent_id = @agent AND state = 'Pending'
              AND expires_at > @now
            """, transaction);
        read.With("@offer", offerId).With("@tenant", tenantId).With("@agent", agentId).With("@now", now.ToStored());
        return read.ExecuteScalar() is long emailId ? new PendingOffer(emailId) : null;
    }

    /// <summary>
    /// Describes an offer that <see cref="ReadOpenOffer"/> did not return. An offer that is still Pending past its
    /// deadline expires here, even if the expiry service has not run yet, and the outcome names the state Expired.
    /// </summary>
    private static AgentActionOutcome ClosedOfferOutcome(
        DbConnection connection, DbTransaction transaction, long tenantId, string agentId, long offerId,
        DateTimeOffset now)
    {
        using var read = connection.Command(
            "SELECT state FROM offers WHERE id = @offer AND tenant_id = @tenant AND agent_id = @agent", transaction);
        var state = read.With("@offer", offerId).With("@tenant", tenantId).With("@agent", agentId)
            .ExecuteScalar() as string;
        switch (state)
        {
            case null:
                return new AgentActionOutcome(AgentActionStatus.NotFound);
            case "Pending":
                OfferTransitions.Expire(connection, transaction, tenantId, offerId, now);
                transaction.Commit();
                return new AgentActionOutcome(AgentActionStatus.Conflict, "Expired", EventTypes.OfferExpired);
            case "Accepted":
                return new AgentActionOutcome(AgentActionStatus.AlreadyDone);
            default:
                return new AgentActionOutcome(AgentActionStatus.Conflict, state);
        }
    }

    private static string? ReadEmailState(
        DbConnection connection, DbTransaction transaction, long tenantId, string agentId, long emailId)
    {
        using var read = connection.Command(
            "SELECT state FROM routed_emails WHERE id = @email AND tenant_id = @tenant AND agent_id = @agent",
            transaction);
        return read.With("@email", emailId).With("@tenant", tenantId).With("@agent", agentId)
            .ExecuteScalar() as string;
    }

    /// <summary>Reads the wrap time and work code rules that apply when this agent completes this email.</summary>
    private static CompletionRules ReadCompletionRules(
        DbConnection connection, DbTransaction transaction, long tenantId, string agentId, long emailId)
    {
        using var read = connection.Command(
            """
            SELECT COALESCE(a.wrap_seconds, q.wrap_seconds), q.work_code_groups, q.work_code_required
            FROM routed_emails e
            JOIN skill_queues q ON q.tenant_id = e.tenant_id AND q.name = e.skill_queue
            JOIN agents a ON a.tenant_id = e.tenant_id AND a.agent_id = @agent
            WHERE e.id = @email
            """, transaction);
        read.With("@agent", agentId).With("@email", emailId);
        int wrapSeconds;
        List<string> groups;
        bool required;
        using (var reader = read.ExecuteReader())
        {
            reader.Read();
            wrapSeconds = reader.ReadInt32(0);
            groups = SqlCommands.FromJson<List<string>>(reader.GetString(1));
            required = reader.GetBoolean(2);
        }

        var codes = SqlWorkCodes.ReadCodes(connection, transaction, tenantId, groups);
        return new CompletionRules(wrapSeconds, required, groups.Count > 0, codes);
    }

    private sealed record PendingOffer(long EmailId);

    /// <summary>What completing an email needs: its wrap time and the work codes it accepts.</summary>
    private sealed record CompletionRules(
        int WrapSeconds, bool WorkCodeRequired, bool HasGroups, IReadOnlyList<string> AllowedCodes)
    {
        public bool Admits(string? code) => code is null
            ? !WorkCodeRequired
            : !HasGroups || AllowedCodes.Contains(code, StringComparer.Ordinal);
    }
}

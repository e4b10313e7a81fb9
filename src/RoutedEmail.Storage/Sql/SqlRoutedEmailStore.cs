using System.Data.Common;
using RoutedEmail.Core.Emails;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>Integrator look-ups and cancels in SQLite.</summary>
internal sealed class SqlRoutedEmailStore(SqlDatabase database, TimeProvider time) : IRoutedEmailStore
{
    public Task<RoutedEmailDetails?> FindByEntityIdAsync(
        long tenantId, string entityId, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        return Task.FromResult(FindNewest(connection, null, tenantId, entityId));
    }

    public Task<CancelOutcome> CancelAsync(
        long tenantId, string entityId, CancellationToken cancellationToken, string? supervisor = null)
    {
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId);
        var email = FindNewest(connection, transaction, tenantId, entityId);
        switch (email?.State)
        {
            case null:
                return Task.FromResult(new CancelOutcome(CancelStatus.NotFound, null, null));
            case RoutedEmailState.Canceled:
                return Task.FromResult(new CancelOutcome(CancelStatus.AlreadyCanceled, email, null));
            case RoutedEmailState.Completed:
                return Task.FromResult(new CancelOutcome(CancelStatus.AlreadyCompleted, email, null));
        }

        var now = time.GetUtcNow();
        using var offers = connection.Command(
            """
            UPDATE offers SET state = 'Withdrawn', closed_at = @now
            WHERE email_id = @email AND state = 'Pending'
            RETURNING id
            """, transaction);
        if (offers.With("@now", now.ToStored()).With("@email", email.EmailId).ExecuteScalar() is long offerId)
        {
            SqlCommands.AppendEvent(connection, transaction, tenantId, now, EventTypes.OfferWithdrawn,
                email.EmailId, email.AgentId, offerId);
        }

        using var cancel = connection.Command(
            "UPDATE routed_emails SET state = 'Canceled', closed_at = @now WHERE id = @email", transaction);
        cancel.With("@now", now.ToStored()).With("@email", email.EmailId).ExecuteNonQuery();
        SqlCommands.AppendEvent(connection, transaction, tenantId, now, EventTypes.Canceled, email.EmailId,
            email.AgentId);

        var released = email.State == RoutedEmailState.Queued ? null : email.AgentId;
        if (released is not null)
        {
            SqlCommands.MarkCapacityFreed(connection, transaction, tenantId, released, now);
        }

        SqlCommands.AppendSupervisorAction(
            connection, transaction, tenantId, now, "Cancel", supervisor, email.EmailId, released);

        var canceled = FindNewest(connection, transaction, tenantId, entityId);
        transaction.Commit();
        return Task.FromResult(new CancelOutcome(CancelStatus.Canceled, canceled, released));
    }

    private static RoutedEmailDetails? FindNewest(
        DbConnection connection, DbTransaction? transaction, long tenantId, string entityId)
    {
        using var command = connection.Command(
            $"""
            SELECT {EmailReader.Columns} FROM routed_emails e
            WHERE e.tenant_id = @tenant AND e.entity_id = @entity ORDER BY e.id DESC LIMIT 1
            """, transaction);
        command.With("@tenant", tenantId).With("@entity", entityId);
        RoutedEmailDetails? email;
        using (var reader = command.ExecuteReader())
        {
            email = reader.Read() ? EmailReader.Read(reader).Email : null;
        }

        return email is null ? null : EmailReader.WithHistory(connection, transaction, email);
    }
}

using System.Data.Common;
using RoutedEmail.Core.Emails;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>Retention settings and expiry, with the same SQL on SQLite and PostgreSQL.</summary>
internal sealed partial class SqlRetentionStore(SqlDatabase database, TimeProvider timeProvider) : IRetentionStore
{
    private const string OpenStates = "('Queued', 'Offered', 'Active', 'Wrap')";

    public Task<RetentionSettings?> GetSettingsAsync(long tenantId, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var read = connection.Command(
            """
            SELECT email_retention_days, event_retention_days, delivery_record_retention_days
            FROM tenants WHERE id = @tenant
            """, null);
        read.With("@tenant", tenantId);
        using var reader = read.ExecuteReader();
        RetentionSettings? settings = reader.Read()
            ? new RetentionSettings(reader.ReadInt32(0), reader.ReadInt32(1), reader.ReadInt32(2))
            : null;
        return Task.FromResult(settings);
    }

    public Task SaveSettingsAsync(long tenantId, RetentionSettings settings, CancellationToken cancellationToken) =>
        SaveSettingsAsync(tenantId, settings, null, cancellationToken);

    public Task SaveSettingsAsync(
        long tenantId, RetentionSettings settings, string? actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId: null);
        using var write = connection.Command(
            """
            UPDATE tenants SET email_retention_days = @emails, event_retention_days = @events,
                               delivery_record_retention_days = @records
            WHERE id = @tenant
            """, transaction);
        write.With("@emails", settings.EmailRetentionDays).With("@events", settings.EventRetentionDays)
            .With("@records", settings.DeliveryRecordRetentionDays).With("@tenant", tenantId).ExecuteNonQuery();
        if (actor is not null)
        {
            SqlAdminEvents.Append(connection, transaction, tenantId, timeProvider.GetUtcNow(),
                EventTypes.ResourceChanged,
                SqlAdminEvents.Retention, SqlAdminEvents.ReadTenantName(connection, transaction, tenantId), actor);
        }

        transaction.Commit();
        return Task.CompletedTask;
    }

    public async Task<ExpiryResult> ExpireAsync(
        long tenantId, DateTimeOffset now, int batchSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var settings = await GetSettingsAsync(tenantId, cancellationToken);
        if (settings is null)
        {
            return new ExpiryResult(null, 0, 0, 0, 0);
        }

        var eventHorizon = now - TimeSpan.FromDays(settings.EventRetentionDays);
        var totalsUntil = await StoreReportTotalsAsync(tenantId, eventHorizon, cancellationToken);
        var events = totalsUntil is { } until ? DeleteEvents(tenantId, until, batchSize, cancellationToken) : 0;
        var (emails, offers) = DeleteClosedEmails(
            tenantId, now - TimeSpan.FromDays(settings.EmailRetentionDays), batchSize, cancellationToken);
        var records = DeleteDeliveryRecords(
            tenantId, now - TimeSpan.FromDays(settings.DeliveryRecordRetentionDays), batchSize, cancellationToken);
        return new ExpiryResult(totalsUntil, events, emails, offers, records);
    }

    /// <summary>
    /// Deletes the tenant's events before <paramref name="horizon"/>, which the report totals cover, except the
    /// events of open emails, of emails with an event from the horizon on (the reports replay them whole), and
    /// each agent's last status change before the horizon (the reports start the agent's status time from it).
    /// </summary>
    private int DeleteEvents(long tenantId, DateTimeOffset horizon, int batchSize, CancellationToken cancellationToken)
    {
        // NOTE: each batch scans the kept events before the horizon again, through events_by_tenant_time. Its cost
        // on a tenant with millions of events was not measured.
        var sql =
            $"""
            DELETE FROM events WHERE id IN (
                SELECT e.id FROM events e
                WHERE e.tenant_id = @tenant AND e.at < @horizon
                  AND (e.email_id IS NULL OR (
                      NOT EXISTS (SELECT 1 FROM events x WHERE x.email_id = e.email_id AND x.at >= @horizon)
                      AND NOT EXISTS (
                          SELECT 1 FROM routed_emails r WHERE r.id = e.email_id AND r.state IN {OpenStates})))
                  AND NOT (e.type = @status AND e.at >= COALESCE(
                      (SELECT MAX(p.at) FROM events p
                       WHERE p.tenant_id = e.tenant_id AND p.type = @status AND p.agent_id = e.agent_id
                         AND p.at < @horizon), 0))
                ORDER BY e.id
                LIMIT @batch)
            """;
        return RunBatches(tenantId, batchSize, (connection, transaction) =>
        {
            using var delete = connection.Command(sql, transaction);
            return delete.With("@tenant", tenantId).With("@horizon", horizon.ToStored())
                .With("@status", EventTypes.AgentStatusChanged).With("@batch", batchSize)
                .ExecuteNonQuery();
        }, cancellationToken);
    }

    /// <summary>
    /// Deletes closed emails that closed before <paramref name="closedBefore"/>, with their offers. Their events stay
    /// until the event retention ends them, so each event first gets the email's queue, which the reports would
    /// otherwise read from the email.
    /// </summary>
    private (int Emails, int Offers) DeleteClosedEmails(
        long tenantId, DateTimeOffset closedBefore, int batchSize, CancellationToken cancellationToken)
    {
        const string Batch =
            """
            SELECT id FROM routed_emails
            WHERE tenant_id = @tenant AND state IN ('Completed', 'Canceled') AND closed_at < @before
            ORDER BY id LIMIT @batch
            """;
        var offers = 0;
        var emails = RunBatches(tenantId, batchSize, (connection, transaction) =>
        {
            int Run(string sql)
            {
                using var command = connection.Command(sql, transaction);
                return command.With("@tenant", tenantId).With("@before", closedBefore.ToStored())
                    .With("@batch", batchSize).ExecuteNonQuery();
            }

            Run($"""
                UPDATE events SET queue = (SELECT r.skill_queue FROM routed_emails r WHERE r.id = events.email_id)
                WHERE email_id IN ({Batch}) AND queue IS NULL
                """);
            offers += Run($"DELETE FROM offers WHERE email_id IN ({Batch})");
            return Run($"DELETE FROM routed_emails WHERE id IN ({Batch})");
        }, cancellationToken);
        return (emails, offers);
    }

    /// <summary>
    /// Deletes the tenant's webhook delivery records created before <paramref name="createdBefore"/> that are
    /// Delivered or DeadLetter. Pending records stay, because their delivery is still owed.
    /// </summary>
    private int DeleteDeliveryRecords(
        long tenantId, DateTimeOffset createdBefore, int batchSize, CancellationToken cancellationToken) =>
        RunBatches(tenantId, batchSize, (connection, transaction) =>
        {
            using var command = connection.Command(
                """
                DELETE FROM webhook_deliveries WHERE id IN (
                    SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                    WHERE w.tenant_id = @tenant AND d.state <> 'Pending' AND d.created_at < @before
                    ORDER BY d.id LIMIT @batch)
                """, transaction);
            return command.With("@tenant", tenantId).With("@before", createdBefore.ToStored())
                .With("@batch", batchSize).ExecuteNonQuery();
        }, cancellationToken);

    /// <summary>
    /// Runs a delete in write transactions of the tenant, one batch each, until a batch deletes fewer than
    /// <paramref name="batchSize"/> rows. Returns the rows deleted.
    /// </summary>
    private int RunBatches(
        long tenantId, int batchSize, Func<DbConnection, DbTransaction, int> deleteBatch,
        CancellationToken cancellationToken)
    {
        var deleted = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var connection = database.Open();
            using var transaction = database.BeginWrite(connection, tenantId);
            var count = deleteBatch(connection, transaction);
            transaction.Commit();
            deleted += count;
            if (count < batchSize)
            {
                return deleted;
            }
        }
    }
}

using RoutedEmail.Core.Reports;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>Reads the event log for the interval reports, with the same SQL on SQLite and PostgreSQL.</summary>
internal sealed partial class SqlIntervalReportStore(SqlDatabase database) : IIntervalReportStore
{
    // The subquery finds the emails with an event in the range through events_by_tenant_time, and each of those
    // emails' events are read through events_by_email. CROSS JOIN makes SQLite loop over the emails first, and the
    // unary + keeps it from reading the events by tenant and time instead, which would scan the tenant's whole
    // history before the range end. Events logged before the queue column existed take the email's current queue.
    // Expiry fills in the queue of such events before it deletes their email, so the LEFT JOIN keeps the events of
    // deleted emails with their queue.
    internal const string EmailEventsQuery =
        """
        SELECT e.email_id, e.at, e.type, e.agent_id, COALESCE(e.queue, r.skill_queue, ''), e.detail
        FROM (
            SELECT DISTINCT s.email_id FROM events s
            WHERE s.tenant_id = @tenant AND s.at >= @from AND s.at < @to AND s.email_id IS NOT NULL) m
        CROSS JOIN events e
        LEFT JOIN routed_emails r ON r.id = e.email_id
        WHERE e.email_id = m.email_id AND +e.tenant_id = @tenant AND +e.at < @to
        ORDER BY e.email_id, e.id
        """;

    public Task<IReadOnlyList<EmailEvent>> ReadEmailEventsAsync(
        long tenantId, DateTimeOffset rangeStart, DateTimeOffset rangeEnd, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var read = connection.Command(EmailEventsQuery, null);
        read.With("@tenant", tenantId).With("@from", rangeStart.ToStored()).With("@to", rangeEnd.ToStored());
        using var reader = read.ExecuteReader();
        var events = new List<EmailEvent>();
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            events.Add(new EmailEvent(
                reader.ReadInt64(0), SqlCommands.ToTime(reader.ReadInt64(1)), reader.GetString(2),
                reader.GetNullableString(3), reader.GetString(4), reader.GetNullableString(5)));
        }

        return Task.FromResult<IReadOnlyList<EmailEvent>>(events);
    }

    public Task<IReadOnlyDictionary<string, TimeSpan>> ReadServiceLevelThresholdsAsync(
        long tenantId, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var read = connection.Command(
            "SELECT name, service_level_seconds FROM skill_queues WHERE tenant_id = @tenant", null);
        read.With("@tenant", tenantId);
        using var reader = read.ExecuteReader();
        var thresholds = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        while (reader.Read())
        {
            thresholds[reader.GetString(0)] = TimeSpan.FromSeconds(reader.ReadInt64(1));
        }

        return Task.FromResult<IReadOnlyDictionary<string, TimeSpan>>(thresholds);
    }
}

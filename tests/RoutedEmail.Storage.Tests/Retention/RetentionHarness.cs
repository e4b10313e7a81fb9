using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Core.Emails;
using RoutedEmail.Storage.Abstractions;
using RoutedEmail.Storage.Sql;

namespace RoutedEmail.Storage.Tests.Retention;

/// <summary>
/// One tenant in a migrated SQLite or PostgreSQL database, with helpers that write emails, events and agents as
/// raw rows at chosen times, so a test can build any history. The SQL is the same on both databases.
/// </summary>
internal sealed class RetentionHarness(SqlDatabase database, long tenantId, FakeTimeProvider time)
{
    public SqlDatabase Database { get; } = database;

    public long TenantId { get; } = tenantId;

    public FakeTimeProvider Time { get; } = time;

    public SqlRetentionStore Retention { get; } = new(database, time);

    public IntervalReportReader Reports { get; } =
        new(new SqlIntervalReportStore(database), new SqlAwayReasonStore(database, time));

    public void PutQueue(string name, int serviceLevelSeconds) => Execute(
        """
        INSERT INTO skill_queues (tenant_id, name, offer_timeout_seconds, wrap_seconds, service_level_seconds,
                                  work_code_groups, work_code_required)
        VALUES (@tenant, @name, 60, 0, @level, '[]', FALSE)
        """, ("@tenant", TenantId), ("@name", name), ("@level", serviceLevelSeconds));

    public void PutAgent(string agentId) => Execute(
        """
        INSERT INTO agents (tenant_id, agent_id, display_name, password_hash, max_concurrent_emails, status,
                            status_since, idle_since)
        VALUES (@tenant, @agent, @agent, 'hash', 1, 'Offline', 0, 0)
        """, ("@tenant", TenantId), ("@agent", agentId));

    /// <summary>Inserts an email row and returns its id; a closed one needs <paramref name="closedAt"/>.</summary>
    public long AddEmail(
        string entityId, string queue, RoutedEmailState state, DateTimeOffset receivedAt,
        DateTimeOffset? closedAt = null, string? agentId = null) => QueryLong(
        """
        INSERT INTO routed_emails (tenant_id, entity_id, owner_id, skill_queue, priority, state, agent_id,
                                   from_address, to_address, subject, attributes, screen_pop_url, received_at,
                                   enqueued_at, closed_at, notes)
        VALUES (@tenant, @entity, 'owner-1', @queue, 0, @state, @agent, 'customer@example.com',
                'support@example.com', 'My order', '[{"key":"CustomerName","value":"Ann Lee"}]',
                'https://crm.example.com/case?name=Ann', @received, @received, @closed, 'Called Ann back')
        RETURNING id
        """, ("@tenant", TenantId), ("@entity", entityId), ("@queue", queue), ("@state", state.ToString()),
        ("@agent", agentId), ("@received", receivedAt.ToUnixTimeMilliseconds()),
        ("@closed", closedAt?.ToUnixTimeMilliseconds()));

    /// <summary>Appends an event row; <paramref name="queue"/> null stands for an event logged before queues were.</summary>
    public void AddEvent(
        DateTimeOffset at, string type, long? emailId = null, string? agentId = null, string? detail = null,
        string? queue = null) => Execute(
        """
        INSERT INTO events (tenant_id, at, type, email_id, agent_id, detail, queue)
        VALUES (@tenant, @at, @type, @email, @agent, @detail, @queue)
        """, ("@tenant", TenantId), ("@at", at.ToUnixTimeMilliseconds()), ("@type", type), ("@email", emailId),
        ("@agent", agentId), ("@detail", detail), ("@queue", queue));

    public void SetRetention(int emailDays, int eventDays) =>
        Retention.SaveSettingsAsync(TenantId, new RetentionSettings(emailDays, eventDays, 30), CancellationToken.None)
            .GetAwaiter().GetResult();

    public Task<ExpiryResult> ExpireAsync(int batchSize = 7) =>
        Retention.ExpireAsync(TenantId, Time.GetUtcNow(), batchSize, CancellationToken.None);

    public long Count(string table, string condition = "1 = 1") =>
        QueryLong($"SELECT COUNT(*) FROM {table} WHERE {condition}");

    public long QueryLong(string sql, params (string Name, object? Value)[] parameters) =>
        Convert.ToInt64(QueryScalar(sql, parameters), CultureInfo.InvariantCulture);

    public object? QueryScalar(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = Database.Open();
        using var command = connection.Command(sql, null);
        foreach (var (name, value) in parameters)
        {
            command.With(name, value);
        }

        var result = command.ExecuteScalar();
        return result is DBNull ? null : result;
    }

    public void Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = Database.Open();
        using var command = connection.Command(sql, null);
        foreach (var (name, value) in parameters)
        {
            command.With(name, value);
        }

        command.ExecuteNonQuery();
    }
}

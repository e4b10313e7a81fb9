using System.Data.Common;
using System.Globalization;

namespace RoutedEmail.Server.Tests.Crash;

/// <summary>The rule violations an audit found, one list per rule, and the number of rows it read.</summary>
internal sealed class AuditFindings
{
    /// <summary>Acknowledged entity ids with no routed email.</summary>
    public List<string> Lost { get; } = [];

    /// <summary>Entity ids with more than one routed email.</summary>
    public List<string> Duplicated { get; } = [];

    /// <summary>Routed emails whose entity id the load never sent.</summary>
    public List<string> Unknown { get; } = [];

    /// <summary>Emails whose offers overlapped in time, so two agents held them at once.</summary>
    public List<string> OverlappingOffers { get; } = [];

    /// <summary>Agents holding more open emails than their maximum, now or at some event.</summary>
    public List<string> OverMaximum { get; } = [];

    /// <summary>Emails whose state, agent, close time or pending offers do not fit together.</summary>
    public List<string> InvalidStates { get; } = [];

    /// <summary>Emails whose events are not a path of the lifecycle, or do not end in the stored state.</summary>
    public List<string> InvalidEvents { get; } = [];

    /// <summary>Agent actions that returned success but whose result the database does not show.</summary>
    public List<string> LostActions { get; } = [];

    /// <summary>The number of routed emails, offers and email events read.</summary>
    public (int Emails, int Offers, int Events) Counts { get; set; }
}

/// <summary>
/// Checks the routing invariants of one tenant by reading the database directly and read-only, after the server was
/// killed for the last time. Every acknowledged entity id must be stored once, and the offers of one email must never
/// overlap. No agent may be over its maximum, and every email must be in a consistent state, with events that form a
/// lifecycle path ending in that state. Replaying the events also checks the maxima and the one-agent rule at every
/// past step. Every agent action that returned success must show in its offer or email.
/// </summary>
/// <remarks>The queries are plain SQL that SQLite and PostgreSQL both run.</remarks>
internal static class CrashAudit
{
    private static readonly HashSet<string> OpenStates = ["Offered", "Active", "Wrap"];

    /// <summary>Reads the tenant's emails, offers, events and agents and checks them.</summary>
    /// <param name="connection">An open read-only connection to the server's database.</param>
    /// <param name="companyCode">The tenant's company code.</param>
    /// <param name="sent">Every entity id the load sent.</param>
    /// <param name="acknowledged">The entity ids of batches acknowledged with 200 SUCCESS.</param>
    /// <param name="actions">The agent actions that returned success.</param>
    public static async Task<AuditFindings> RunAsync(
        DbConnection connection, string companyCode, IReadOnlySet<string> sent, IReadOnlySet<string> acknowledged,
        IReadOnlyCollection<AcknowledgedAction> actions)
    {
        var findings = new AuditFindings();
        var tenantId = Convert.ToInt64(
            await ScalarAsync(connection, "SELECT id FROM tenants WHERE company_code = @p", companyCode),
            CultureInfo.InvariantCulture);
        var emails = await ReadAsync(connection, tenantId,
            "SELECT id, entity_id, state, agent_id, closed_at, work_code FROM routed_emails WHERE tenant_id = @p",
            row => new EmailRow(row.GetInt64(0), row.GetString(1), row.GetString(2), NullableString(row, 3),
                row.IsDBNull(4) ? null : row.GetInt64(4), NullableString(row, 5)));
        var offers = await ReadAsync(connection, tenantId,
            "SELECT id, email_id, agent_id, state, created_at, closed_at FROM offers WHERE tenant_id = @p",
            row => new OfferRow(row.GetInt64(0), row.GetInt64(1), row.GetString(2), row.GetString(3),
                row.GetInt64(4), row.IsDBNull(5) ? long.MaxValue : row.GetInt64(5)));
        var events = await ReadAsync(connection, tenantId,
            "SELECT id, type, email_id, agent_id FROM events WHERE tenant_id = @p AND email_id IS NOT NULL " +
            "ORDER BY id",
            row => new EventRow(row.GetInt64(0), row.GetString(1), row.GetInt64(2), NullableString(row, 3)));
        var maxima = (await ReadAsync(connection, tenantId,
                "SELECT agent_id, max_concurrent_emails FROM agents WHERE tenant_id = @p",
                row => (AgentId: row.GetString(0), Max: row.GetInt32(1))))
            .ToDictionary(agent => agent.AgentId, agent => agent.Max, StringComparer.Ordinal);
        findings.Counts = (emails.Count, offers.Count, events.Count);

        CheckEntityIds(findings, emails, sent, acknowledged);
        CheckOffers(findings, offers);
        CheckStates(findings, emails, offers, maxima);
        EventReplay.Check(findings, emails, events, maxima);
        ActionAudit.Check(findings, emails, offers, actions);
        return findings;
    }

    private static void CheckEntityIds(
        AuditFindings findings, List<EmailRow> emails, IReadOnlySet<string> sent, IReadOnlySet<string> acknowledged)
    {
        var counts = emails.GroupBy(email => email.EntityId, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.Count(), StringComparer.Ordinal);
        findings.Lost.AddRange(acknowledged.Where(entityId => !counts.ContainsKey(entityId)).Order());
        findings.Duplicated.AddRange(counts.Where(entry => entry.Value > 1)
            .Select(entry => $"{entry.Key} ({entry.Value} emails)").Order());
        findings.Unknown.AddRange(counts.Keys.Where(entityId => !sent.Contains(entityId)).Order());
    }

    // Two offers of one email overlap when each was created before the other closed; an open offer never closes.
    private static void CheckOffers(AuditFindings findings, List<OfferRow> offers)
    {
        foreach (var group in offers.GroupBy(offer => offer.EmailId))
        {
            var ordered = group.OrderBy(offer => offer.CreatedAt).ThenBy(offer => offer.Id).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                var (earlier, later) = (ordered[i - 1], ordered[i]);
                if (later.CreatedAt < earlier.ClosedAt)
                {
                    findings.OverlappingOffers.Add(
                        $"email {group.Key}: offer {earlier.Id} to {earlier.AgentId} ({earlier.State}) and offer " +
                        $"{later.Id} to {later.AgentId} ({later.State})");
                }
            }
        }
    }

    private static void CheckStates(
        AuditFindings findings, List<EmailRow> emails, List<OfferRow> offers, Dictionary<string, int> maxima)
    {
        var pending = offers.Where(offer => offer.State == "Pending").ToLookup(offer => offer.EmailId);
        foreach (var email in emails)
        {
            var problem = FindStateProblem(email, [.. pending[email.Id]]);
            if (problem is not null)
            {
                findings.InvalidStates.Add($"email {email.Id} ({email.EntityId}, {email.State}): {problem}");
            }
        }

        var openByAgent = emails.Where(email => OpenStates.Contains(email.State) && email.AgentId is not null)
            .GroupBy(email => email.AgentId!, StringComparer.Ordinal);
        foreach (var agent in openByAgent)
        {
            var max = maxima.GetValueOrDefault(agent.Key);
            if (agent.Count() > max)
            {
                findings.OverMaximum.Add($"{agent.Key} holds {agent.Count()} open emails now; its maximum is {max}");
            }
        }
    }

    private static string? FindStateProblem(EmailRow email, OfferRow[] pending)
    {
        var open = email.ClosedAt is null;
        return email.State switch
        {
            "Queued" when email.AgentId is not null => $"Queued but assigned to {email.AgentId}",
            "Queued" or "Active" or "Wrap" when pending.Length > 0 => $"{pending.Length} pending offers",
            "Offered" when pending.Length != 1 => $"{pending.Length} pending offers instead of 1",
            "Offered" when pending[0].AgentId != email.AgentId =>
                $"assigned to {email.AgentId} but its pending offer is to {pending[0].AgentId}",
            "Offered" or "Active" or "Wrap" when email.AgentId is null => "open with no agent",
            "Queued" or "Offered" or "Active" or "Wrap" when !open => "open but has a close time",
            "Completed" or "Canceled" when open => "closed but has no close time",
            "Completed" or "Canceled" when pending.Length > 0 => "closed with a pending offer",
            "Queued" or "Offered" or "Active" or "Wrap" or "Completed" or "Canceled" => null,
            _ => "not a state of the lifecycle",
        };
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, string sql, object value)
    {
        await using var command = CreateCommand(connection, sql, value);
        return await command.ExecuteScalarAsync()
            ?? throw new InvalidOperationException($"The audit query returned no row: {sql} with {value}.");
    }

    private static async Task<List<T>> ReadAsync<T>(
        DbConnection connection, long tenantId, string sql, Func<DbDataReader, T> map)
    {
        await using var command = CreateCommand(connection, sql, tenantId);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    private static DbCommand CreateCommand(DbConnection connection, string sql, object value)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@p";
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return command;
    }

    private static string? NullableString(DbDataReader row, int ordinal) =>
        row.IsDBNull(ordinal) ? null : row.GetString(ordinal);
}

/// <summary>A row of <c>routed_emails</c> as the audit reads it.</summary>
internal sealed record EmailRow(
    long Id, string EntityId, string State, string? AgentId, long? ClosedAt, string? WorkCode = null);

/// <summary>A row of <c>offers</c>; <see cref="ClosedAt"/> is <see cref="long.MaxValue"/> while it is open.</summary>
internal sealed record OfferRow(long Id, long EmailId, string AgentId, string State, long CreatedAt, long ClosedAt);

/// <summary>A row of <c>events</c> that names an email.</summary>
internal sealed record EventRow(long Id, string Type, long EmailId, string? AgentId);

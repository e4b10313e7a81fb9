using System.Data.Common;
using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Tenants;

namespace RoutedEmail.Storage.Sql;

/// <summary>
/// The figures of <c>GET /api/v1/tenants/{company}/{environment}/stats</c>: open emails per skill queue and state,
/// and agents per status.
/// </summary>
/// <remarks>
/// Each email count reads a partial index that lists only open emails (<c>routed_emails_waiting</c> for Queued,
/// <c>routed_emails_held</c> for Offered, Active and Wrap), so completed and canceled emails cost nothing. The cost
/// grows with the tenant's open emails, its queues and its agents.
/// </remarks>
internal static class SqlTenantStats
{
    /// <summary>Counts the tenant's Queued emails per skill queue.</summary>
    internal const string WaitingQuery =
        """
        SELECT skill_queue, COUNT(*) FROM routed_emails
        WHERE tenant_id = @tenant AND state = 'Queued'
        GROUP BY skill_queue
        """;

    /// <summary>Counts the tenant's Offered, Active and Wrap emails per skill queue and state.</summary>
    internal const string HeldQuery =
        """
        SELECT skill_queue, state, COUNT(*) FROM routed_emails
        WHERE tenant_id = @tenant AND state IN ('Offered', 'Active', 'Wrap')
        GROUP BY skill_queue, state
        """;

    private const string QueuesQuery =
        "SELECT name, unattended FROM skill_queues WHERE tenant_id = @tenant ORDER BY name";

    private const string AgentsQuery =
        "SELECT status, COUNT(*) FROM agents WHERE tenant_id = @tenant GROUP BY status";

    /// <summary>Reads the figures from one snapshot, so an email that changes state meanwhile counts once.</summary>
    public static TenantStats Read(SqlDatabase database, long tenantId)
    {
        using var connection = database.Open();
        using var transaction = database.BeginRead(connection);
        var waiting = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (queue, count) in ReadCounts(connection, transaction, WaitingQuery, tenantId))
        {
            waiting[queue] = count;
        }

        var held = new Dictionary<(string Queue, string State), int>();
        using (var command = connection.Command(HeldQuery, transaction).With("@tenant", tenantId))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                held[(reader.GetString(0), reader.GetString(1))] = reader.ReadInt32(2);
            }
        }

        var queues = new List<QueueStats>();
        using (var command = connection.Command(QueuesQuery, transaction).With("@tenant", tenantId))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var name = reader.GetString(0);
                queues.Add(new QueueStats(
                    name, waiting.GetValueOrDefault(name), held.GetValueOrDefault((name, "Offered")),
                    held.GetValueOrDefault((name, "Active")), held.GetValueOrDefault((name, "Wrap")),
                    reader.GetBoolean(1)));
            }
        }

        var agents = Enum.GetNames<AgentStatus>().ToDictionary(name => name, _ => 0, StringComparer.Ordinal);
        foreach (var (status, count) in ReadCounts(connection, transaction, AgentsQuery, tenantId))
        {
            agents[status] = count;
        }

        transaction.Commit();
        return new TenantStats(queues, agents);
    }

    private static List<(string Key, int Count)> ReadCounts(
        DbConnection connection, DbTransaction transaction, string sql, long tenantId)
    {
        using var command = connection.Command(sql, transaction).With("@tenant", tenantId);
        using var reader = command.ExecuteReader();
        var counts = new List<(string, int)>();
        while (reader.Read())
        {
            counts.Add((reader.GetString(0), reader.ReadInt32(1)));
        }

        return counts;
    }
}

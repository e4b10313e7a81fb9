using System.Data.Common;
using System.Globalization;
using RoutedEmail.Core.Routing;
using RoutedEmail.Storage.Sql;

namespace RoutedEmail.Storage.Tests;

/// <summary>
/// Random changes to a tenant's agents, skills and held emails, made in SQL by hand, by offers counted in a copy of
/// the routable agents, and by steps that roll back. After each change the kept copy must equal a copy read in full.
/// The same run works on SQLite and PostgreSQL, and the changes may come from another node's database.
/// </summary>
internal sealed class RoutableAgentCopyRandomChanges(
    SqlDatabase copyNode, SqlDatabase changeNode, long tenantId, IReadOnlyList<long> emailIds, int randomStart)
{
    /// <summary>The agents that the tenant must have, each created with at least one skill.</summary>
    public static readonly string[] AgentIds = ["agent-1", "agent-2", "agent-3", "agent-4", "agent-5", "agent-6"];

    /// <summary>The queues that the tenant must have.</summary>
    public static readonly string[] Queues = ["Sales", "Billing", "Support"];

    private static readonly string[] Statuses = ["Available", "Available", "Away", "Offline"];

    private readonly Random _random = new(randomStart);
    private readonly RoutableAgentCache _copy = new();

    /// <summary>Makes <paramref name="changes"/> random changes and compares the copies after each.</summary>
    public void Run(int changes)
    {
        for (var change = 0; change < changes; change++)
        {
            var description = MakeChange();
            var (keptCopy, fullRead) = ReadBoth();
            Assert.True(keptCopy == fullRead,
                $"after change {change} ({description}) the kept copy was\n{keptCopy}\nand a full read\n{fullRead}");
        }
    }

    private string MakeChange()
    {
        var agent = AgentIds[_random.Next(AgentIds.Length)];
        var queue = Queues[_random.Next(Queues.Length)];
        var email = emailIds[_random.Next(emailIds.Count)];
        var kind = _random.Next(12);
        var value = _random.Next(4);
        var sql = kind switch
        {
            0 => $"UPDATE agents SET status = '{Statuses[value]}' WHERE tenant_id = @tenant AND agent_id = '{agent}'",
            1 => $"UPDATE agents SET max_concurrent_emails = {value + 1} WHERE tenant_id = @tenant AND agent_id = '{agent}'",
            2 => $"UPDATE agents SET other_work_count = {value % 3} WHERE tenant_id = @tenant AND agent_id = '{agent}'",
            3 => "UPDATE agents SET max_concurrent_tasks = " +
                 (value == 0 ? "NULL" : (value + 1).ToString(CultureInfo.InvariantCulture)) +
                 $" WHERE tenant_id = @tenant AND agent_id = '{agent}'",
            4 => $"DELETE FROM agent_skills WHERE tenant_id = @tenant AND agent_id = '{agent}' AND skill_queue = '{queue}'",
            5 => $"DELETE FROM agent_skills WHERE tenant_id = @tenant AND agent_id = '{agent}' AND skill_queue = '{queue}';" +
                 "INSERT INTO agent_skills (tenant_id, agent_id, skill_queue, rank) " +
                 $"VALUES (@tenant, '{agent}', '{queue}', {value + 1})",
            6 => $"UPDATE routed_emails SET state = 'Active', agent_id = '{agent}' WHERE id = {email}",
            7 => $"UPDATE routed_emails SET state = 'Queued', agent_id = NULL WHERE id = {email}",
            8 => $"UPDATE routed_emails SET state = 'Completed' WHERE id = {email}",
            9 => $"UPDATE agents SET idle_since = idle_since + {value + 1} WHERE tenant_id = @tenant AND agent_id = '{agent}'",
            _ => null,
        };
        if (sql is not null)
        {
            Execute(changeNode, sql);
            return sql;
        }

        return kind == 10 ? CountOffer(email, commit: true) : CountOffer(email, commit: false);
    }

    /// <summary>
    /// Offers the email to a routable agent of the kept copy, counts the offer in the copy, and commits, or rolls back
    /// and drops the copy as a failed routing step does.
    /// </summary>
    private string CountOffer(long email, bool commit)
    {
        using var connection = copyNode.Open();
        using var transaction = copyNode.BeginWrite(connection, tenantId);
        var agents = _copy.Refresh(connection, transaction, tenantId);
        if (agents.Agents.Count == 0)
        {
            transaction.Commit();
            return "an offer with no routable agent";
        }

        // A routing step offers only waiting emails.
        var agent = agents.Agents[_random.Next(agents.Agents.Count)].AgentId;
        using (var offer = connection.Command(
                   $"UPDATE routed_emails SET state = 'Offered', agent_id = '{agent}' WHERE id = {email} AND state = 'Queued'",
                   transaction))
        {
            if (offer.ExecuteNonQuery() == 0)
            {
                transaction.Commit();
                return $"no offer: email {email} is not waiting";
            }
        }

        agents.CountOffer(agent);
        if (commit)
        {
            transaction.Commit();
            return $"email {email} offered to {agent}";
        }

        transaction.Rollback();
        _copy.Forget(tenantId);
        return $"email {email} offered to {agent} and rolled back";
    }

    private (string KeptCopy, string FullRead) ReadBoth()
    {
        using var connection = copyNode.Open();
        using var transaction = copyNode.BeginWrite(connection, tenantId);
        var keptCopy = Describe(_copy.Refresh(connection, transaction, tenantId).Agents);
        var fullRead = Describe(new RoutableAgentCache().Refresh(connection, transaction, tenantId).Agents);
        transaction.Commit();
        return (keptCopy, fullRead);
    }

    private static string Describe(IEnumerable<RoutableAgent> agents) => string.Join('\n', agents
        .Where(agent => agent.FreeSlots > 0)
        .OrderBy(agent => agent.AgentId, StringComparer.Ordinal)
        .Select(agent => string.Create(CultureInfo.InvariantCulture,
            $"{agent.AgentId} load {agent.Load} free {agent.FreeSlots} idle {agent.IdleSince.ToUnixTimeMilliseconds()} {DescribeRanks(agent)}")));

    private static string DescribeRanks(RoutableAgent agent) => string.Join(',', agent.Ranks
        .OrderBy(rank => rank.Key, StringComparer.Ordinal)
        .Select(rank => string.Create(CultureInfo.InvariantCulture, $"{rank.Key}:{rank.Value}")));

    private void Execute(SqlDatabase database, string sql)
    {
        using DbConnection connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId);
        foreach (var statement in sql.Split(';'))
        {
            using var command = connection.Command(statement, transaction);
            if (statement.Contains("@tenant", StringComparison.Ordinal))
            {
                command.With("@tenant", tenantId);
            }

            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }
}

using System.Data.Common;
using RoutedEmail.Core.Emails;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>Disabling and deleting skill queues, configurations, work code groups and away reasons.</summary>
internal sealed class SqlResourceLifecycleStore(SqlDatabase database, TimeProvider time) : IResourceLifecycleStore
{
    public Task<LifecycleOutcome> SetEnabledAsync(
        long tenantId, AdministeredResource resource, string name, bool enabled, string actor,
        CancellationToken cancellationToken)
    {
        var (table, key) = Describe(resource);
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId);
        if (!Exists(connection, transaction, tenantId, resource, name))
        {
            return Task.FromResult(new LifecycleOutcome(LifecycleStatus.NotFound));
        }

        using var update = connection.Command(
            $"UPDATE {table} SET enabled = @enabled WHERE tenant_id = @tenant AND {key} = @name AND enabled <> @enabled",
            transaction);
        var changed = update.With("@enabled", enabled).With("@tenant", tenantId).With("@name", name)
            .ExecuteNonQuery() > 0;
        if (!changed)
        {
            return Task.FromResult(new LifecycleOutcome(LifecycleStatus.Unchanged));
        }

        SqlUsers.AppendLifecycleEvent(connection, transaction, tenantId, time.GetUtcNow(),
            SqlUsers.EnabledEvent(enabled), resource.ToString(), name, actor);
        transaction.Commit();
        return Task.FromResult(new LifecycleOutcome(LifecycleStatus.Done));
    }

    public Task<LifecycleOutcome> DeleteAsync(
        long tenantId, AdministeredResource resource, string name, string actor,
        CancellationToken cancellationToken)
    {
        var (table, key) = Describe(resource);
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId);
        if (!Exists(connection, transaction, tenantId, resource, name))
        {
            return Task.FromResult(new LifecycleOutcome(LifecycleStatus.NotFound));
        }

        var blocked = resource switch
        {
            AdministeredResource.SkillQueue => CheckSkillQueueUnused(connection, transaction, tenantId, name),
            AdministeredResource.WorkCodeGroup => CheckWorkCodeGroupUnused(connection, transaction, tenantId, name),
            _ => null,
        };
        if (blocked is not null)
        {
            return Task.FromResult(blocked);
        }

        if (resource == AdministeredResource.SkillQueue)
        {
            // Agents lose the queue from their routing profile; closed emails keep its name.
            using var skills = connection.Command(
                "DELETE FROM agent_skills WHERE tenant_id = @tenant AND skill_queue = @name", transaction);
            skills.With("@tenant", tenantId).With("@name", name).ExecuteNonQuery();
        }

        using var delete = connection.Command(
            $"DELETE FROM {table} WHERE tenant_id = @tenant AND {key} = @name", transaction);
        delete.With("@tenant", tenantId).With("@name", name).ExecuteNonQuery();
        SqlUsers.AppendLifecycleEvent(connection, transaction, tenantId, time.GetUtcNow(),
            EventTypes.ResourceDeleted, resource.ToString(), name, actor);
        transaction.Commit();
        return Task.FromResult(new LifecycleOutcome(LifecycleStatus.Done));
    }

    public Task<IReadOnlySet<string>> FindDisabledSkillQueuesAsync(
        long tenantId, IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command(
            $"""
            SELECT name FROM skill_queues
            WHERE tenant_id = @tenant AND NOT enabled AND name IN ({database.JsonArrayValues("@names")})
            """, null);
        command.With("@tenant", tenantId).With("@names", SqlCommands.ToJson(names));
        using var reader = command.ExecuteReader();
        var disabled = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            disabled.Add(reader.GetString(0));
        }

        return Task.FromResult<IReadOnlySet<string>>(disabled);
    }

    private static LifecycleOutcome? CheckSkillQueueUnused(
        DbConnection connection, DbTransaction transaction, long tenantId, string name)
    {
        using var open = connection.Command(
            """
            SELECT COUNT(*) FROM routed_emails
            WHERE tenant_id = @tenant AND skill_queue = @name AND state IN ('Queued', 'Offered', 'Active', 'Wrap')
            """, transaction);
        var openEmails = (int)(open.With("@tenant", tenantId).With("@name", name).ExecuteInt64() ?? 0);
        if (openEmails > 0)
        {
            return new LifecycleOutcome(LifecycleStatus.HasOpenEmails, OpenEmails: openEmails);
        }

        var owners = ReadNames(connection, transaction, tenantId, name,
            "SELECT owner_id FROM routed_email_configurations WHERE tenant_id = @tenant AND skill_queue = @name");
        if (owners.Count > 0)
        {
            return new LifecycleOutcome(LifecycleStatus.InUse, UsedBy: owners, UsedByKind: "routed email configuration");
        }

        var queues = ReadNames(connection, transaction, tenantId, name,
            "SELECT name FROM skill_queues WHERE tenant_id = @tenant AND overflow_queue = @name");
        return queues.Count > 0
            ? new LifecycleOutcome(LifecycleStatus.InUse, UsedBy: queues, UsedByKind: "skill queue escalation")
            : null;
    }

    private static LifecycleOutcome? CheckWorkCodeGroupUnused(
        DbConnection connection, DbTransaction transaction, long tenantId, string name)
    {
        // The groups of a queue are a JSON array, so the check reads each queue's list.
        using var command = connection.Command(
            "SELECT name, work_code_groups FROM skill_queues WHERE tenant_id = @tenant ORDER BY name", transaction);
        command.With("@tenant", tenantId);
        var queues = new List<string>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                if (SqlCommands.FromJson<List<string>>(reader.GetString(1)).Contains(name))
                {
                    queues.Add(reader.GetString(0));
                }
            }
        }

        return queues.Count > 0
            ? new LifecycleOutcome(LifecycleStatus.InUse, UsedBy: queues, UsedByKind: "skill queue")
            : null;
    }

    private static bool Exists(
        DbConnection connection, DbTransaction transaction, long tenantId, AdministeredResource resource, string name)
    {
        var (table, key) = Describe(resource);
        using var command = connection.Command(
            $"SELECT 1 FROM {table} WHERE tenant_id = @tenant AND {key} = @name", transaction);
        return command.With("@tenant", tenantId).With("@name", name).ExecuteScalar() is not null;
    }

    private static List<string> ReadNames(
        DbConnection connection, DbTransaction transaction, long tenantId, string name, string sql)
    {
        using var command = connection.Command(sql + " ORDER BY 1", transaction);
        command.With("@tenant", tenantId).With("@name", name);
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    private static (string Table, string Key) Describe(AdministeredResource resource) => resource switch
    {
        AdministeredResource.SkillQueue => ("skill_queues", "name"),
        AdministeredResource.Configuration => ("routed_email_configurations", "owner_id"),
        AdministeredResource.WorkCodeGroup => ("work_code_groups", "name"),
        AdministeredResource.AwayReason => ("away_reasons", "code"),
        _ => throw new ArgumentOutOfRangeException(nameof(resource), resource, "Not an administered resource."),
    };
}

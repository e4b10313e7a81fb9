using System.Data.Common;
using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Tenants;
using RoutedEmail.Core.Users;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>Skill queues, routed email configurations and agents in SQLite.</summary>
internal sealed class SqlConfigurationStore(SqlDatabase database, TimeProvider time) : IConfigurationStore
{
    private const string QueueColumns =
        "name, offer_timeout_seconds, wrap_seconds, service_level_seconds, work_code_groups, work_code_required, " +
        "escalate_after_seconds, escalate_priority_by, overflow_queue";

    // The enabled flag is read but never written by a PUT, so a PUT keeps it.
    private const string QueueReadColumns = QueueColumns + ", enabled";

    private const string ConfigurationColumns =
        "owner_id, skill_queue, priority, enabled, description, screen_pop_url_template";

    /// <summary>Creates or replaces a skill queue without appending an administrative event, for tests.</summary>
    public Task<PutOutcome> PutSkillQueueAsync(long tenantId, SkillQueue queue, CancellationToken cancellationToken) =>
        PutSkillQueueAsync(tenantId, queue, actor: null, cancellationToken);

    public Task<PutOutcome> PutSkillQueueAsync(
        long tenantId, SkillQueue queue, string? actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId);
        if (SqlWorkCodes.FindMissing(connection, transaction, tenantId, queue.WorkCodeGroups) is { } missing)
        {
            return Task.FromResult(new PutOutcome(false, MissingWorkCodeGroup: missing));
        }

        using var read = connection.Command(
            $"SELECT {QueueReadColumns} FROM skill_queues WHERE tenant_id = @tenant AND name = @name", transaction);
        read.With("@tenant", tenantId).With("@name", queue.Name);
        var stored = ReadAll(read, ReadQueue).FirstOrDefault();
        var disabledGroups = SqlWorkCodes.Read(connection, transaction, tenantId, null)
            .Where(group => !group.Enabled).Select(group => group.Name).ToHashSet(StringComparer.Ordinal);
        var newlyDisabled = queue.WorkCodeGroups.FirstOrDefault(group =>
            disabledGroups.Contains(group) && stored?.WorkCodeGroups.Contains(group) != true);
        if (newlyDisabled is not null)
        {
            return Task.FromResult(new PutOutcome(false, DisabledWorkCodeGroup: newlyDisabled));
        }

        var overflow = queue.Escalation?.OverflowQueue;
        if (overflow is not null && !SkillQueueExists(connection, transaction, tenantId, overflow))
        {
            return Task.FromResult(new PutOutcome(false, MissingSkillQueue: overflow));
        }

        var exists = SkillQueueExists(connection, transaction, tenantId, queue.Name);
        using var command = connection.Command(
            $"""
            INSERT INTO skill_queues (tenant_id, {QueueColumns})
            VALUES (@tenant, @name, @offer, @wrap, @service, @groups, @required, @after, @raise, @overflow)
            ON CONFLICT (tenant_id, name) DO UPDATE SET
                offer_timeout_seconds = excluded.offer_timeout_seconds, wrap_seconds = excluded.wrap_seconds,
                service_level_seconds = excluded.service_level_seconds, work_code_groups = excluded.work_code_groups,
                work_code_required = excluded.work_code_required,
                escalate_after_seconds = excluded.escalate_after_seconds,
                escalate_priority_by = excluded.escalate_priority_by, overflow_queue = excluded.overflow_queue
            """, transaction);
        command.With("@tenant", tenantId).With("@name", queue.Name).With("@offer", queue.OfferTimeoutSeconds)
            .With("@wrap", queue.WrapSeconds).With("@service", queue.ServiceLevelSeconds)
            .With("@groups", SqlCommands.ToJson(queue.WorkCodeGroups)).With("@required", queue.WorkCodeRequired)
            .With("@after", queue.Escalation?.AfterSeconds).With("@raise", queue.Escalation?.RaisePriorityBy ?? 0)
            .With("@overflow", overflow);
        command.ExecuteNonQuery();
        SqlUsers.AppendAdminChange(connection, transaction, tenantId, time.GetUtcNow(), !exists,
            AdministeredResource.SkillQueue.ToString(), queue.Name, actor);
        transaction.Commit();
        return Task.FromResult(new PutOutcome(!exists));
    }

    /// <summary>Creates or replaces a work code group without appending an administrative event, for tests.</summary>
    public Task<bool> PutWorkCodeGroupAsync(long tenantId, WorkCodeGroup group, CancellationToken cancellationToken) =>
        PutWorkCodeGroupAsync(tenantId, group, actor: null, cancellationToken);

    public Task<bool> PutWorkCodeGroupAsync(
        long tenantId, WorkCodeGroup group, string? actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(group);
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId);
        var created = SqlWorkCodes.Put(connection, transaction, tenantId, group);
        SqlUsers.AppendAdminChange(connection, transaction, tenantId, time.GetUtcNow(), created,
            AdministeredResource.WorkCodeGroup.ToString(), group.Name, actor);
        transaction.Commit();
        return Task.FromResult(created);
    }

    public Task<WorkCodeGroup?> GetWorkCodeGroupAsync(long tenantId, string name, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        return Task.FromResult(SqlWorkCodes.Read(connection, null, tenantId, name).FirstOrDefault());
    }

    public Task<IReadOnlyList<WorkCodeGroup>> ListWorkCodeGroupsAsync(long tenantId, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        return Task.FromResult<IReadOnlyList<WorkCodeGroup>>(SqlWorkCodes.Read(connection, null, tenantId, null));
    }

    public Task<SkillQueue?> GetSkillQueueAsync(long tenantId, string name, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command(
            $"SELECT {QueueReadColumns} FROM skill_queues WHERE tenant_id = @tenant AND name = @name", null);
        command.With("@tenant", tenantId).With("@name", name);
        return Task.FromResult(ReadAll(command, ReadQueue).FirstOrDefault());
    }

    public Task<IReadOnlyList<SkillQueue>> ListSkillQueuesAsync(long tenantId, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command(
            $"SELECT {QueueReadColumns} FROM skill_queues WHERE tenant_id = @tenant ORDER BY name", null);
        command.With("@tenant", tenantId);
        return Task.FromResult<IReadOnlyList<SkillQueue>>(ReadAll(command, ReadQueue));
    }

    /// <summary>Creates or replaces a configuration without appending an administrative event, for tests.</summary>
    public Task<PutOutcome> PutConfigurationAsync(
        long tenantId, RoutedEmailConfiguration configuration, CancellationToken cancellationToken) =>
        PutConfigurationAsync(tenantId, configuration, actor: null, cancellationToken);

    public Task<PutOutcome> PutConfigurationAsync(
        long tenantId, RoutedEmailConfiguration configuration, string? actor, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId);
        if (!SkillQueueExists(connection, transaction, tenantId, configuration.SkillQueue))
        {
            return Task.FromResult(new PutOutcome(false, MissingSkillQueue: configuration.SkillQueue));
        }

        using var exists = connection.Command(
            "SELECT 1 FROM routed_email_configurations WHERE tenant_id = @tenant AND owner_id = @owner", transaction);
        var created = exists.With("@tenant", tenantId).With("@owner", configuration.OwnerId).ExecuteScalar() is null;
        using var command = connection.Command(
            $"""
            INSERT INTO routed_email_configurations (tenant_id, {ConfigurationColumns})
            VALUES (@tenant, @owner, @queue, @priority, @enabled, @description, @template)
            ON CONFLICT (tenant_id, owner_id) DO UPDATE SET
                skill_queue = excluded.skill_queue, priority = excluded.priority, enabled = excluded.enabled,
                description = excluded.description, screen_pop_url_template = excluded.screen_pop_url_template
            """, transaction);
        command.With("@tenant", tenantId).With("@owner", configuration.OwnerId)
            .With("@queue", configuration.SkillQueue).With("@priority", configuration.Priority)
            .With("@enabled", configuration.Enabled).With("@description", configuration.Description)
            .With("@template", configuration.ScreenPopUrlTemplate);
        command.ExecuteNonQuery();
        SqlUsers.AppendAdminChange(connection, transaction, tenantId, time.GetUtcNow(), created,
            AdministeredResource.Configuration.ToString(), configuration.OwnerId, actor);
        transaction.Commit();
        return Task.FromResult(new PutOutcome(created));
    }

    public Task<RoutedEmailConfiguration?> GetConfigurationAsync(
        long tenantId, string ownerId, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command(
            $"""
            SELECT {ConfigurationColumns} FROM routed_email_configurations
            WHERE tenant_id = @tenant AND owner_id = @owner
            """, null);
        command.With("@tenant", tenantId).With("@owner", ownerId);
        return Task.FromResult(ReadAll(command, ReadConfiguration).FirstOrDefault());
    }

    public Task<IReadOnlyList<RoutedEmailConfiguration>> ListConfigurationsAsync(
        long tenantId, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command(
            $"SELECT {ConfigurationColumns} FROM routed_email_configurations WHERE tenant_id = @tenant ORDER BY owner_id",
            null);
        command.With("@tenant", tenantId);
        return Task.FromResult<IReadOnlyList<RoutedEmailConfiguration>>(ReadAll(command, ReadConfiguration));
    }

    public Task<IReadOnlyDictionary<string, RoutedEmailConfiguration>> FindConfigurationsAsync(
        long tenantId, IReadOnlyCollection<string> ownerIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ownerIds);
        using var connection = database.Open();
        using var command = connection.Command(
            $"""
            SELECT {ConfigurationColumns} FROM routed_email_configurations
            WHERE tenant_id = @tenant AND owner_id IN ({database.JsonArrayValues("@owners")})
            """, null);
        command.With("@tenant", tenantId).With("@owners", SqlCommands.ToJson(ownerIds));
        var found = ReadAll(command, ReadConfiguration).ToDictionary(c => c.OwnerId, StringComparer.Ordinal);
        return Task.FromResult<IReadOnlyDictionary<string, RoutedEmailConfiguration>>(found);
    }

    public Task<OwnerRouting> FindOwnerRoutingAsync(
        long tenantId, IReadOnlyCollection<string> ownerIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ownerIds);
        return Task.FromResult(SqlOwnerRouting.Find(database, tenantId, ownerIds));
    }

    /// <summary>Creates or replaces an agent without appending an administrative event, for tests.</summary>
    public Task<PutOutcome> PutAgentAsync(
        long tenantId, AgentDefinition definition, string? passwordHash, CancellationToken cancellationToken) =>
        PutAgentAsync(tenantId, definition, passwordHash, actor: null, cancellationToken);

    public Task<PutOutcome> PutAgentAsync(
        long tenantId, AgentDefinition definition, string? passwordHash, string? actor,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId);
        foreach (var skill in definition.SkillQueues)
        {
            if (!SkillQueueExists(connection, transaction, tenantId, skill.Name))
            {
                return Task.FromResult(new PutOutcome(false, MissingSkillQueue: skill.Name));
            }
        }

        var created = !SqlUsers.AgentExists(connection, transaction, tenantId, definition.AgentId);
        var roles = SqlUsers.FindRoles(connection, transaction, tenantId, definition.AgentId);

        // A user who is not an agent yet keeps its password unless the request sets one.
        var agentPasswordHash = passwordHash
            ?? (created ? SqlUsers.FindPasswordHash(connection, transaction, tenantId, definition.AgentId) : null);
        if (created && agentPasswordHash is null)
        {
            return Task.FromResult(new PutOutcome(true, PasswordRequired: true));
        }

        SqlUsers.Write(connection, transaction, tenantId, definition.AgentId, definition.DisplayName,
            [.. roles ?? [], UserRole.Agent], passwordHash ?? (roles is null ? agentPasswordHash : null),
            time.GetUtcNow());
        WriteAgent(connection, transaction, tenantId, definition, agentPasswordHash, created);
        SqlUsers.AppendAdminChange(connection, transaction, tenantId, time.GetUtcNow(), created, "Agent",
            definition.AgentId, actor, agentId: definition.AgentId);
        transaction.Commit();
        return Task.FromResult(new PutOutcome(created));
    }

    public Task<Agent?> GetAgentAsync(long tenantId, string agentId, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        return Task.FromResult(ReadAgents(connection, tenantId, agentId).FirstOrDefault());
    }

    public Task<IReadOnlyList<Agent>> ListAgentsAsync(long tenantId, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        return Task.FromResult<IReadOnlyList<Agent>>(ReadAgents(connection, tenantId, null));
    }

    public Task<TenantStats> GetStatsAsync(long tenantId, CancellationToken cancellationToken) =>
        Task.FromResult(SqlTenantStats.Read(database, tenantId));

    private void WriteAgent(
        DbConnection connection, DbTransaction transaction, long tenantId, AgentDefinition definition,
        string? passwordHash, bool created)
    {
        var now = time.GetUtcNow().ToStored();
        using var command = connection.Command(
            created
                ? """
                  INSERT INTO agents (tenant_id, agent_id, display_name, password_hash, max_concurrent_emails,
                                      status, status_since, idle_since, wrap_seconds, max_concurrent_tasks)
                  VALUES (@tenant, @agent, @name, @password, @max, 'Offline', @now, @now, @wrap, @maxTasks)
                  """
                : """
                  UPDATE agents SET display_name = @name, password_hash = COALESCE(@password, password_hash),
                                    max_concurrent_emails = @max, wrap_seconds = @wrap,
                                    max_concurrent_tasks = @maxTasks
                  WHERE tenant_id = @tenant AND agent_id = @agent
                  """, transaction);
        command.With("@tenant", tenantId).With("@agent", definition.AgentId).With("@name", definition.DisplayName)
            .With("@password", passwordHash).With("@max", definition.MaxConcurrentEmails).With("@now", now)
            .With("@wrap", definition.WrapSeconds).With("@maxTasks", definition.MaxConcurrentTasks);
        command.ExecuteNonQuery();

        if (!created && passwordHash is not null)
        {
            // A new password signs the agent out everywhere, so a leaked token dies with the old password.
            SqlUsers.EndSessions(connection, transaction, tenantId, definition.AgentId);
        }

        using var delete = connection.Command(
            "DELETE FROM agent_skills WHERE tenant_id = @tenant AND agent_id = @agent", transaction);
        delete.With("@tenant", tenantId).With("@agent", definition.AgentId).ExecuteNonQuery();
        foreach (var skill in definition.SkillQueues)
        {
            using var insert = connection.Command(
                """
                INSERT INTO agent_skills (tenant_id, agent_id, skill_queue, rank)
                VALUES (@tenant, @agent, @queue, @rank)
                """, transaction);
            insert.With("@tenant", tenantId).With("@agent", definition.AgentId).With("@queue", skill.Name)
                .With("@rank", skill.Rank).ExecuteNonQuery();
        }
    }

    private static List<Agent> ReadAgents(DbConnection connection, long tenantId, string? agentId)
    {
        using var command = connection.Command(
            """
            SELECT a.agent_id, a.display_name, a.max_concurrent_emails, a.status, s.skill_queue, s.rank,
                   a.wrap_seconds, COALESCE(a.max_concurrent_tasks, a.max_concurrent_emails), a.other_work_count,
                   a.away_reason
            FROM agents a
            LEFT JOIN agent_skills s ON s.tenant_id = a.tenant_id AND s.agent_id = a.agent_id
            WHERE a.tenant_id = @tenant AND (CAST(@agent AS TEXT) IS NULL OR a.agent_id = @agent)
            ORDER BY a.agent_id, s.rank, s.skill_queue
            """, null);
        command.With("@tenant", tenantId).With("@agent", agentId);
        using var reader = command.ExecuteReader();
        var agents = new List<Agent>();
        List<SkillAssignment>? skills = null;
        while (reader.Read())
        {
            var id = reader.GetString(0);
            if (agents.Count == 0 || agents[^1].AgentId != id)
            {
                skills = [];
                agents.Add(new Agent(id, reader.GetString(1), reader.ReadInt32(2), skills,
                    Enum.Parse<AgentStatus>(reader.GetString(3)), reader.IsDBNull(6) ? null : reader.ReadInt32(6),
                    reader.ReadInt32(7), reader.ReadInt32(8), reader.GetNullableString(9)));
            }

            if (!reader.IsDBNull(4))
            {
                skills!.Add(new SkillAssignment(reader.GetString(4), reader.ReadInt32(5)));
            }
        }

        return agents;
    }

    private static bool SkillQueueExists(
        DbConnection connection, DbTransaction transaction, long tenantId, string name)
    {
        using var command = connection.Command(
            "SELECT 1 FROM skill_queues WHERE tenant_id = @tenant AND name = @name", transaction);
        return command.With("@tenant", tenantId).With("@name", name).ExecuteScalar() is not null;
    }

    private static SkillQueue ReadQueue(DbDataReader reader) => new(
        reader.GetString(0), reader.ReadInt32(1), reader.ReadInt32(2), reader.ReadInt32(3),
        SqlCommands.FromJson<List<string>>(reader.GetString(4)), reader.GetBoolean(5),
        reader.IsDBNull(6) ? null : new SkillQueueEscalation(reader.ReadInt32(6), reader.ReadInt32(7),
            reader.GetNullableString(8)),
        reader.GetBoolean(9));

    private static RoutedEmailConfiguration ReadConfiguration(DbDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.ReadInt32(2), reader.GetBoolean(3), reader.GetString(4),
        reader.GetNullableString(5));

    private static List<T> ReadAll<T>(DbCommand command, Func<DbDataReader, T> read)
    {
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}

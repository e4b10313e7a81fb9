using System.Data.Common;
using RoutedEmail.Core.Emails;
using RoutedEmail.Core.Users;

namespace RoutedEmail.Storage.Sql;

/// <summary>User rows and their sessions inside the caller's transaction, shared by the user and agent stores.</summary>
internal static class SqlUsers
{
    /// <summary>Stores roles as a comma-separated list in the order of <see cref="UserRole"/>, each once.</summary>
    public static string ToStored(IEnumerable<UserRole> roles) =>
        string.Join(",", roles.Distinct().Order());

    public static IReadOnlyList<UserRole> ReadRoles(string stored) =>
        stored.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<UserRole>).Order().ToList();

    /// <summary>Reads a user's roles, or null when the user does not exist.</summary>
    public static IReadOnlyList<UserRole>? FindRoles(
        DbConnection connection, DbTransaction transaction, long tenantId, string userId)
    {
        using var command = connection.Command(
            "SELECT roles FROM users WHERE tenant_id = @tenant AND user_id = @user", transaction);
        var stored = command.With("@tenant", tenantId).With("@user", userId).ExecuteScalar() as string;
        return stored is null ? null : ReadRoles(stored);
    }

    public static bool AgentExists(DbConnection connection, DbTransaction transaction, long tenantId, string agentId)
    {
        using var command = connection.Command(
            "SELECT 1 FROM agents WHERE tenant_id = @tenant AND agent_id = @agent", transaction);
        return command.With("@tenant", tenantId).With("@agent", agentId).ExecuteScalar() is not null;
    }

    /// <summary>Reads the password hash of a user, or null when the user does not exist.</summary>
    public static string? FindPasswordHash(
        DbConnection connection, DbTransaction transaction, long tenantId, string userId)
    {
        using var command = connection.Command(
            "SELECT password_hash FROM users WHERE tenant_id = @tenant AND user_id = @user", transaction);
        return command.With("@tenant", tenantId).With("@user", userId).ExecuteScalar() as string;
    }

    /// <summary>
    /// Inserts a user, or updates its display name, roles and, when <paramref name="passwordHash"/> is set, its
    /// password. The agent row of the same id gets the same password hash, which nothing reads but the schema
    /// requires.
    /// </summary>
    public static void Write(
        DbConnection connection, DbTransaction transaction, long tenantId, string userId, string displayName,
        IEnumerable<UserRole> roles, string? passwordHash, DateTimeOffset now)
    {
        var exists = FindRoles(connection, transaction, tenantId, userId) is not null;
        using var write = connection.Command(
            exists
                ? """
                  UPDATE users SET display_name = @name, roles = @roles,
                                   password_hash = COALESCE(@password, password_hash)
                  WHERE tenant_id = @tenant AND user_id = @user
                  """
                : """
                  INSERT INTO users (tenant_id, user_id, display_name, password_hash, roles, disabled, created_at)
                  VALUES (@tenant, @user, @name, @password, @roles, @disabled, @now)
                  """, transaction);
        write.With("@tenant", tenantId).With("@user", userId).With("@name", displayName)
            .With("@password", passwordHash).With("@roles", ToStored(roles)).With("@disabled", false)
            .With("@now", now.ToStored()).ExecuteNonQuery();
        if (passwordHash is null)
        {
            return;
        }

        using var agent = connection.Command(
            "UPDATE agents SET password_hash = @password WHERE tenant_id = @tenant AND agent_id = @user", transaction);
        agent.With("@password", passwordHash).With("@tenant", tenantId).With("@user", userId).ExecuteNonQuery();
    }

    /// <summary>
    /// Tells whether the user is an enabled Administrator and no other enabled user of the tenant is one, so that
    /// removing, disabling or demoting it would leave the tenant without anyone who can administer it.
    /// </summary>
    public static bool IsLastAdministrator(
        DbConnection connection, DbTransaction transaction, long tenantId, string userId)
    {
        using var command = connection.Command(
            """
            SELECT user_id FROM users
            WHERE tenant_id = @tenant AND disabled = @disabled AND roles LIKE '%Administrator%'
            LIMIT 2
            """, transaction);
        command.With("@tenant", tenantId).With("@disabled", false);
        using var reader = command.ExecuteReader();
        var administrators = new List<string>();
        while (reader.Read())
        {
            administrators.Add(reader.GetString(0));
        }

        return administrators is [var only] && only == userId;
    }

    /// <summary>Deletes every session of a user, so each of its tokens stops being accepted at once.</summary>
    public static void EndSessions(DbConnection connection, DbTransaction transaction, long tenantId, string userId)
    {
        using var command = connection.Command(
            "DELETE FROM user_sessions WHERE tenant_id = @tenant AND user_id = @user", transaction);
        command.With("@tenant", tenantId).With("@user", userId).ExecuteNonQuery();
    }

    /// <summary>Counts an agent's open emails: pending offers plus Active and Wrap emails.</summary>
    public static int CountOpenEmails(DbConnection connection, DbTransaction transaction, long tenantId, string agentId)
    {
        using var command = connection.Command(
            """
            SELECT (SELECT COUNT(*) FROM offers
                    WHERE tenant_id = @tenant AND agent_id = @agent AND state = 'Pending')
                 + (SELECT COUNT(*) FROM routed_emails
                    WHERE tenant_id = @tenant AND agent_id = @agent AND state IN ('Active', 'Wrap'))
            """, transaction);
        return (int)(command.With("@tenant", tenantId).With("@agent", agentId).ExecuteInt64() ?? 0);
    }

    /// <summary>Deletes an agent row with its routing profile and hub connection rows.</summary>
    public static void DeleteAgentRows(DbConnection connection, DbTransaction transaction, long tenantId, string agentId)
    {
        foreach (var table in new[] { "agent_skills", "hub_connections", "agents" })
        {
            using var command = connection.Command(
                $"DELETE FROM {table} WHERE tenant_id = @tenant AND agent_id = @agent", transaction);
            command.With("@tenant", tenantId).With("@agent", agentId).ExecuteNonQuery();
        }
    }

    /// <summary>Appends a lifecycle event whose detail names the resource and the actor.</summary>
    public static void AppendLifecycleEvent(
        DbConnection connection, DbTransaction transaction, long tenantId, DateTimeOffset now, string type,
        string kind, string name, string actor, string? agentId = null)
    {
        var detail = SqlCommands.ToJson(new { kind, name, by = actor });
        SqlCommands.AppendEvent(connection, transaction, tenantId, now, type, agentId: agentId, detail: detail);
    }

    /// <summary>
    /// Appends a ResourceCreated or ResourceChanged event for an administrator's PUT, or nothing when the actor is
    /// null.
    /// </summary>
    public static void AppendAdminChange(
        DbConnection connection, DbTransaction transaction, long tenantId, DateTimeOffset now, bool created,
        string kind, string name, string? actor, string? agentId = null)
    {
        if (actor is null)
        {
            return;
        }

        var type = created ? EventTypes.ResourceCreated : EventTypes.ResourceChanged;
        AppendLifecycleEvent(connection, transaction, tenantId, now, type, kind, name, actor, agentId);
    }

    /// <summary>The event type of an enable or a disable.</summary>
    public static string EnabledEvent(bool enabled) =>
        enabled ? EventTypes.ResourceEnabled : EventTypes.ResourceDisabled;
}

using System.Data.Common;
using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Emails;
using RoutedEmail.Core.Users;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>Users, their sessions, and disabling and deleting users and agents, in SQLite or PostgreSQL.</summary>
internal sealed class SqlUserStore(SqlDatabase database, TimeProvider time) : IUserStore
{
    private const string UserKind = "User";
    private const string AgentKind = "Agent";

    public Task<PutOutcome> PutUserAsync(
        long tenantId, UserDefinition user, string? passwordHash, CancellationToken cancellationToken) =>
        PutUserAsync(tenantId, user, passwordHash, actor: null, cancellationToken);

    public Task<PutOutcome> PutUserAsync(
        long tenantId, UserDefinition user, string? passwordHash, string? actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId);
        var created = SqlUsers.FindRoles(connection, transaction, tenantId, user.UserId) is null;
        if (created && passwordHash is null)
        {
            return Task.FromResult(new PutOutcome(true, PasswordRequired: true));
        }

        if (!created && !user.Roles.Contains(UserRole.Administrator)
            && SqlUsers.IsLastAdministrator(connection, transaction, tenantId, user.UserId))
        {
            return Task.FromResult(new PutOutcome(false, LastAdministrator: true));
        }

        var now = time.GetUtcNow();
        var hasAgent = SqlUsers.AgentExists(connection, transaction, tenantId, user.UserId);
        var isAgent = user.Roles.Contains(UserRole.Agent);
        if (hasAgent && !isAgent)
        {
            var open = SqlUsers.CountOpenEmails(connection, transaction, tenantId, user.UserId);
            if (open > 0)
            {
                return Task.FromResult(new PutOutcome(false, OpenEmails: open));
            }

            SqlUsers.DeleteAgentRows(connection, transaction, tenantId, user.UserId);
        }

        SqlUsers.Write(connection, transaction, tenantId, user.UserId, user.DisplayName, user.Roles, passwordHash, now);
        if (isAgent && !hasAgent)
        {
            InsertEmptyAgent(connection, transaction, tenantId, user.UserId, user.DisplayName, now);
        }

        if (!created && passwordHash is not null)
        {
            // A new password signs the user out everywhere, so a leaked token dies with the old password.
            SqlUsers.EndSessions(connection, transaction, tenantId, user.UserId);
        }

        SqlUsers.AppendAdminChange(connection, transaction, tenantId, now, created, UserKind, user.UserId, actor);
        transaction.Commit();
        return Task.FromResult(new PutOutcome(created));
    }

    public Task<TenantUser?> GetUserAsync(long tenantId, string userId, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        return Task.FromResult(ReadUsers(connection, tenantId, userId).FirstOrDefault());
    }

    public Task<IReadOnlyList<TenantUser>> ListUsersAsync(long tenantId, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        return Task.FromResult<IReadOnlyList<TenantUser>>(ReadUsers(connection, tenantId, null));
    }

    public Task<UserCredentials?> FindCredentialsAsync(
        long tenantId, string userId, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command(
            "SELECT password_hash, roles, disabled FROM users WHERE tenant_id = @tenant AND user_id = @user", null);
        command.With("@tenant", tenantId).With("@user", userId);
        using var reader = command.ExecuteReader();
        var credentials = reader.Read()
            ? new UserCredentials(reader.GetString(0), SqlUsers.ReadRoles(reader.GetString(1)), !reader.GetBoolean(2))
            : null;
        return Task.FromResult(credentials);
    }

    public Task CreateSessionAsync(
        long tenantId, string userId, byte[] tokenHash, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId);
        var now = time.GetUtcNow();
        SqlUserSessions.Insert(connection, transaction, tenantId, userId, tokenHash, now, expiresAt);
        SqlCommands.AppendEvent(connection, transaction, tenantId, now, EventTypes.UserSignedIn, agentId: userId);
        transaction.Commit();
        return Task.CompletedTask;
    }

    public Task<UserSession?> FindSessionAsync(byte[] tokenHash, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.Command(
            """
            SELECT s.tenant_id, s.user_id, u.roles, s.expires_at
            FROM user_sessions s JOIN users u ON u.tenant_id = s.tenant_id AND u.user_id = s.user_id
            WHERE s.token_hash = @hash AND s.expires_at > @now AND NOT u.disabled
            """, null);
        command.With("@hash", tokenHash).With("@now", time.GetUtcNow().ToStored());
        using var reader = command.ExecuteReader();
        var session = reader.Read()
            ? new UserSession(reader.ReadInt64(0), reader.GetString(1), SqlUsers.ReadRoles(reader.GetString(2)),
                SqlCommands.ToTime(reader.ReadInt64(3)))
            : null;
        return Task.FromResult(session);
    }

    public Task EndSessionAsync(byte[] tokenHash, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        SqlUserSessions.End(connection, tokenHash);
        return Task.CompletedTask;
    }

    public Task<LifecycleOutcome> SetUserEnabledAsync(
        long tenantId, string userId, bool enabled, string actor, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId);
        if (!enabled && SqlUsers.IsLastAdministrator(connection, transaction, tenantId, userId))
        {
            return Task.FromResult(new LifecycleOutcome(LifecycleStatus.LastAdministrator));
        }

        using var update = connection.Command(
            """
            UPDATE users SET disabled = @disabled
            WHERE tenant_id = @tenant AND user_id = @user AND disabled <> @disabled
            """, transaction);
        var changed = update.With("@disabled", !enabled).With("@tenant", tenantId).With("@user", userId)
            .ExecuteNonQuery() > 0;
        if (!changed)
        {
            var exists = SqlUsers.FindRoles(connection, transaction, tenantId, userId) is not null;
            return Task.FromResult(new LifecycleOutcome(exists ? LifecycleStatus.Unchanged : LifecycleStatus.NotFound));
        }

        var now = time.GetUtcNow();
        if (!enabled)
        {
            SqlUsers.EndSessions(connection, transaction, tenantId, userId);
            if (SqlUsers.AgentExists(connection, transaction, tenantId, userId))
            {
                AgentStatusTransitions.Apply(
                    connection, transaction, tenantId, userId, AgentStatus.Offline, null, byTimeout: false, now);
            }
        }

        SqlUsers.AppendLifecycleEvent(connection, transaction, tenantId, now, SqlUsers.EnabledEvent(enabled),
            UserKind, userId, actor, agentId: userId);
        transaction.Commit();
        return Task.FromResult(new LifecycleOutcome(LifecycleStatus.Done));
    }

    public Task<LifecycleOutcome> DeleteUserAsync(
        long tenantId, string userId, string actor, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId);
        if (SqlUsers.FindRoles(connection, transaction, tenantId, userId) is null)
        {
            return Task.FromResult(new LifecycleOutcome(LifecycleStatus.NotFound));
        }

        if (SqlUsers.IsLastAdministrator(connection, transaction, tenantId, userId))
        {
            return Task.FromResult(new LifecycleOutcome(LifecycleStatus.LastAdministrator));
        }

        if (DeleteAgent(connection, transaction, tenantId, userId) is { } blocked)
        {
            return Task.FromResult(blocked);
        }

        DeleteUserRows(connection, transaction, tenantId, userId);
        SqlUsers.AppendLifecycleEvent(connection, transaction, tenantId, time.GetUtcNow(),
            EventTypes.ResourceDeleted, UserKind, userId, actor, agentId: userId);
        transaction.Commit();
        return Task.FromResult(new LifecycleOutcome(LifecycleStatus.Done));
    }

    public Task<LifecycleOutcome> DeleteAgentAsync(
        long tenantId, string agentId, string actor, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId);
        if (!SqlUsers.AgentExists(connection, transaction, tenantId, agentId))
        {
            return Task.FromResult(new LifecycleOutcome(LifecycleStatus.NotFound));
        }

        if (DeleteAgent(connection, transaction, tenantId, agentId) is { } blocked)
        {
            return Task.FromResult(blocked);
        }

        var roles = SqlUsers.FindRoles(connection, transaction, tenantId, agentId) ?? [];
        var remaining = roles.Where(role => role != UserRole.Agent).ToList();
        if (remaining.Count == 0)
        {
            DeleteUserRows(connection, transaction, tenantId, agentId);
        }
        else
        {
            using var update = connection.Command(
                "UPDATE users SET roles = @roles WHERE tenant_id = @tenant AND user_id = @user", transaction);
            update.With("@roles", SqlUsers.ToStored(remaining)).With("@tenant", tenantId).With("@user", agentId)
                .ExecuteNonQuery();
        }

        SqlUsers.AppendLifecycleEvent(connection, transaction, tenantId, time.GetUtcNow(),
            EventTypes.ResourceDeleted, AgentKind, agentId, actor, agentId: agentId);
        transaction.Commit();
        return Task.FromResult(new LifecycleOutcome(LifecycleStatus.Done));
    }

    /// <summary>Deletes the user's agent unless it has open emails, which are returned as the blocking outcome.</summary>
    private static LifecycleOutcome? DeleteAgent(
        DbConnection connection, DbTransaction transaction, long tenantId, string agentId)
    {
        if (!SqlUsers.AgentExists(connection, transaction, tenantId, agentId))
        {
            return null;
        }

        var open = SqlUsers.CountOpenEmails(connection, transaction, tenantId, agentId);
        if (open > 0)
        {
            return new LifecycleOutcome(LifecycleStatus.HasOpenEmails, OpenEmails: open);
        }

        SqlUsers.DeleteAgentRows(connection, transaction, tenantId, agentId);
        return null;
    }

    private static void DeleteUserRows(DbConnection connection, DbTransaction transaction, long tenantId, string userId)
    {
        SqlUsers.EndSessions(connection, transaction, tenantId, userId);
        using var command = connection.Command(
            "DELETE FROM users WHERE tenant_id = @tenant AND user_id = @user", transaction);
        command.With("@tenant", tenantId).With("@user", userId).ExecuteNonQuery();
    }

    private static void InsertEmptyAgent(
        DbConnection connection, DbTransaction transaction, long tenantId, string agentId, string displayName,
        DateTimeOffset now)
    {
        var passwordHash = SqlUsers.FindPasswordHash(connection, transaction, tenantId, agentId);
        using var command = connection.Command(
            """
            INSERT INTO agents (tenant_id, agent_id, display_name, password_hash, max_concurrent_emails,
                                status, status_since, idle_since)
            VALUES (@tenant, @agent, @name, @password, @max, 'Offline', @now, @now)
            """, transaction);
        command.With("@tenant", tenantId).With("@agent", agentId).With("@name", displayName)
            .With("@password", passwordHash).With("@max", Agent.DefaultMaxConcurrentEmails)
            .With("@now", now.ToStored()).ExecuteNonQuery();
    }

    private static List<TenantUser> ReadUsers(DbConnection connection, long tenantId, string? userId)
    {
        using var command = connection.Command(
            """
            SELECT user_id, display_name, roles, disabled FROM users
            WHERE tenant_id = @tenant AND (CAST(@user AS TEXT) IS NULL OR user_id = @user)
            ORDER BY user_id
            """, null);
        command.With("@tenant", tenantId).With("@user", userId);
        using var reader = command.ExecuteReader();
        var users = new List<TenantUser>();
        while (reader.Read())
        {
            users.Add(new TenantUser(
                reader.GetString(0), reader.GetString(1), SqlUsers.ReadRoles(reader.GetString(2)),
                !reader.GetBoolean(3)));
        }

        return users;
    }
}

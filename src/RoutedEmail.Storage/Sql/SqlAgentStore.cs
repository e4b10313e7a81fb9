using System.Globalization;
using System.Data.Common;
using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Emails;
using RoutedEmail.Core.Users;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>Agent sessions, status and work in SQLite or PostgreSQL. The actions on offers and emails are in SqlAgentActions.cs.</summary>
internal sealed partial class SqlAgentStore(SqlDatabase database, TimeProvider time) : IAgentStore
{
    public Task<string?> FindPasswordHashAsync(long tenantId, string agentId, CancellationToken cancellationToken)
    {
        // Only an enabled user with the Agent role and an agent row may sign in to the agent API.
        using var connection = database.Open();
        using var command = connection.Command(
            """
            SELECT u.password_hash, u.roles FROM users u
            JOIN agents a ON a.tenant_id = u.tenant_id AND a.agent_id = u.user_id
            WHERE u.tenant_id = @tenant AND u.user_id = @agent AND NOT u.disabled
            """, null);
        command.With("@tenant", tenantId).With("@agent", agentId);
        using var reader = command.ExecuteReader();
        var hash = reader.Read() && SqlUsers.ReadRoles(reader.GetString(1)).Contains(UserRole.Agent)
            ? reader.GetString(0)
            : null;
        return Task.FromResult(hash);
    }

    public Task CreateSessionAsync(
        long tenantId, string agentId, byte[] tokenHash, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId);
        var now = time.GetUtcNow();
        SqlUserSessions.Insert(connection, transaction, tenantId, agentId, tokenHash, now, expiresAt);
        SqlCommands.AppendEvent(connection, transaction, tenantId, now, EventTypes.AgentSignedIn, agentId: agentId);
        transaction.Commit();
        return Task.CompletedTask;
    }

    public Task EndSessionAsync(byte[] tokenHash, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        SqlUserSessions.End(connection, tokenHash);
        return Task.CompletedTask;
    }

    public Task<AgentSession?> FindSessionAsync(byte[] tokenHash, CancellationToken cancellationToken)
    {
        // A session of either sign-in route is an agent session while its user is enabled, has the Agent role and
        // has an agent row.
        // Every hub call and every push checks the session, so the query runs on a kept session.
        using var readSession = database.OpenSession();
        var command = readSession.Command(
            """
            SELECT s.tenant_id, s.user_id, s.expires_at, u.roles
            FROM user_sessions s
            JOIN users u ON u.tenant_id = s.tenant_id AND u.user_id = s.user_id
            JOIN agents a ON a.tenant_id = s.tenant_id AND a.agent_id = s.user_id
            WHERE s.token_hash = @hash AND s.expires_at > @now AND NOT u.disabled
            """);
        command.With("@hash", tokenHash).With("@now", time.GetUtcNow().ToStored());
        using var reader = command.ExecuteReader();
        var session = reader.Read() && SqlUsers.ReadRoles(reader.GetString(3)).Contains(UserRole.Agent)
            ? new AgentSession(reader.ReadInt64(0), reader.GetString(1), SqlCommands.ToTime(reader.ReadInt64(2)))
            : null;
        return Task.FromResult(session);
    }

    public Task<int> SetStatusAsync(
        long tenantId, string agentId, AgentStatus status, CancellationToken cancellationToken,
        string? awayReason = null, string? supervisor = null)
    {
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId);
        var now = time.GetUtcNow();
        var withdrawn = AgentStatusTransitions.Apply(
            connection, transaction, tenantId, agentId, status, awayReason, byTimeout: false, now);
        SqlCommands.AppendSupervisorAction(connection, transaction, tenantId, now, "SetStatus", supervisor, null, agentId);
        transaction.Commit();
        return Task.FromResult(withdrawn ?? 0);
    }

    public Task<bool> SetOtherWorkAsync(
        long tenantId, string agentId, int count, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId);
        using var update = connection.Command(
            """
            UPDATE agents SET other_work_count = @count
            WHERE tenant_id = @tenant AND agent_id = @agent AND other_work_count <> @count
            """, transaction);
        var changed = update.With("@count", count).With("@tenant", tenantId).With("@agent", agentId)
            .ExecuteNonQuery() > 0;
        if (changed)
        {
            var now = time.GetUtcNow();
            SqlCommands.AppendEvent(connection, transaction, tenantId, now, EventTypes.OtherWorkChanged,
                agentId: agentId, detail: count.ToString(CultureInfo.InvariantCulture));
            transaction.Commit();
        }

        return Task.FromResult(changed);
    }
}

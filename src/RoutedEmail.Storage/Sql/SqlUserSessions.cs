using System.Data.Common;

namespace RoutedEmail.Storage.Sql;

/// <summary>Rows of <c>user_sessions</c>, which hold the sessions of both sign-in routes.</summary>
internal static class SqlUserSessions
{
    /// <summary>Inserts a session and deletes every expired one, so the table does not grow without end.</summary>
    public static void Insert(
        DbConnection connection, DbTransaction transaction, long tenantId, string userId, byte[] tokenHash,
        DateTimeOffset now, DateTimeOffset expiresAt)
    {
        using var command = connection.Command(
            """
            INSERT INTO user_sessions (token_hash, tenant_id, user_id, created_at, expires_at)
            VALUES (@hash, @tenant, @user, @now, @expires)
            """, transaction);
        command.With("@hash", tokenHash).With("@tenant", tenantId).With("@user", userId)
            .With("@now", now.ToStored()).With("@expires", expiresAt.ToStored()).ExecuteNonQuery();

        using var prune = connection.Command("DELETE FROM user_sessions WHERE expires_at <= @now", transaction);
        prune.With("@now", now.ToStored()).ExecuteNonQuery();
    }

    public static void End(DbConnection connection, byte[] tokenHash)
    {
        using var command = connection.Command("DELETE FROM user_sessions WHERE token_hash = @hash", null);
        command.With("@hash", tokenHash).ExecuteNonQuery();
    }
}

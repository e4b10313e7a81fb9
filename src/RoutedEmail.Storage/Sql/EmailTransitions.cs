using System.Data.Common;
using RoutedEmail.Core.Emails;

namespace RoutedEmail.Storage.Sql;

/// <summary>Changes of a held email's state inside the caller's transaction.</summary>
internal static class EmailTransitions
{
    /// <summary>
    /// Closes an Active or Wrap email as Completed now and frees the agent's capacity. The retention window of its
    /// entity id counts from this moment.
    /// </summary>
    public static void Complete(
        DbConnection connection, DbTransaction transaction, long tenantId, long emailId, string agentId,
        DateTimeOffset now)
    {
        using var complete = connection.Command(
            """
            UPDATE routed_emails SET state = 'Completed', closed_at = @now, wrap_ends_at = NULL
            WHERE id = @email
            RETURNING work_code
            """, transaction);
        var workCode = complete.With("@now", now.ToStored()).With("@email", emailId).ExecuteScalar() as string;
        SqlCommands.AppendEvent(connection, transaction, tenantId, now, EventTypes.Completed, emailId, agentId,
            detail: workCode);
        SqlCommands.MarkCapacityFreed(connection, transaction, tenantId, agentId, now);
    }
}

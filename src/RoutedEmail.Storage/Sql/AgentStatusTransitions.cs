using System.Data.Common;
using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Emails;

namespace RoutedEmail.Storage.Sql;

/// <summary>A change of an agent's status inside the caller's write transaction.</summary>
internal static class AgentStatusTransitions
{
    /// <summary>
    /// Sets the agent's status and away reason, appends the <c>AgentStatusChanged</c> event and, unless the new
    /// status is Available, withdraws the agent's pending offers. Returns the number of offers withdrawn, or null
    /// when the status and reason are already the requested ones. With <paramref name="byTimeout"/>, an inactivity
    /// timeout sets the status, not the agent: the event's detail is then the status followed by <c> timeout</c>,
    /// such as <c>Offline timeout</c>, and the time the agent last chose a status stays.
    /// </summary>
    public static int? Apply(
        DbConnection connection, DbTransaction transaction, long tenantId, string agentId, AgentStatus status,
        string? awayReason, bool byTimeout, DateTimeOffset now)
    {
        using var read = connection.Command(
            "SELECT status, away_reason FROM agents WHERE tenant_id = @tenant AND agent_id = @agent", transaction);
        AgentStatus previous;
        string? previousReason;
        using (var reader = read.With("@tenant", tenantId).With("@agent", agentId).ExecuteReader())
        {
            reader.Read();
            previous = Enum.Parse<AgentStatus>(reader.GetString(0));
            previousReason = reader.GetNullableString(1);
        }

        if (previous == status && previousReason == awayReason)
        {
            return null;
        }

        // Away with a new reason is a change of its own, so time per reason can be summed from the events. Only
        // a change of status restarts status_since and idle_since.
        using var update = connection.Command(
            """
            UPDATE agents SET away_reason = @reason,
                status_since = CASE WHEN status = @status THEN status_since ELSE @now END,
                status_chosen_at = CASE WHEN @byTimeout THEN status_chosen_at ELSE @now END,
                idle_since = CASE WHEN @status = 'Available' AND status <> @status THEN @now ELSE idle_since END,
                status = @status
            WHERE tenant_id = @tenant AND agent_id = @agent
            """, transaction);
        update.With("@status", status.ToString()).With("@reason", awayReason).With("@now", now.ToStored())
            .With("@byTimeout", byTimeout).With("@tenant", tenantId).With("@agent", agentId).ExecuteNonQuery();
        var detail = status.ToString();
        if (byTimeout)
        {
            detail += " timeout";
        }
        else if (awayReason is not null)
        {
            detail += " " + awayReason;
        }

        SqlCommands.AppendEvent(connection, transaction, tenantId, now, EventTypes.AgentStatusChanged,
            agentId: agentId, detail: detail);
        return status == AgentStatus.Available
            ? 0
            : OfferTransitions.WithdrawAll(connection, transaction, tenantId, agentId, now);
    }
}

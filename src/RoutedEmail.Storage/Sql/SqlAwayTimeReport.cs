using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Emails;
using RoutedEmail.Core.Reports;

namespace RoutedEmail.Storage.Sql;

/// <summary>Reads the status changes that the away time report sums, from the event log.</summary>
internal sealed partial class SqlAwayReasonStore
{
    public Task<IReadOnlyList<AgentStatusChange>> ReadStatusChangesAsync(
        long tenantId, string? agentId, DateTimeOffset rangeStart, DateTimeOffset rangeEnd,
        CancellationToken cancellationToken)
    {
        // Per agent: the changes before the range end, starting at the last one before the range start. Several
        // changes in that last millisecond all come back, and the report clips them to the range start. Both
        // conditions seek events_by_agent per agent.
        using var connection = database.Open();
        using var read = connection.Command(
            """
            SELECT a.agent_id, e.at, e.detail
            FROM agents a
            JOIN events e ON e.tenant_id = a.tenant_id AND e.type = @type AND e.agent_id = a.agent_id
            WHERE a.tenant_id = @tenant AND (CAST(@agent AS TEXT) IS NULL OR a.agent_id = @agent)
              AND e.at < @to
              AND e.at >= COALESCE(
                  (SELECT MAX(p.at) FROM events p
                   WHERE p.tenant_id = a.tenant_id AND p.type = @type AND p.agent_id = a.agent_id AND p.at < @from),
                  @from)
            ORDER BY a.agent_id, e.at, e.id
            """, null);
        read.With("@type", EventTypes.AgentStatusChanged).With("@tenant", tenantId).With("@agent", agentId)
            .With("@from", rangeStart.ToStored()).With("@to", rangeEnd.ToStored());
        using var reader = read.ExecuteReader();
        var changes = new List<AgentStatusChange>();
        while (reader.Read())
        {
            var (status, reason) = ParseDetail(reader.GetNullableString(2));
            changes.Add(new AgentStatusChange(
                reader.GetString(0), SqlCommands.ToTime(reader.ReadInt64(1)), status, reason));
        }

        return Task.FromResult<IReadOnlyList<AgentStatusChange>>(changes);
    }

    /// <summary>
    /// Parses an <c>AgentStatusChanged</c> detail: the status, then a space and the away reason code when there is
    /// one. The code comes whole from the first space on, because a code may contain spaces.
    /// </summary>
    private static (AgentStatus Status, string? Reason) ParseDetail(string? detail)
    {
        var space = detail?.IndexOf(' ', StringComparison.Ordinal) ?? -1;
        var statusText = space < 0 ? detail : detail![..space];
        if (!Enum.TryParse<AgentStatus>(statusText, ignoreCase: false, out var status)
            || !Enum.IsDefined(status))
        {
            throw new InvalidDataException(
                $"An {EventTypes.AgentStatusChanged} event has the detail \"{detail}\", which does not start with " +
                "an agent status.");
        }

        return (status, space < 0 ? null : detail![(space + 1)..]);
    }
}

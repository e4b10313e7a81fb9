using RoutedEmail.Core.Tenants;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>The read that ingest runs for every request: the owners' configurations and their queues' flags.</summary>
internal static class SqlOwnerRouting
{
    /// <summary>
    /// Finds the configurations of the owner ids and the disabled skill queues among theirs. The query runs on a
    /// kept session, so on SQLite it is prepared once per connection. It reads the committed rows every time, so an
    /// administrator's change counts from the next request on, on every node.
    /// </summary>
    public static OwnerRouting Find(SqlDatabase database, long tenantId, IReadOnlyCollection<string> ownerIds)
    {
        using var session = database.OpenSession();
        var command = session.Command(
            $"""
            SELECT c.owner_id, c.skill_queue, c.priority, c.enabled, c.description, c.screen_pop_url_template,
                q.enabled
            FROM routed_email_configurations c
            LEFT JOIN skill_queues q ON q.tenant_id = c.tenant_id AND q.name = c.skill_queue
            WHERE c.tenant_id = @tenant AND c.owner_id IN ({database.JsonArrayValues("@owners")})
            """);
        command.With("@tenant", tenantId).With("@owners", SqlCommands.ToJson(ownerIds));
        using var reader = command.ExecuteReader();
        var configurations = new Dictionary<string, RoutedEmailConfiguration>(StringComparer.Ordinal);
        var disabledQueues = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            var configuration = new RoutedEmailConfiguration(
                reader.GetString(0), reader.GetString(1), reader.ReadInt32(2), reader.GetBoolean(3),
                reader.GetString(4), reader.GetNullableString(5));
            configurations[configuration.OwnerId] = configuration;

            // A queue that no longer exists is not disabled, as FindDisabledSkillQueuesAsync leaves it out.
            if (!reader.IsDBNull(6) && !reader.GetBoolean(6))
            {
                disabledQueues.Add(configuration.SkillQueue);
            }
        }

        return new OwnerRouting(configurations, disabledQueues);
    }
}

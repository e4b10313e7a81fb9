using Microsoft.Data.Sqlite;

namespace RoutedEmail.Server.Tests.Infrastructure;

/// <summary>Reads a test server's event log straight from its database, for events no API returns.</summary>
public static class EventLog
{
    /// <summary>Returns the details of the server's events of the given types, oldest first.</summary>
    /// <param name="server">The server whose database is read.</param>
    /// <param name="types">The event types to read.</param>
    /// <param name="agentId">Only the events of this agent; null reads every agent's.</param>
    public static List<string> ReadDetails(TestServer server, IReadOnlyList<string> types, string? agentId = null) =>
        Read(server, types, agentId).Select(entry => entry.Detail).ToList();

    /// <summary>Returns the server's events of the given types as their type, a space and their detail.</summary>
    public static List<string> ReadTypesAndDetails(TestServer server, params string[] types) =>
        Read(server, types, null).Select(entry => $"{entry.Type} {entry.Detail}").ToList();

    private static List<(string Type, string Detail)> Read(
        TestServer server, IReadOnlyList<string> types, string? agentId)
    {
        var path = Path.Combine(server.DataDirectory, "routed-email.db");
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        var names = types.Select((_, index) => "$type" + index).ToList();
        command.CommandText =
            $"SELECT type, detail FROM events WHERE type IN ({string.Join(", ", names)}) " +
            "AND ($agent IS NULL OR agent_id = $agent) ORDER BY id";
        for (var index = 0; index < types.Count; index++)
        {
            command.Parameters.AddWithValue(names[index], types[index]);
        }

        command.Parameters.AddWithValue("$agent", (object?)agentId ?? DBNull.Value);
        using var reader = command.ExecuteReader();
        var events = new List<(string, string)>();
        while (reader.Read())
        {
            events.Add((reader.GetString(0), reader.GetString(1)));
        }

        return events;
    }
}

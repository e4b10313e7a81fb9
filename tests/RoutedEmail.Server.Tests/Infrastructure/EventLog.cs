using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

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
        using var connection = Open(server);
        using var command = connection.CreateCommand();
        var names = types.Select((_, index) => "@type" + index).ToList();
        command.CommandText =
            $"SELECT type, detail FROM events WHERE type IN ({string.Join(", ", names)}) " +
            "AND (agent_id = @agent OR @all) ORDER BY id";
        for (var index = 0; index < types.Count; index++)
        {
            Add(command, names[index], types[index]);
        }

        Add(command, "@agent", agentId ?? string.Empty);
        Add(command, "@all", agentId is null);
        using var reader = command.ExecuteReader();
        var events = new List<(string, string)>();
        while (reader.Read())
        {
            events.Add((reader.GetString(0), reader.GetString(1)));
        }

        return events;
    }

    private static DbConnection Open(TestServer server)
    {
        DbConnection connection = TestStore.IsPostgres
            ? new NpgsqlConnection(TestStore.ConnectionStringForAsync(server.DataDirectory).GetAwaiter().GetResult())
            : new SqliteConnection(
                $"Data Source={Path.Combine(server.DataDirectory, "routed-email.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        return connection;
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}

using System.Text.Json;
using Microsoft.Data.Sqlite;
using RoutedEmail.Core.Emails;

namespace RoutedEmail.Storage.Sqlite;

/// <summary>Small helpers for building commands and converting values to and from their stored form.</summary>
internal static class SqliteCommands
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public static SqliteCommand Command(this SqliteConnection connection, string sql, SqliteTransaction? transaction)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    public static SqliteCommand With(this SqliteCommand command, string name, object? value)
    {
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    public static long ToStored(this DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static DateTimeOffset ToTime(long storedMilliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(storedMilliseconds);

    public static string ToJson<T>(T value) => JsonSerializer.Serialize(value, JsonOptions);

    public static T FromJson<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, JsonOptions) ?? throw new InvalidDataException("A stored JSON value is null.");

    public static string? GetNullableString(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>Appends an event to the log inside the caller's transaction.</summary>
    public static void AppendEvent(
        SqliteConnection connection, SqliteTransaction transaction, long tenantId, DateTimeOffset at, string type,
        long? emailId = null, string? agentId = null, long? offerId = null, string? detail = null)
    {
        using var command = connection.Command(
            """
            INSERT INTO events (tenant_id, at, type, email_id, agent_id, offer_id, detail)
            VALUES ($tenant, $at, $type, $email, $agent, $offer, $detail)
            """, transaction);
        command.With("$tenant", tenantId).With("$at", at.ToStored()).With("$type", type).With("$email", emailId)
            .With("$agent", agentId).With("$offer", offerId).With("$detail", detail);
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Records that the agent finished or lost an email now. Among agents with equal rank and load, the router
    /// prefers the one whose last such moment, or return to Available, is the oldest.
    /// </summary>
    public static void MarkCapacityFreed(
        SqliteConnection connection, SqliteTransaction transaction, long tenantId, string agentId, DateTimeOffset now)
    {
        using var command = connection.Command(
            "UPDATE agents SET idle_since = $now WHERE tenant_id = $tenant AND agent_id = $agent", transaction);
        command.With("$now", now.ToStored()).With("$tenant", tenantId).With("$agent", agentId);
        command.ExecuteNonQuery();
    }

    public static IReadOnlyList<EmailAttribute> ReadAttributes(string json) =>
        FromJson<List<EmailAttribute>>(json);
}

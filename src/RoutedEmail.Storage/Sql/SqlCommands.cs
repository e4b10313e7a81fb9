using System.Globalization;
using System.Text.Json;
using System.Data.Common;
using RoutedEmail.Core.Emails;

namespace RoutedEmail.Storage.Sql;

/// <summary>Small helpers for building commands and converting values to and from their stored form.</summary>
internal static class SqlCommands
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Returns a command for the SQL text in the transaction. Inside a SQLite write transaction on the kept writer,
    /// or a savepoint of one, the command is the kept connection's prepared one and the
    /// <paramref name="connection"/> is not used. Its dispose then ends only this use, so dispose every command
    /// before the transaction ends.
    /// </summary>
    public static DbCommand Command(this DbConnection connection, string sql, DbTransaction? transaction)
    {
        switch (transaction)
        {
            case Sqlite.SqliteWriteTransaction { Kept: not null } keptWrite:
                return keptWrite.KeptCommand(sql);
            case Sqlite.SqliteSavepointTransaction savepoint:
                return savepoint.KeptCommand(sql);
        }

        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction is IWrappedTransaction wrapper ? wrapper.Inner : transaction;
        return command;
    }

    public static DbCommand With(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return command;
    }

    /// <summary>
    /// Reads a whole number as an <see cref="int"/>. SQLite returns every integer as 64 bits and PostgreSQL returns
    /// <c>COUNT(*)</c> as 64 bits, so the value is converted rather than cast.
    /// </summary>
    public static int ReadInt32(this DbDataReader reader, int ordinal) =>
        Convert.ToInt32(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    /// <summary>Reads a whole number as a <see cref="long"/>, whatever width the database returns it in.</summary>
    public static long ReadInt64(this DbDataReader reader, int ordinal) =>
        Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    /// <summary>Returns the first column of the first row as a <see cref="long"/>, or null when it is missing or NULL.</summary>
    public static long? ExecuteInt64(this DbCommand command) =>
        command.ExecuteScalar() is { } value and not DBNull
            ? Convert.ToInt64(value, CultureInfo.InvariantCulture)
            : null;

    public static long ToStored(this DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static DateTimeOffset ToTime(long storedMilliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(storedMilliseconds);

    public static string ToJson<T>(T value) => JsonSerializer.Serialize(value, JsonOptions);

    public static T FromJson<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, JsonOptions) ?? throw new InvalidDataException("A stored JSON value is null.");

    public static string? GetNullableString(this DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>
    /// Appends a <c>SupervisorAction</c> event that names the action and the supervisor, after the action's own
    /// events in the same transaction. Nothing is appended when the supervisor is null, as for an agent's own action.
    /// </summary>
    public static void AppendSupervisorAction(
        DbConnection connection, DbTransaction transaction, long tenantId, DateTimeOffset at, string action,
        string? supervisor, long? emailId, string? agentId)
    {
        if (supervisor is not null)
        {
            AppendEvent(connection, transaction, tenantId, at, EventTypes.SupervisorAction, emailId, agentId,
                detail: ToJson(new { action, by = supervisor }));
        }
    }

    /// <summary>
    /// Appends an event to the log inside the caller's transaction. An email's event records the skill queue the
    /// email is in at that point of the transaction. The event has no sequence number until the transaction's
    /// commit numbers it, so the transaction must come from <see cref="SqlDatabase.BeginWrite"/>.
    /// </summary>
    public static void AppendEvent(
        DbConnection connection, DbTransaction transaction, long tenantId, DateTimeOffset at, string type,
        long? emailId = null, string? agentId = null, long? offerId = null, string? detail = null)
    {
        using var command = connection.Command(
            """
            INSERT INTO events (tenant_id, at, type, email_id, agent_id, offer_id, detail, queue)
            VALUES (@tenant, @at, @type, @email, @agent, @offer, @detail,
                (SELECT skill_queue FROM routed_emails WHERE id = @email))
            """, transaction);
        command.With("@tenant", tenantId).With("@at", at.ToStored()).With("@type", type).With("@email", emailId)
            .With("@agent", agentId).With("@offer", offerId).With("@detail", detail);
        command.ExecuteNonQuery();
        if (transaction is IWrappedTransaction wrapper)
        {
            wrapper.MarkEventAppended();
        }
        else
        {
            throw new InvalidOperationException(
                "An event was appended in a transaction that SqlDatabase.BeginWrite did not begin, so its commit " +
                "would not number the event. Begin the transaction with BeginWrite.");
        }
    }

    /// <summary>
    /// Records that the agent finished or lost an email now. Among agents with equal rank and load, the router
    /// prefers the one whose last such moment, or return to Available, is the oldest.
    /// </summary>
    public static void MarkCapacityFreed(
        DbConnection connection, DbTransaction transaction, long tenantId, string agentId, DateTimeOffset now)
    {
        using var command = connection.Command(
            "UPDATE agents SET idle_since = @now WHERE tenant_id = @tenant AND agent_id = @agent", transaction);
        command.With("@now", now.ToStored()).With("@tenant", tenantId).With("@agent", agentId);
        command.ExecuteNonQuery();
    }

    public static IReadOnlyList<EmailAttribute> ReadAttributes(string json) =>
        FromJson<List<EmailAttribute>>(json);
}

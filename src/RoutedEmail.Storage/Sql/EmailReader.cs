using System.Data.Common;
using RoutedEmail.Core.Emails;

namespace RoutedEmail.Storage.Sql;

/// <summary>Reads routed emails with their history.</summary>
internal static class EmailReader
{
    /// <summary>The columns that <see cref="Read"/> expects, in order, for a table aliased <c>e</c>.</summary>
    public const string Columns =
        "e.id, e.entity_id, e.state, e.owner_id, e.skill_queue, e.priority, e.agent_id, e.from_address, " +
        "e.to_address, e.subject, e.attributes, e.enqueued_at, e.screen_pop_url, e.decline_count, e.expiry_count, " +
        "e.wrap_ends_at, e.escalated_at, e.overflow_queue";

    /// <summary>The number of columns in <see cref="Columns"/>.</summary>
    public const int ColumnCount = 18;

    private const string HistoryQuery = "SELECT at, type, agent_id FROM events WHERE email_id = @email ORDER BY id";

    /// <summary>
    /// Reads one email from the reader's current row, starting at <paramref name="first"/>, with an empty history.
    /// Add the history with <c>WithHistory</c> after the reader is closed, because a PostgreSQL connection
    /// runs one command at a time.
    /// </summary>
    public static (RoutedEmailDetails Email, string? ScreenPopUrl) Read(DbDataReader reader, int first = 0)
    {
        var emailId = reader.ReadInt64(first);
        var state = Enum.Parse<RoutedEmailState>(reader.GetString(first + 2));

        // A cancel during Wrap leaves the column set, but the deadline means nothing outside Wrap.
        var wrapEndsAt = state == RoutedEmailState.Wrap && !reader.IsDBNull(first + 15)
            ? SqlCommands.ToTime(reader.ReadInt64(first + 15))
            : (DateTimeOffset?)null;
        var email = new RoutedEmailDetails(
            EmailId: emailId,
            EntityId: reader.GetString(first + 1),
            State: state,
            OwnerId: reader.GetString(first + 3),
            SkillQueue: reader.GetString(first + 4),
            Priority: reader.ReadInt32(first + 5),
            AgentId: reader.GetNullableString(first + 6),
            FromAddress: reader.GetString(first + 7),
            ToAddress: reader.GetString(first + 8),
            Subject: reader.GetString(first + 9),
            Attributes: SqlCommands.ReadAttributes(reader.GetString(first + 10)),
            EnqueuedAt: SqlCommands.ToTime(reader.ReadInt64(first + 11)),
            History: [],
            DeclineCount: reader.ReadInt32(first + 13),
            ExpiryCount: reader.ReadInt32(first + 14),
            WrapEndsAt: wrapEndsAt)
        {
            EscalatedAt = reader.IsDBNull(first + 16) ? null : SqlCommands.ToTime(reader.ReadInt64(first + 16)),
            OverflowQueue = reader.GetNullableString(first + 17),
        };
        return (email, reader.GetNullableString(first + 12));
    }

    /// <summary>Returns the email with its history read from the event log.</summary>
    public static RoutedEmailDetails WithHistory(
        DbConnection connection, DbTransaction? transaction, RoutedEmailDetails email)
    {
        ArgumentNullException.ThrowIfNull(email);
        return email with { History = ReadHistory(connection, transaction, email.EmailId) };
    }

    /// <summary>Returns the email with its history, read with the session's kept command.</summary>
    public static RoutedEmailDetails WithHistory(
        SqlSession session, DbTransaction? transaction, RoutedEmailDetails email)
    {
        ArgumentNullException.ThrowIfNull(email);
        var command = session.Command(HistoryQuery, transaction);
        return email with { History = ReadHistory(command, email.EmailId) };
    }

    private static List<HistoryEntry> ReadHistory(
        DbConnection connection, DbTransaction? transaction, long emailId)
    {
        using var command = connection.Command(HistoryQuery, transaction);
        return ReadHistory(command, emailId);
    }

    private static List<HistoryEntry> ReadHistory(DbCommand command, long emailId)
    {
        command.With("@email", emailId);
        using var reader = command.ExecuteReader();
        var history = new List<HistoryEntry>();
        while (reader.Read())
        {
            history.Add(new HistoryEntry(
                SqlCommands.ToTime(reader.ReadInt64(0)), reader.GetString(1), reader.GetNullableString(2)));
        }

        return history;
    }
}

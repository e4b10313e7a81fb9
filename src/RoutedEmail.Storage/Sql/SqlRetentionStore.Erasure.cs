using System.Data.Common;
using RoutedEmail.Core.Emails;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>Erases the personal data of one entity id's routed emails.</summary>
internal sealed partial class SqlRetentionStore
{
    public Task<ErasureResult?> EraseAsync(
        long tenantId, string entityId, DateTimeOffset now, CancellationToken cancellationToken) =>
        EraseAsync(tenantId, entityId, now, null, cancellationToken);

    public Task<ErasureResult?> EraseAsync(
        long tenantId, string entityId, DateTimeOffset now, string? actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entityId);
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId);
        var emails = ReadPersonalData(connection, transaction, tenantId, entityId);
        if (emails.Count == 0)
        {
            return Task.FromResult<ErasureResult?>(null);
        }

        var detail = actor is null ? null : SqlCommands.ToJson(new { by = actor });
        var agentIds = new SortedSet<string>(StringComparer.Ordinal);
        var erasedEmails = 0;
        var erasedFields = 0;
        foreach (var email in emails)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var fields = CountPersonalFields(email);
            if (fields == 0)
            {
                continue;
            }

            Overwrite(connection, transaction, email, now);
            SqlCommands.AppendEvent(
                connection, transaction, tenantId, now, EventTypes.Erased, email.Id, detail: detail);
            erasedEmails++;
            erasedFields += fields;
            if (email.HeldBy is { } agentId)
            {
                agentIds.Add(agentId);
            }
        }

        // Webhook delivery records hold only ids, and each payload is rebuilt from an event without email content,
        // so they have nothing to erase.
        transaction.Commit();
        var result = new ErasureResult(emails.Count, erasedEmails, erasedFields, [.. agentIds]);
        return Task.FromResult<ErasureResult?>(result);
    }

    private static List<PersonalData> ReadPersonalData(
        DbConnection connection, DbTransaction transaction, long tenantId, string entityId)
    {
        using var read = connection.Command(
            """
            SELECT id, from_address, to_address, subject, attributes, screen_pop_url, notes,
                   CASE WHEN state IN ('Offered', 'Active', 'Wrap') THEN agent_id END
            FROM routed_emails WHERE tenant_id = @tenant AND entity_id = @entity ORDER BY id
            """, transaction);
        read.With("@tenant", tenantId).With("@entity", entityId);
        using var reader = read.ExecuteReader();
        var emails = new List<PersonalData>();
        while (reader.Read())
        {
            emails.Add(new PersonalData(
                reader.ReadInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                SqlCommands.ReadAttributes(reader.GetString(4)), reader.GetNullableString(5),
                reader.GetNullableString(6), reader.GetNullableString(7)));
        }

        return emails;
    }

    /// <summary>Counts the values that still hold personal data: 0 for an email erased before.</summary>
    private static int CountPersonalFields(PersonalData email)
    {
        const string Erased = IRetentionStore.ErasedText;
        var count = email.Attributes.Count(attribute => attribute.Value != Erased);
        count += email.FromAddress == Erased ? 0 : 1;
        count += email.ToAddress == Erased ? 0 : 1;
        count += email.Subject == Erased ? 0 : 1;
        count += email.ScreenPopUrl is null ? 0 : 1;
        count += email.Notes is null ? 0 : 1;
        return count;
    }

    private static void Overwrite(
        DbConnection connection, DbTransaction transaction, PersonalData email, DateTimeOffset now)
    {
        // The keys stay, because they name fields, not people, and screen-pop URL templates refer to them.
        var attributes = email.Attributes.Select(attribute => attribute with { Value = IRetentionStore.ErasedText });
        using var write = connection.Command(
            """
            UPDATE routed_emails
            SET from_address = @erased, to_address = @erased, subject = @erased, attributes = @attributes,
                screen_pop_url = NULL, notes = NULL, erased_at = @now
            WHERE id = @email
            """, transaction);
        write.With("@erased", IRetentionStore.ErasedText).With("@attributes", SqlCommands.ToJson(attributes.ToList()))
            .With("@now", now.ToStored()).With("@email", email.Id).ExecuteNonQuery();
    }

    private sealed record PersonalData(
        long Id, string FromAddress, string ToAddress, string Subject, IReadOnlyList<EmailAttribute> Attributes,
        string? ScreenPopUrl, string? Notes, string? HeldBy);
}

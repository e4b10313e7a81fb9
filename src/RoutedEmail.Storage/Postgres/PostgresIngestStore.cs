using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using RoutedEmail.Core.Emails;
using RoutedEmail.Storage.Abstractions;
using RoutedEmail.Storage.Sql;

namespace RoutedEmail.Storage.Postgres;

/// <summary>
/// Ingest on PostgreSQL: each batch is one transaction of three statements: locks on its entity ids, a retry
/// look-up, and one multi-row insert of the emails with their Received events. No writer task groups batches as on SQLite, because PostgreSQL
/// already flushes the write-ahead log once for all transactions that commit at the same moment.
/// </summary>
internal sealed class PostgresIngestStore(PostgresDatabase database, TimeProvider time) : IIngestStore
{
    // The same JSON form as the SQLite store, so attributes read back the same from either database.
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    // The first key of the two-key advisory locks on entity ids, an arbitrary constant that nothing else in this
    // database uses. Two-key locks never collide with one-key locks such as the migration lock.
    private const int EntityLockClass = 0x494E4745; // "INGE" in ASCII

    public async Task<int> AppendAsync(
        long tenantId, IReadOnlyList<NewRoutedEmail> emails, DateTimeOffset retainedSince,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(emails);

        // A repeat inside the batch is a retry of its first occurrence.
        var distinct = emails.DistinctBy(email => email.EntityId, StringComparer.Ordinal).ToList();
        if (distinct.Count == 0)
        {
            return 0;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var entityIds = distinct.Select(email => email.EntityId).ToArray();
        await LockEntityIdsAsync(connection, transaction, tenantId, entityIds, cancellationToken);
        var retries = await FindRetriesAsync(
            connection, transaction, tenantId, entityIds, retainedSince, cancellationToken);
        var fresh = distinct.Where(email => !retries.Contains(email.EntityId)).ToList();
        var added = fresh.Count == 0
            ? 0
            : await InsertAsync(connection, transaction, tenantId, fresh, time.GetUtcNow(), cancellationToken);

        // Numbering takes the tenant's event counter lock, so it comes last, just before the commit. It also
        // notifies the other nodes, at the commit.
        if (added > 0)
        {
            await SqlEventSequences.NumberPendingAsync(
                connection, transaction, SqlEventSequences.Postgres, cancellationToken);
        }

        // The commit is not cancelled: once it is sent, the caller's giving up cannot undo it.
        await transaction.CommitAsync(CancellationToken.None);
        if (added > 0)
        {
            EventCommitSignals.Signal(database.Observers, tenantId);
        }

        return added;
    }

    public async Task<IReadOnlySet<string>> FindRetriesAsync(
        long tenantId, IReadOnlyCollection<string> entityIds, DateTimeOffset retainedSince,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entityIds);
        await using var connection = await database.OpenAsync(cancellationToken);
        return await FindRetriesAsync(
            connection, null, tenantId, entityIds.ToArray(), retainedSince, cancellationToken);
    }

    /// <summary>
    /// Takes a transaction advisory lock per entity id of the batch, so that concurrent batches, on any node, that
    /// share an entity id run one after the other. The later one's look-up then reads the earlier one's committed rows.
    /// The locks are taken in the order of their keys, so two batches never wait for each other in a cycle.
    /// </summary>
    private static async Task LockEntityIdsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long tenantId, string[] entityIds,
        CancellationToken cancellationToken)
    {
        // Two entity ids whose hashes collide share a lock, which only makes one batch wait for the other.
        await using var command = new NpgsqlCommand(
            """
            SELECT pg_advisory_xact_lock(@lock_class, key) FROM (
                SELECT DISTINCT hashtext(@tenant::text || ':' || entity_id) AS key
                FROM unnest(@entities) AS entity_id
                ORDER BY key) keys
            """, connection, transaction);
        command.Parameters.AddWithValue("lock_class", EntityLockClass);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("entities", entityIds);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<HashSet<string>> FindRetriesAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, long tenantId, string[] entityIds,
        DateTimeOffset retainedSince, CancellationToken cancellationToken)
    {
        // DISTINCT ON keeps the newest email of each entity id, which routed_emails_by_entity serves in order.
        await using var command = new NpgsqlCommand(
            """
            SELECT entity_id FROM (
                SELECT DISTINCT ON (entity_id) entity_id, closed_at FROM routed_emails
                WHERE tenant_id = @tenant AND entity_id = ANY(@entities)
                ORDER BY entity_id, id DESC) newest
            WHERE closed_at IS NULL OR closed_at > @retained_since
            """, connection, transaction);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("entities", entityIds);
        command.Parameters.AddWithValue("retained_since", retainedSince.ToUnixTimeMilliseconds());
        var retries = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            retries.Add(reader.GetString(0));
        }

        return retries;
    }

    /// <summary>Inserts the emails and one Received event each, and returns the number inserted.</summary>
    private static async Task<int> InsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long tenantId, List<NewRoutedEmail> emails,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        // The entity id locks already keep a second open email of an entity id out. ON CONFLICT is the backstop
        // for a writer that inserts without them, and it skips such a row as a retry.
        await using var command = new NpgsqlCommand(
            """
            WITH inserted AS (
                INSERT INTO routed_emails (tenant_id, entity_id, owner_id, skill_queue, priority, state,
                    from_address, to_address, subject, attributes, screen_pop_url, received_at, enqueued_at)
                SELECT @tenant, entity_id, owner_id, skill_queue, priority, 'Queued',
                    from_address, to_address, subject, attributes, screen_pop_url, @now, @now
                FROM unnest(@entities, @owners, @queues, @priorities, @from, @to, @subjects, @attributes,
                    @screen_pops) WITH ORDINALITY
                    AS batch (entity_id, owner_id, skill_queue, priority, from_address, to_address, subject,
                        attributes, screen_pop_url, position)
                ORDER BY position
                ON CONFLICT (tenant_id, entity_id) WHERE closed_at IS NULL DO NOTHING
                RETURNING id, skill_queue)
            INSERT INTO events (tenant_id, at, type, email_id, queue)
            SELECT @tenant, @now, @type, id, skill_queue FROM inserted ORDER BY id
            """, connection, transaction);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("now", now.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("type", EventTypes.Received);
        AddArray(command, "entities", emails.Select(email => email.EntityId));
        AddArray(command, "owners", emails.Select(email => email.OwnerId));
        AddArray(command, "queues", emails.Select(email => email.SkillQueue));
        command.Parameters.AddWithValue("priorities", emails.Select(email => email.Priority).ToArray());
        AddArray(command, "from", emails.Select(email => email.FromAddress));
        AddArray(command, "to", emails.Select(email => email.ToAddress));
        AddArray(command, "subjects", emails.Select(email => email.Subject));
        AddArray(command, "attributes", emails.Select(email => JsonSerializer.Serialize(email.Attributes, JsonOptions)));
        AddArray(command, "screen_pops", emails.Select(email => email.ScreenPopUrl));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void AddArray(NpgsqlCommand command, string name, IEnumerable<string?> values) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Text)
        {
            Value = values.ToArray(),
        });
}

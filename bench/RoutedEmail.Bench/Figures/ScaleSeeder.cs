using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace RoutedEmail.Bench.Figures;

/// <summary>
/// Fills a stopped server's SQLite database in bulk, without HTTP, with skill queues, agents and waiting emails.
/// Each row is a copy of a template row that the server wrote itself, so every column, including those of later
/// migrations, contains a value the server would write. Each email also gets its Received event, as ingest writes.
/// </summary>
internal static class ScaleSeeder
{
    /// <summary>The database file in the data directory, as the server names it.</summary>
    public const string DatabaseFileName = "routed-email.db";

    private const int RowsPerTransaction = 500_000;

    /// <summary>Seeds the database and returns how long it took.</summary>
    /// <param name="dataDirectory">The data directory of a server that has stopped.</param>
    /// <param name="scale">How many emails, agents and queues to add.</param>
    /// <param name="templateAgentId">An agent the server defined, whose row the seeded agents copy.</param>
    /// <param name="templateEntityId">An email the server queued, whose row the seeded emails copy.</param>
    public static TimeSpan Seed(string dataDirectory, ScaleCase scale, string templateAgentId, string templateEntityId)
    {
        var elapsed = Stopwatch.StartNew();
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, DatabaseFileName),
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
        };
        using var connection = new SqliteConnection(builder.ToString());
        connection.Open();

        // Durability of the seed does not matter: a crash here fails the run anyway.
        Execute(connection, "PRAGMA synchronous = OFF");
        var (tenantId, queue) = ReadTemplateEmail(connection, templateEntityId);
        var queues = SeedQueues(connection, tenantId, queue, scale.Queues);
        SeedAgents(connection, tenantId, templateAgentId, scale.Agents, queues);
        SeedEmails(connection, templateEntityId, scale.WaitingEmails, queues);

        // The server would have checkpointed the write-ahead log long before such a queue built up.
        Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE)");
        return elapsed.Elapsed;
    }

    private static (long TenantId, string Queue) ReadTemplateEmail(SqliteConnection connection, string entityId)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT tenant_id, skill_queue FROM routed_emails WHERE entity_id = $entity";
        command.Parameters.AddWithValue("$entity", entityId);
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? (reader.GetInt64(0), reader.GetString(1))
            : throw new InvalidOperationException(
                $"The template email \"{entityId}\" is not in the database, so the seed cannot copy it.");
    }

    // Returns the names of all queues: the template queue first, then the copies.
    private static List<string> SeedQueues(SqliteConnection connection, long tenantId, string template, int count)
    {
        var names = new List<string> { template };
        names.AddRange(Enumerable.Range(1, count - 1).Select(i => $"seed-queue-{i:D6}"));
        if (count > 1)
        {
            var columns = ReadColumns(connection, "skill_queues");
            CopyRows(connection, "skill_queues", columns, new() { ["name"] = "printf('seed-queue-%06d', n.i)" },
                "t.tenant_id = $tenant AND t.name = $template", count - 1,
                ("$tenant", tenantId), ("$template", template));
        }

        return names;
    }

    private static void SeedAgents(
        SqliteConnection connection, long tenantId, string template, int count, List<string> queues)
    {
        if (count == 0)
        {
            return;
        }

        var columns = ReadColumns(connection, "agents");
        CopyRows(connection, "agents", columns,
            new()
            {
                ["agent_id"] = "printf('seed-agent-%07d', n.i)",
                ["display_name"] = "printf('seed-agent-%07d', n.i)",
                ["status"] = "'Offline'",
            },
            "t.tenant_id = $tenant AND t.agent_id = $template", count, ("$tenant", tenantId), ("$template", template));

        // Agent i serves queue i modulo the queue count, with rank 1.
        using var transaction = connection.BeginTransaction();
        using var skills = connection.CreateCommand();
        skills.Transaction = transaction;
        skills.CommandText =
            """
            INSERT INTO agent_skills (tenant_id, agent_id, skill_queue, rank)
            SELECT $tenant, printf('seed-agent-%07d', n.i),
                   CASE WHEN n.i % $queues = 0 THEN $first ELSE printf('seed-queue-%06d', n.i % $queues) END, 1
            FROM (WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $count) SELECT i FROM c) n
            """;
        skills.Parameters.AddWithValue("$tenant", tenantId);
        skills.Parameters.AddWithValue("$queues", queues.Count);
        skills.Parameters.AddWithValue("$first", queues[0]);
        skills.Parameters.AddWithValue("$count", count);
        skills.ExecuteNonQuery();
        transaction.Commit();
    }

    // Email i waits in queue i modulo the queue count, and is older than the template by (count - i) ms.
    private static void SeedEmails(SqliteConnection connection, string templateEntityId, int count, List<string> queues)
    {
        var columns = ReadColumns(connection, "routed_emails");
        for (var first = 1; first <= count; first += RowsPerTransaction)
        {
            var last = Math.Min(count, first + RowsPerTransaction - 1);
            using var transaction = connection.BeginTransaction();
            using var before = connection.CreateCommand();
            before.Transaction = transaction;
            before.CommandText = "SELECT COALESCE(MAX(id), 0) FROM routed_emails";
            var lastId = (long)before.ExecuteScalar()!;
            before.CommandText = "SELECT COALESCE(MAX(id), 0) FROM events";
            var lastEventId = (long)before.ExecuteScalar()!;

            var entity = "printf('seed-%09d', n.i)";
            CopyRows(connection, transaction, "routed_emails", columns,
                new()
                {
                    ["entity_id"] = entity,
                    ["subject"] = "'Replacement part for ' || " + entity,
                    ["attributes"] = "json_array(json_object('key', 'CustomerId', 'value', " + entity + "))",
                    ["skill_queue"] =
                        "CASE WHEN n.i % $queues = 0 THEN $first ELSE printf('seed-queue-%06d', n.i % $queues) END",
                    ["received_at"] = "t.received_at - ($total - n.i + 1)",
                    ["enqueued_at"] = "t.enqueued_at - ($total - n.i + 1)",
                },
                "t.entity_id = $template", (first, last),
                ("$template", templateEntityId), ("$queues", queues.Count), ("$first", queues[0]), ("$total", count));

            // Each event gets its number and public id, as the server's ingest gives them. The server's first write
            // transaction that appends an event would otherwise number every seeded event, under the write lock.
            using var events = connection.CreateCommand();
            events.Transaction = transaction;
            events.CommandText =
                """
                INSERT INTO events (tenant_id, at, type, email_id, sequence, public_id)
                SELECT e.tenant_id, e.received_at, 'Received', e.id,
                       COALESCE((SELECT s.last_sequence FROM event_sequences s WHERE s.tenant_id = e.tenant_id), 0)
                           + ROW_NUMBER() OVER (PARTITION BY e.tenant_id ORDER BY e.id),
                       'evt_' || lower(hex(randomblob(16)))
                FROM routed_emails e WHERE e.id > $last;

                INSERT INTO event_sequences (tenant_id, last_sequence)
                SELECT tenant_id, MAX(sequence) FROM events WHERE id > $last_event GROUP BY tenant_id
                ON CONFLICT (tenant_id) DO UPDATE SET last_sequence = excluded.last_sequence;
                """;
            events.Parameters.AddWithValue("$last", lastId);
            events.Parameters.AddWithValue("$last_event", lastEventId);
            events.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    private static void CopyRows(
        SqliteConnection connection, string table, List<string> columns, Dictionary<string, string> replacements,
        string templateFilter, int count, params (string Name, object Value)[] parameters)
    {
        using var transaction = connection.BeginTransaction();
        CopyRows(connection, transaction, table, columns, replacements, templateFilter, (1, count), parameters);
        transaction.Commit();
    }

    // Inserts one copy of the template row per n.i in the range, with some columns replaced by SQL expressions.
    private static void CopyRows(
        SqliteConnection connection, SqliteTransaction transaction, string table, List<string> columns,
        Dictionary<string, string> replacements, string templateFilter, (int First, int Last) range,
        params (string Name, object Value)[] parameters)
    {
        var copied = columns.Where(column => column != "id").ToList();
        var values = copied.Select(column => replacements.TryGetValue(column, out var value) ? value : "t." + column);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            $"""
            INSERT INTO {table} ({string.Join(", ", copied)})
            SELECT {string.Join(", ", values)}
            FROM (WITH RECURSIVE c(i) AS (SELECT $from UNION ALL SELECT i + 1 FROM c WHERE i < $to) SELECT i FROM c) n,
                 {table} t
            WHERE {templateFilter}
            """;
        command.Parameters.AddWithValue("$from", range.First);
        command.Parameters.AddWithValue("$to", range.Last);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }

    private static List<string> ReadColumns(SqliteConnection connection, string table)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT name FROM pragma_table_info('{table}')";
        using var reader = command.ExecuteReader();
        var columns = new List<string>();
        while (reader.Read())
        {
            columns.Add(reader.GetString(0));
        }

        return columns;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using RoutedEmail.Core.Emails;
using RoutedEmail.Storage.Abstractions;
using RoutedEmail.Storage.Sql;

namespace RoutedEmail.Storage.Sqlite;

/// <summary>
/// Group commit for ingest: one writer drains every batch waiting at that moment into one transaction, so that many
/// requests share one fsync. Each batch is written in its own savepoint, so a failing batch rolls back alone, and
/// each caller gets its response only after the commit that contains its batch. With an <see cref="IArrivalRouting"/>,
/// the group's transaction also routes the new email (SqliteIngestWriterRouting.cs).
/// </summary>
internal sealed partial class SqliteIngestWriter : IIngestStore, IAsyncDisposable
{
    // Bounds the work of one transaction, so a flood of requests still commits in steps of bounded size.
    private const int MaxBatchesPerCommit = 512;

    private readonly SqliteDatabase _database;
    private readonly SqliteKeptWriter _keptWriter;
    private readonly TimeProvider _time;
    private readonly ILogger<SqliteIngestWriter> _logger;
    private readonly Channel<PendingBatch> _pending = Channel.CreateBounded<PendingBatch>(
        new BoundedChannelOptions(16_384) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly Task _writer;

    // The writer task's own commands, on the connection of its own kept writer. They are kept from one group to the
    // next, so their statements are prepared once. A failed group disposes them, and the next group prepares them
    // again, on a new connection when the kept writer closed the old one.
    private IngestStatements? _statements;

    /// <summary>Starts the writer task.</summary>
    /// <param name="database">The database file to write to.</param>
    /// <param name="time">The clock of the emails' times.</param>
    /// <param name="logger">The writer's logger.</param>
    /// <param name="routing">The store whose routing step routes new email inside the group's transaction.</param>
    /// <param name="arrivals">The host's routing on arrival; none, or an empty list, to leave new email waiting.</param>
    public SqliteIngestWriter(
        SqliteDatabase database, TimeProvider time, ILogger<SqliteIngestWriter> logger,
        SqlRoutingStore? routing = null, IEnumerable<IArrivalRouting>? arrivals = null)
    {
        _database = database;
        _keptWriter = database.CreateKeptWriter();
        _time = time;
        _logger = logger;
        _arrival = arrivals?.FirstOrDefault();
        _routing = routing ?? new SqlRoutingStore(database, time);
        _writer = Task.Run(WriteLoopAsync);
    }

    public async Task<int> AppendAsync(
        long tenantId, IReadOnlyList<NewRoutedEmail> emails, DateTimeOffset retainedSince,
        CancellationToken cancellationToken)
    {
        var batch = new PendingBatch(tenantId, emails, retainedSince);
        await _pending.Writer.WriteAsync(batch, cancellationToken);

        // Once queued, the batch is written even if the caller gives up, so the caller waits without its token.
        return await batch.Completion.Task;
    }

    public Task<IReadOnlySet<string>> FindRetriesAsync(
        long tenantId, IReadOnlyCollection<string> entityIds, DateTimeOffset retainedSince,
        CancellationToken cancellationToken)
    {
        using var connection = _database.Open();
        using var command = connection.Command(
            """
            SELECT e.entity_id FROM routed_emails e
            WHERE e.tenant_id = $tenant AND e.entity_id IN (SELECT value FROM json_each($entities))
              AND e.id = (SELECT MAX(n.id) FROM routed_emails n
                          WHERE n.tenant_id = e.tenant_id AND n.entity_id = e.entity_id)
              AND (e.closed_at IS NULL OR e.closed_at > $retained_since)
            """, null);
        command.With("$tenant", tenantId).With("$entities", SqlCommands.ToJson(entityIds))
            .With("$retained_since", retainedSince.ToStored());
        using var reader = command.ExecuteReader();
        var retries = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            retries.Add(reader.GetString(0));
        }

        return Task.FromResult<IReadOnlySet<string>>(retries);
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _writer;
        _statements?.Dispose();
        _statements = null;
        _keptWriter.Dispose();
    }

    private async Task WriteLoopAsync()
    {
        var group = new List<PendingBatch>(MaxBatchesPerCommit);
        while (await _pending.Reader.WaitToReadAsync())
        {
            group.Clear();
            while (group.Count < MaxBatchesPerCommit && _pending.Reader.TryRead(out var batch))
            {
                group.Add(batch);
            }

            try
            {
                var counts = WriteGroup(group);
                for (var i = 0; i < group.Count; i++)
                {
                    group[i].Finish(counts[i]);
                }
            }
#pragma warning disable CA1031 // Every waiting caller must get a response, whatever the failure.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                if (!CallerLogs(exception))
                {
                    Log.GroupCommitFailed(_logger, exception, group.Count);
                }

                _statements?.Dispose();
                _statements = null;
                foreach (var batch in group)
                {
                    batch.Fail(exception);
                }
            }
        }
    }

    private int?[] WriteGroup(List<PendingBatch> group)
    {
        var counts = new int?[group.Count];
        var failures = new Exception?[group.Count];
        using var transaction = SqliteWriteTransaction.Begin(_keptWriter, _database.WriteGate, _database.Observers);
        var connection = (SqliteConnection)transaction.Connection!;
        if (_statements?.Connection != connection)
        {
            // The kept writer opened a new connection, after a failure closed the one the statements were on.
            _statements?.Dispose();
            _statements = new IngestStatements(connection);
        }

        var statements = _statements;
        statements.Enlist(transaction.Inner);
        var now = _time.GetUtcNow();
        for (var i = 0; i < group.Count; i++)
        {
            statements.Savepoint.ExecuteNonQuery();
            try
            {
                var added = statements.Append(group[i], now);
                statements.Release.ExecuteNonQuery();
                counts[i] = added;
                if (added > 0)
                {
                    // The writer numbered the batch's events itself, so the commit only notifies the observers.
                    statements.Keep(group[i], added);
                    transaction.MarkEventsNumbered(group[i].TenantId);
                }
            }
            catch (SqliteException exception)
            {
                statements.Rollback.ExecuteNonQuery();
                failures[i] = exception;
                if (!CallerLogs(exception))
                {
                    Log.BatchFailed(_logger, exception, group[i].TenantId);
                }
            }
        }

        statements.WriteLastSequences();
        RouteCommitAndAnnounce(transaction, statements, group, counts);
        for (var i = 0; i < group.Count; i++)
        {
            if (failures[i] is { } failure)
            {
                group[i].Fail(failure);
            }
        }

        return counts;
    }

    private sealed class PendingBatch(long tenantId, IReadOnlyList<NewRoutedEmail> emails, DateTimeOffset retainedSince)
    {
        public long TenantId { get; } = tenantId;

        public IReadOnlyList<NewRoutedEmail> Emails { get; } = emails;

        public DateTimeOffset RetainedSince { get; } = retainedSince;

        public TaskCompletionSource<int> Completion { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Finish(int? count)
        {
            if (count is { } value)
            {
                Completion.TrySetResult(value);
            }
        }

        public void Fail(Exception exception) => Completion.TrySetException(exception);
    }

    /// <summary>
    /// The writer's commands on its connection. Microsoft.Data.Sqlite keeps a command's prepared statements until
    /// the command or its connection is disposed, so each is parsed once for many group transactions. Each command
    /// keeps its parameter objects too, and every execution sets their values.
    /// </summary>
    /// <remarks>
    /// The writer numbers each batch's Received events as it inserts them, after the tenant's last number in
    /// <c>event_sequences</c>. The group transaction holds SQLite's write lock, and the only other events in it come
    /// from routing on arrival after the last batch, which the commit numbers after these. So the numbers are
    /// gap-free and follow id order, as those of <see cref="SqliteEventNumbering"/>.
    /// Numbering at the commit instead would update every event row once more.
    /// </remarks>
    private sealed class IngestStatements : IDisposable
    {
        private readonly SqliteCommand _findNewest;
        private readonly SqliteCommand _insertEmail;
        private readonly SqliteCommand _insertEvent;
        private readonly SqliteCommand _readLastSequence;
        private readonly SqliteCommand _writeLastSequence;

        // Each tenant's last event number in the group transaction, counting only the batches kept so far.
        private readonly Dictionary<long, long> _lastSequences = [];

        public IngestStatements(SqliteConnection connection)
        {
            Connection = connection;
            Savepoint = (SqliteCommand)connection.Command("SAVEPOINT batch", null);
            Release = (SqliteCommand)connection.Command("RELEASE batch", null);
            Rollback = (SqliteCommand)connection.Command("ROLLBACK TO batch; RELEASE batch", null);
            _findNewest = Prepare(connection,
                """
                SELECT closed_at IS NULL OR closed_at > $retained_since FROM routed_emails
                WHERE tenant_id = $tenant AND entity_id = $entity ORDER BY id DESC LIMIT 1
                """, "$retained_since", "$tenant", "$entity");
            _insertEmail = Prepare(connection,
                """
                INSERT INTO routed_emails (tenant_id, entity_id, owner_id, skill_queue, priority, state,
                    from_address, to_address, subject, attributes, screen_pop_url, received_at, enqueued_at)
                VALUES ($tenant, $entity, $owner, $queue, $priority, 'Queued',
                    $from, $to, $subject, $attributes, $screen_pop, $now, $now)
                RETURNING id
                """,
                "$tenant", "$entity", "$owner", "$queue", "$priority", "$from", "$to", "$subject", "$attributes",
                "$screen_pop", "$now");
            _insertEvent = Prepare(connection,
                $"""
                INSERT INTO events (tenant_id, at, type, email_id, queue, sequence, public_id)
                VALUES ($tenant, $now, '{EventTypes.Received}', $email, $queue, $sequence,
                    {SqlEventSequences.SqlitePublicId})
                """,
                "$tenant", "$now", "$email", "$queue", "$sequence");
            _readLastSequence = Prepare(connection,
                "SELECT last_sequence FROM event_sequences WHERE tenant_id = $tenant", "$tenant");
            _writeLastSequence = Prepare(connection,
                """
                INSERT INTO event_sequences (tenant_id, last_sequence) VALUES ($tenant, $last)
                ON CONFLICT (tenant_id) DO UPDATE SET last_sequence = excluded.last_sequence
                """, "$tenant", "$last");
        }

        /// <summary>The connection that the commands run on.</summary>
        public SqliteConnection Connection { get; }

        /// <summary>Starts a batch's savepoint.</summary>
        public SqliteCommand Savepoint { get; }

        /// <summary>Keeps a batch's writes in the group transaction.</summary>
        public SqliteCommand Release { get; }

        /// <summary>Undoes a failed batch's writes and ends its savepoint.</summary>
        public SqliteCommand Rollback { get; }

        /// <summary>Runs every command in the group's transaction, which Microsoft.Data.Sqlite requires.</summary>
        public void Enlist(SqliteTransaction transaction)
        {
            foreach (var command in All())
            {
                command.Transaction = transaction;
            }
        }

        /// <summary>Inserts the batch's new emails and their numbered Received events.</summary>
        /// <returns>The number of emails inserted; the others are retries of emails still retained.</returns>
        public int Append(PendingBatch batch, DateTimeOffset now)
        {
            var tenant = batch.TenantId;
            var stored = now.ToStored();
            var sequence = LastSequence(tenant);
            var added = 0;
            foreach (var email in batch.Emails)
            {
                if (IsRetry(batch, email))
                {
                    continue;
                }

                Set(_insertEmail, tenant, email.EntityId, email.OwnerId, email.SkillQueue, email.Priority,
                    email.FromAddress, email.ToAddress, email.Subject, SqlCommands.ToJson(email.Attributes),
                    email.ScreenPopUrl, stored);
                var emailId = (long)_insertEmail.ExecuteScalar()!;
                sequence++;
                Set(_insertEvent, tenant, stored, emailId, email.SkillQueue, sequence);
                _insertEvent.ExecuteNonQuery();
                added++;
            }

            return added;
        }

        /// <summary>
        /// Moves the tenant's last event number past the batch's events, once the batch's savepoint is released.
        /// </summary>
        public void Keep(PendingBatch batch, int added) => _lastSequences[batch.TenantId] += added;

        /// <summary>
        /// Stores each tenant's last event number of the group and clears them for the next group. A failed group
        /// disposes these statements instead, so the next group reads the stored numbers again.
        /// </summary>
        public void WriteLastSequences()
        {
            foreach (var (tenant, last) in _lastSequences)
            {
                Set(_writeLastSequence, tenant, last);
                _writeLastSequence.ExecuteNonQuery();
            }

            _lastSequences.Clear();
        }

        public void Dispose()
        {
            foreach (var command in All())
            {
                command.Dispose();
            }
        }

        private SqliteCommand[] All() =>
            [Savepoint, Release, Rollback, _findNewest, _insertEmail, _insertEvent, _readLastSequence,
                _writeLastSequence];

        private long LastSequence(long tenantId)
        {
            if (_lastSequences.TryGetValue(tenantId, out var last))
            {
                return last;
            }

            Set(_readLastSequence, tenantId);
            last = _readLastSequence.ExecuteScalar() is long stored ? stored : 0;
            _lastSequences[tenantId] = last;
            return last;
        }

        private bool IsRetry(PendingBatch batch, NewRoutedEmail email)
        {
            Set(_findNewest, batch.RetainedSince.ToStored(), batch.TenantId, email.EntityId);
            return _findNewest.ExecuteScalar() is long stillRetained && stillRetained != 0;
        }

        private static SqliteCommand Prepare(SqliteConnection connection, string sql, params string[] parameters)
        {
            var command = (SqliteCommand)connection.Command(sql, null);
            foreach (var name in parameters)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            return command;
        }

        // Sets the values in the order the command's parameters were added.
        private static void Set(SqliteCommand command, params ReadOnlySpan<object?> values)
        {
            var parameters = command.Parameters;
            for (var i = 0; i < values.Length; i++)
            {
                parameters[i].Value = values[i] ?? DBNull.Value;
            }
        }
    }

    // A full disk (13), an I/O error (10) or a file that cannot be opened (14) fails every request until an operator
    // fixes it. The server returns 503 for those and logs them at a limited rate, so logging each one here as well
    // would write a stack trace per group commit.
    internal static bool CallerLogs(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 10 or 13 or 14 };

    private static partial class Log
    {
        [LoggerMessage(1101, LogLevel.Error, "Group commit of {Count} ingest batches failed; every caller gets an error")]
        public static partial void GroupCommitFailed(ILogger logger, Exception exception, int count);

        [LoggerMessage(1102, LogLevel.Error, "An ingest batch of tenant {TenantId} failed and was rolled back")]
        public static partial void BatchFailed(ILogger logger, Exception exception, long tenantId);
    }
}

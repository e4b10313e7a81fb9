using System.Reflection;
using DbUp;
using DbUp.Engine;
using DbUp.Postgresql;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace RoutedEmail.Storage.Postgres;

/// <summary>
/// Applies the scripts in <c>Migrations/Postgres</c> with DbUp. Several nodes may start at once, so each takes one
/// session advisory lock around the upgrade. One node applies the pending scripts while the others wait, and then
/// they find nothing to do. While the server cannot be reached, the migrator retries with exponential backoff.
/// </summary>
public sealed partial class PostgresMigrator
{
    // The advisory lock key of the migration, an arbitrary constant that nothing else in this database uses.
    // Advisory locks are scoped to one database, so nodes of other databases on the same server do not wait.
    internal const long MigrationLockKey = 0x52_45_4D_49_47_52_41_54; // "REMIGRAT" in ASCII

    // One upgrade runs in a single transaction and may rewrite large tables, so it gets far more time than the
    // 30-second command timeout of requests.
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(30);

    private readonly PostgresDatabase _database;
    private readonly TimeProvider _time;
    private readonly ILogger<PostgresMigrator> _logger;
    private readonly ILogger _dbUpLogger;
    private readonly IReadOnlyList<SqlScript> _extraScripts;

    /// <summary>Creates a migrator with the default retry policy.</summary>
    public PostgresMigrator(PostgresDatabase database, TimeProvider time, ILoggerFactory loggers)
        : this(database, time, loggers, PostgresRetryPolicy.Default, [])
    {
    }

    /// <summary>Creates a migrator with a retry policy and scripts added after the embedded ones, for tests.</summary>
    internal PostgresMigrator(
        PostgresDatabase database, TimeProvider time, ILoggerFactory loggers, PostgresRetryPolicy retryPolicy,
        IReadOnlyList<SqlScript> extraScripts)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        _database = database;
        _time = time;
        _logger = loggers.CreateLogger<PostgresMigrator>();
        _dbUpLogger = loggers.CreateLogger("RoutedEmail.Storage.Migrations");
        RetryPolicy = retryPolicy;
        _extraScripts = extraScripts;
    }

    /// <summary>How connection attempts at start are retried.</summary>
    internal PostgresRetryPolicy RetryPolicy { get; }

    /// <summary>Applies every pending migration script, waiting for the migration lock and for the server.</summary>
    /// <returns>The number of scripts this call applied; 0 when another node applied them.</returns>
    /// <exception cref="InvalidOperationException">
    /// The server rejects the connection (wrong password, missing database), stays unreachable for every attempt
    /// of the retry policy, or a script fails.
    /// </exception>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var lockConnection = await ConnectWithRetriesAsync(cancellationToken);
        await LockAsync(lockConnection, cancellationToken);
        try
        {
            var applied = await Task.Run(Upgrade, cancellationToken);
            Log.Migrated(_logger, _database.Target, applied);
            return applied;
        }
        finally
        {
            await UnlockAsync(lockConnection);
        }
    }

    private async Task<NpgsqlConnection> ConnectWithRetriesAsync(CancellationToken cancellationToken)
    {
        var delay = RetryPolicy.FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await _database.OpenAsync(cancellationToken);
            }
            catch (NpgsqlException exception) when (exception.IsTransient && !RetryPolicy.IsLastAttempt(attempt))
            {
                Log.ConnectFailed(_logger, exception, _database.Target, attempt, delay);
                await Task.Delay(delay, _time, cancellationToken);
                delay = RetryPolicy.NextDelay(delay);
            }
            catch (NpgsqlException exception) when (exception.IsTransient)
            {
                throw new InvalidOperationException(
                    $"PostgreSQL at {_database.Target} cannot be reached after {attempt} attempts: " +
                    $"{WithFinalPeriod(exception.Message)} Check that the server runs and that Storage:ConnectionString names " +
                    "the right host and port.", exception);
            }
            catch (NpgsqlException exception)
            {
                // Waiting does not fix a rejected login, a missing database or a missing permission.
                throw new InvalidOperationException(
                    $"Connecting to PostgreSQL at {_database.Target} failed: {WithFinalPeriod(exception.Message)} " +
                    "Check the user, password and database in Storage:ConnectionString, and that the user may " +
                    "create tables in the database's public schema.", exception);
            }
        }
    }

    private static string WithFinalPeriod(string message) =>
        message.EndsWith('.') ? message : message + ".";

    private async Task LockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var tryLock = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
        tryLock.Parameters.AddWithValue("key", MigrationLockKey);
        if ((bool)(await tryLock.ExecuteScalarAsync(cancellationToken))!)
        {
            return;
        }

        Log.WaitingForMigrationLock(_logger, _database.Target);

        // Another node is migrating. The wait has no command timeout, because a long upgrade is legitimate. The
        // cancellation token still ends the wait, and the session of a node that dies ends and releases its lock.
        await using var waitForLock = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection);
        waitForLock.CommandTimeout = 0;
        waitForLock.Parameters.AddWithValue("key", MigrationLockKey);
        await waitForLock.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task UnlockAsync(NpgsqlConnection connection)
    {
        // Closing the connection alone would not release the lock, because the pool keeps the session open until
        // it resets the connection on its next use.
        await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
        unlock.Parameters.AddWithValue("key", MigrationLockKey);
        await unlock.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private int Upgrade()
    {
        var upgrader = DeployChanges.To
            .PostgresqlDatabase(new PostgresqlConnectionManager(_database.DataSource))
            .WithScriptsEmbeddedInAssembly(
                Assembly.GetExecutingAssembly(),
                name => name.Contains(".Migrations.Postgres.", StringComparison.Ordinal))
            .WithScripts(_extraScripts)
            .WithTransaction()
            .WithExecutionTimeout(ScriptTimeout)
            .LogTo(_dbUpLogger)
            .Build();

        var result = upgrader.PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException(
                $"Migrating the PostgreSQL database {_database.Target} failed in script {result.ErrorScript?.Name}: " +
                $"{result.Error?.Message}", result.Error);
        }

        return result.Scripts.Count();
    }

    private static partial class Log
    {
        [LoggerMessage(1201, LogLevel.Information, "PostgreSQL database {Target} is ready; {Count} migration scripts applied")]
        public static partial void Migrated(ILogger logger, string target, int count);

        [LoggerMessage(1202, LogLevel.Warning,
            "PostgreSQL at {Target} cannot be reached (attempt {Attempt}); retrying in {Delay}")]
        public static partial void ConnectFailed(
            ILogger logger, Exception exception, string target, int attempt, TimeSpan delay);

        [LoggerMessage(1203, LogLevel.Information,
            "Another node is migrating PostgreSQL database {Target}; waiting for its migration lock")]
        public static partial void WaitingForMigrationLock(ILogger logger, string target);
    }
}

/// <summary>Exponential backoff for connecting at start.</summary>
/// <param name="FirstDelay">The wait after the first failed attempt.</param>
/// <param name="MaxDelay">The longest wait between attempts.</param>
/// <param name="MaxAttempts">The number of attempts before giving up; null retries until cancelled.</param>
internal sealed record PostgresRetryPolicy(TimeSpan FirstDelay, TimeSpan MaxDelay, int? MaxAttempts)
{
    /// <summary>
    /// Half a second, doubling up to 30 seconds, until the host stops the service. A node that starts before its
    /// database keeps waiting and is not ready meanwhile, so an orchestrator can start both together.
    /// </summary>
    public static PostgresRetryPolicy Default { get; } =
        new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), MaxAttempts: null);

    public bool IsLastAttempt(int attempt) => attempt >= MaxAttempts;

    public TimeSpan NextDelay(TimeSpan delay) => delay * 2 < MaxDelay ? delay * 2 : MaxDelay;
}

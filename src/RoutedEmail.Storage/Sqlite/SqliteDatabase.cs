using System.Reflection;
using System.Runtime.CompilerServices;
using DbUp;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoutedEmail.Storage.Abstractions;
using RoutedEmail.Storage.Sql;

namespace RoutedEmail.Storage.Sqlite;

/// <summary>
/// The SQLite database file in the data directory: opens connections with the durability settings and applies
/// migrations at start.
/// </summary>
public sealed partial class SqliteDatabase : SqlDatabase, IDisposable
{
    /// <summary>The database file name inside the data directory.</summary>
    public const string FileName = "routed-email.db";

    /// <summary>
    /// The name of the meter of the write gate: how long write transactions wait for their turn and how long they
    /// keep it.
    /// </summary>
    public const string MeterName = "RoutedEmail.Storage.Sqlite";

    // FULL makes every commit wait for fsync of the write-ahead log, so an acknowledged write survives power loss.
    private const string ConnectionPragmas =
        "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;";

    private static readonly object Configured = new();

    private readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> _configured = new();
    private readonly string _connectionString;
    private readonly ILogger<SqliteDatabase> _logger;
    private readonly ILogger _migrationLogger;
    private readonly SqliteSessionPool _sessions;
    private readonly SqliteKeptWriter _keptWriter;
    private readonly SqliteGroupedWriter _groupedWriter;
    private readonly string _writerConnectionString;

    /// <summary>Creates the data directory if needed and prepares the connection string.</summary>
    /// <param name="options">The storage settings.</param>
    /// <param name="loggers">The logger factory.</param>
    /// <param name="observers">The observers that every commit with events calls; none when null.</param>
    public SqliteDatabase(
        IOptions<StorageOptions> options, ILoggerFactory loggers, IEnumerable<IEventCommitObserver>? observers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Observers = EventCommitSignals.ToArray(observers);
        ArgumentNullException.ThrowIfNull(loggers);
        _logger = loggers.CreateLogger<SqliteDatabase>();
        _migrationLogger = loggers.CreateLogger("RoutedEmail.Storage.Migrations");
        DataDirectory = Path.GetFullPath(options.Value.DataDirectory);
        CreateDataDirectory(DataDirectory);
        FilePath = Path.Combine(DataDirectory, FileName);
        WriteGate = new SqliteWriteGate(FilePath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _sessions = new SqliteSessionPool(Open);

        // Not pooled, so closing the kept writer really closes it and no pooled connection keeps its NORMAL setting.
        _writerConnectionString = new SqliteConnectionStringBuilder(_connectionString) { Pooling = false }.ToString();
        _keptWriter = new SqliteKeptWriter(_writerConnectionString, WriteGate);
        _groupedWriter = new SqliteGroupedWriter(
            _keptWriter, WriteGate, Observers, loggers.CreateLogger<SqliteGroupedWriter>());
    }

    /// <summary>The absolute path of the data directory.</summary>
    public string DataDirectory { get; }

    /// <summary>The absolute path of the database file.</summary>
    public string FilePath { get; }

    // SQLite's extended result codes for a UNIQUE constraint and a PRIMARY KEY constraint that failed.
    private const int UniqueConstraintFailed = 2067;
    private const int PrimaryKeyConstraintFailed = 1555;

    /// <summary>Opens a connection with WAL-safe durability, foreign keys on and a 10-second busy timeout.</summary>
    public override SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();

        // A pooled connection keeps its settings, so they are applied once per physical connection rather than on
        // every open: parsing the three statements each time cost a visible share of a one-item ingest request.
        // SqliteWriteTransaction hands its connection back with synchronous = FULL again.
        var handle = connection.Handle!;
        if (!_configured.TryGetValue(handle, out _))
        {
            using var command = connection.CreateCommand();
            command.CommandText = ConnectionPragmas;
            command.ExecuteNonQuery();
            _configured.AddOrUpdate(handle, Configured);
        }

        return connection;
    }

    /// <summary>Takes a kept read session, whose commands stay prepared between callers.</summary>
    internal override SqlSession OpenSession() => _sessions.Rent();

    /// <summary>
    /// Closes the kept read sessions and, after the grouped writes already queued and the write in progress, the
    /// kept writer connection. Connections opened with <see cref="Open"/> stay the caller's.
    /// </summary>
    public void Dispose()
    {
        _sessions.Dispose();
        _groupedWriter.Dispose();
        _keptWriter.Dispose();
    }

    /// <summary>
    /// Begins an IMMEDIATE transaction after this process's earlier writers, whose commit returns once it is on
    /// disk (see <see cref="SqliteWriteGate"/>). SQLite has one writer at a time, so transactions of every tenant
    /// already run one at a time and the tenant needs no lock of its own.
    /// </summary>
    /// <remarks>
    /// The transaction runs on the kept writer connection, not on <paramref name="connection"/>, so its statements
    /// stay prepared from one transaction to the next. Commands from <c>SqlCommands.Command</c> with this
    /// transaction run on the kept connection. A command on <paramref name="connection"/> without the transaction
    /// does not see the transaction's uncommitted writes.
    /// </remarks>
    public override DbTransaction BeginWrite(DbConnection connection, long? tenantId) =>
        SqliteWriteTransaction.Begin(_keptWriter, WriteGate, Observers);

    /// <summary>
    /// Runs the work in the next group of the <see cref="SqliteGroupedWriter"/>, in a savepoint of the group's
    /// transaction, and returns its result once the group's commit is on disk.
    /// </summary>
    internal override Task<T> WriteAsync<T>(long tenantId, Func<DbConnection, DbTransaction, T> work) =>
        _groupedWriter.WriteAsync(work);

    /// <summary>The kept writer that <see cref="BeginWrite"/> runs transactions on.</summary>
    internal SqliteKeptWriter KeptWriter => _keptWriter;

    /// <summary>
    /// Creates another kept writer connection on the database file, for a writer with a loop of its own, such as the
    /// ingest writer. Its transactions take the same gate. The caller disposes it.
    /// </summary>
    internal SqliteKeptWriter CreateKeptWriter() => new(_writerConnectionString, WriteGate);

    /// <summary>The gate that orders this process's write transactions and groups their fsyncs.</summary>
    internal SqliteWriteGate WriteGate { get; }

    /// <summary>The observers that a commit with events calls.</summary>
    internal IEventCommitObserver[] Observers { get; }

    /// <summary>Begins a DEFERRED transaction, which reads one snapshot of the write-ahead log.</summary>
    public override DbTransaction BeginRead(DbConnection connection) =>
        ((SqliteConnection)connection).BeginTransaction(deferred: true);

    /// <inheritdoc/>
    public override string JsonArrayValues(string parameter) => $"SELECT value FROM json_each({parameter})";

    /// <inheritdoc/>
    public override bool IsUniqueViolation(DbException exception) =>
        exception is SqliteException { SqliteExtendedErrorCode: UniqueConstraintFailed or PrimaryKeyConstraintFailed };

    /// <summary>Switches the file to WAL journaling and applies every pending migration script.</summary>
    /// <exception cref="InvalidOperationException">The database file cannot be opened or migrated.</exception>
    public void Migrate()
    {
        try
        {
            using var connection = Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode = WAL;";
            command.ExecuteNonQuery();
        }
        catch (SqliteException exception)
        {
            throw new InvalidOperationException(
                $"The SQLite database {FilePath} cannot be opened: {exception.Message} Check that " +
                "Storage:DataDirectory names a folder this user can write, on a local file system.", exception);
        }

        var upgrade = DeployChanges.To
            .SqliteDatabase(_connectionString)
            .WithScriptsEmbeddedInAssembly(
                Assembly.GetExecutingAssembly(), name => name.Contains(".Migrations.Sqlite.", StringComparison.Ordinal))
            .WithTransaction()
            .LogTo(_migrationLogger)
            .Build();

        var result = upgrade.PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException(
                $"Migrating the SQLite database {FilePath} failed in script {result.ErrorScript?.Name}.", result.Error);
        }

        Log.Migrated(_logger, FilePath, result.Scripts.Count());
    }

    /// <summary>
    /// Creates the data directory readable by this user only, because the database contains password and key
    /// hashes and email metadata. An existing directory keeps its permissions.
    /// </summary>
    private static void CreateDataDirectory(string path)
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(path);
            }
            else
            {
                Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                $"Storage:DataDirectory \"{path}\" cannot be created: {exception.Message} Set it to a folder " +
                "this user can create and write.", exception);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1001, LogLevel.Information, "SQLite database {Path} is ready; {Count} migration scripts applied")]
        public static partial void Migrated(ILogger logger, string path, int count);
    }
}

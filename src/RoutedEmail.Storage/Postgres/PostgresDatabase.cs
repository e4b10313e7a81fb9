using System.Data;
using System.Data.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using RoutedEmail.Storage.Abstractions;
using RoutedEmail.Storage.Sql;

namespace RoutedEmail.Storage.Postgres;

/// <summary>
/// The PostgreSQL database named by <c>Storage:ConnectionString</c>: one pooled <see cref="NpgsqlDataSource"/> per
/// process, with this service's pool size and timeouts unless the connection string sets them itself.
/// </summary>
public sealed class PostgresDatabase : SqlDatabase, IAsyncDisposable
{
    // The first key of the two-key advisory locks on tenants, an arbitrary constant that nothing else in this
    // database uses. The migration lock uses the one-key form, whose keys never clash with two-key ones.
    private const int TenantLockClass = 0x54454E41; // "TENA" in ASCII

    private const string UniqueViolation = "23505";

    // Each node keeps at most this many connections. Npgsql's default of 100 would let three nodes exhaust a server
    // left at PostgreSQL's default max_connections of 100. At 25, three nodes plus administrative sessions fit, and
    // requests are short transactions, so 25 concurrent ones keep a node busy.
    internal const int DefaultMaxPoolSize = 25;

    // Seconds to open a connection (Npgsql's default is 15). A dead server fails a request in 5 seconds, and the
    // start-up retries, not one long wait, cover a server that is still starting.
    internal const int DefaultConnectTimeoutSeconds = 5;

    // Seconds one command may run (Npgsql's default, stated here because it is a decision). A query blocked this
    // long on a lock is cancelled, so a request cannot hang forever. Waits that may be long set their own timeout.
    internal const int DefaultCommandTimeoutSeconds = 30;

    // TCP keepalive after 30 idle seconds, then a probe every 10 seconds. Without it, a connection to a server that
    // vanished without closing the socket (a failover, a dropped network path) can wait on a read for hours.
    internal const int DefaultTcpKeepAliveTimeSeconds = 30;
    internal const int DefaultTcpKeepAliveIntervalSeconds = 10;

    /// <summary>The application name that <c>pg_stat_activity</c> shows for this service's sessions.</summary>
    public const string ApplicationName = "routed-email";

    /// <summary>Parses the connection string, applies the pool and timeout settings and builds the data source.</summary>
    /// <param name="options">The storage settings.</param>
    /// <param name="loggers">The logger factory.</param>
    /// <param name="observers">The observers that every commit with events calls; none when null.</param>
    /// <exception cref="InvalidOperationException">The connection string is missing or invalid.</exception>
    public PostgresDatabase(
        IOptions<StorageOptions> options, ILoggerFactory loggers, IEnumerable<IEventCommitObserver>? observers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Observers = EventCommitSignals.ToArray(observers);
        ArgumentNullException.ThrowIfNull(loggers);
        var builder = ParseConnectionString(options.Value.ConnectionString);
        ApplyDefaults(builder);
        Target = $"{builder.Host}:{builder.Port}/{builder.Database} as {builder.Username}";
        MaxPoolSize = builder.MaxPoolSize;
        DataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString).UseLoggerFactory(loggers).Build();
    }

    /// <summary>The pooled data source that every store opens its connections from.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>The server, port, database and user, without the password, for log lines and errors.</summary>
    public string Target { get; }

    /// <summary>The maximum number of connections this process keeps open to the server.</summary>
    public int MaxPoolSize { get; }

    /// <summary>The observers that a commit with events calls.</summary>
    internal IEventCommitObserver[] Observers { get; }

    /// <summary>Opens a pooled connection.</summary>
    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) =>
        DataSource.OpenConnectionAsync(cancellationToken);

    /// <inheritdoc/>
    public override DbConnection Open() => DataSource.OpenConnection();

    /// <summary>
    /// Begins a READ COMMITTED transaction and, for a tenant, takes the tenant's transaction advisory lock. Every
    /// node takes the same lock before it changes that tenant's routing state, so those transactions run one at a
    /// time, as on SQLite, and each reads the committed result of the one before. The lock ends with the
    /// transaction. The commit numbers the events that the transaction appended (see
    /// <see cref="PostgresWriteTransaction"/>).
    /// </summary>
    public override DbTransaction BeginWrite(DbConnection connection, long? tenantId)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var npgsql = (NpgsqlConnection)connection;
        var transaction = new PostgresWriteTransaction(
            npgsql, npgsql.BeginTransaction(IsolationLevel.ReadCommitted), Observers);
        if (tenantId is { } tenant)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction.Inner;
            command.CommandText = "SELECT pg_advisory_xact_lock(@class, @tenant)";
            command.With("@class", TenantLockClass).With("@tenant", checked((int)tenant));
            command.ExecuteNonQuery();
        }

        return transaction;
    }

    /// <summary>Begins a read-only REPEATABLE READ transaction, whose reads all see one snapshot.</summary>
    public override DbTransaction BeginRead(DbConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var transaction = connection.BeginTransaction(IsolationLevel.RepeatableRead);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SET TRANSACTION READ ONLY";
        command.ExecuteNonQuery();
        return transaction;
    }

    /// <inheritdoc/>
    public override string JsonArrayValues(string parameter) =>
        $"SELECT value FROM json_array_elements_text(CAST({parameter} AS json))";

    /// <inheritdoc/>
    public override bool IsUniqueViolation(DbException exception) =>
        exception is PostgresException { SqlState: UniqueViolation };

    /// <summary>Closes every pooled connection.</summary>
    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    /// <summary>
    /// Parses an Npgsql connection string. The error message names the setting that is wrong and never contains
    /// the connection string itself, because that contains the password.
    /// </summary>
    /// <exception cref="InvalidOperationException">The connection string is missing or invalid.</exception>
    internal static NpgsqlConnectionStringBuilder ParseConnectionString(string? connectionString)
    {
        const string Example = "Host=db.example.com;Port=5432;Database=routed_email;Username=routed_email;Password=...";
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"Storage:ConnectionString is missing. The PostgreSQL store needs an Npgsql connection string such as {Example}.");
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException exception)
        {
            // The inner exception is left out on purpose: it can quote the value that failed to parse.
            throw new InvalidOperationException(
                $"Storage:ConnectionString is invalid: {exception.Message.TrimEnd('.')}. Use the Npgsql form {Example}.");
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            throw new InvalidOperationException(
                $"Storage:ConnectionString is invalid: Host is missing. Use the Npgsql form {Example}.");
        }

        if (builder.Port is < 1 or > 65535)
        {
            throw new InvalidOperationException(
                $"Storage:ConnectionString is invalid: Port {builder.Port} is outside 1 to 65535.");
        }

        return builder;
    }

    /// <summary>Sets each pool and timeout setting that the connection string does not name itself.</summary>
    private static void ApplyDefaults(NpgsqlConnectionStringBuilder builder)
    {
        // Keys lists only the settings present in the string, by their canonical names.
        var named = builder.Keys.Cast<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!named.Contains("Maximum Pool Size"))
        {
            builder.MaxPoolSize = DefaultMaxPoolSize;
        }

        if (!named.Contains("Timeout"))
        {
            builder.Timeout = DefaultConnectTimeoutSeconds;
        }

        if (!named.Contains("Command Timeout"))
        {
            builder.CommandTimeout = DefaultCommandTimeoutSeconds;
        }

        if (!named.Overlaps(["TCP Keepalive", "TCP Keepalive Time", "TCP Keepalive Interval"]))
        {
            builder.TcpKeepAlive = true;
            builder.TcpKeepAliveTime = DefaultTcpKeepAliveTimeSeconds;
            builder.TcpKeepAliveInterval = DefaultTcpKeepAliveIntervalSeconds;
        }

        if (!named.Contains("Application Name"))
        {
            builder.ApplicationName = ApplicationName;
        }
    }
}

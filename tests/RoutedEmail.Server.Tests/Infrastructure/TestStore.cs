using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using RoutedEmail.Storage;
using RoutedEmail.Storage.Postgres;
using RoutedEmail.Storage.Tests.Postgres;

namespace RoutedEmail.Server.Tests.Infrastructure;

/// <summary>
/// The store the end-to-end tests run against: SQLite by default, or PostgreSQL when the environment variable
/// <c>ROUTED_EMAIL_TEST_STORE</c> is <c>Postgres</c>. The test command runs the suite once with each, so the two
/// stores cannot drift apart.
/// </summary>
/// <remarks>
/// On PostgreSQL each data directory gets a database of its own, remembered for the test run, so a server restarted
/// on the same data directory finds the same database. Nothing is written into the directory, so tests of a
/// directory that cannot be written still see it as it is.
/// </remarks>
public static class TestStore
{
    /// <summary>The environment variable that selects the store.</summary>
    public const string Variable = "ROUTED_EMAIL_TEST_STORE";

    /// <summary>
    /// The name of the trait that marks a test whose outcome cannot depend on the store, such as input rejected
    /// before any read or write, or code that runs without a server. Its value is <see cref="Independent"/>. The
    /// test command's PostgreSQL pass skips such tests, because they ran in the SQLite pass.
    /// </summary>
    public const string Trait = "Store";

    /// <summary>The value of <see cref="Trait"/> on a test that does not depend on the store.</summary>
    public const string Independent = "Independent";

    private static readonly ConcurrentDictionary<string, string> Databases = new(StringComparer.Ordinal);
    private static readonly SemaphoreSlim ClusterLock = new(1, 1);
    private static readonly SemaphoreSlim TemplateLock = new(1, 1);
    private static PostgresCluster? _cluster;
    private static string? _template;

    /// <summary>Whether the tests run against PostgreSQL.</summary>
    public static bool IsPostgres { get; } =
        string.Equals(Environment.GetEnvironmentVariable(Variable), "Postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Returns the settings that point a server at the store of the data directory: none for SQLite, which keeps its
    /// file in the data directory, or the provider and connection string of the directory's PostgreSQL database,
    /// created on first use.
    /// </summary>
    public static async Task<IReadOnlyList<string>> SettingsForAsync(string dataDirectory)
    {
        if (!IsPostgres)
        {
            return [];
        }

        return ["--Storage:Provider", "Postgres", "--Storage:ConnectionString", await ConnectionStringForAsync(dataDirectory)];
    }

    /// <summary>Returns the connection string of the data directory's PostgreSQL database, creating it first.</summary>
    public static async Task<string> ConnectionStringForAsync(string dataDirectory)
    {
        var cluster = await GetClusterAsync();
        if (Databases.TryGetValue(dataDirectory, out var database))
        {
            return new NpgsqlConnectionStringBuilder(cluster.AdminConnectionString) { Database = database }
                .ConnectionString;
        }

        var connectionString = await cluster.CreateDatabaseAsync(await GetTemplateAsync(cluster));
        Databases[dataDirectory] = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        return connectionString;
    }

    /// <summary>
    /// Points a second data directory at the PostgreSQL database of the first, creating it first, so that two
    /// servers run as nodes on one database.
    /// </summary>
    public static async Task ShareDatabaseAsync(string dataDirectory, string sharedWith)
    {
        var connectionString = await ConnectionStringForAsync(sharedWith);
        Databases[dataDirectory] = new NpgsqlConnectionStringBuilder(connectionString).Database!;
    }

    /// <summary>
    /// Drops the data directory's PostgreSQL database, if it has one and no other data directory shares it. A shared
    /// database is only forgotten for this directory.
    /// </summary>
    public static async Task DropAsync(string dataDirectory)
    {
        if (!Databases.TryGetValue(dataDirectory, out var database))
        {
            return;
        }

        var shared = Databases.Any(entry => entry.Key != dataDirectory && entry.Value == database);
        if (!shared)
        {
            var cluster = await GetClusterAsync();
            await cluster.DropDatabaseAsync(await ConnectionStringForAsync(dataDirectory));
        }

        Databases.TryRemove(dataDirectory, out _);
    }

    /// <summary>
    /// Returns the name of the template database, which has every migration applied, creating it on first use. A
    /// copy of it spares each test's server the migration at start, about a quarter of a second per test in the
    /// PostgreSQL server's statement log. The storage tests migrate new databases themselves.
    /// </summary>
    /// <remarks>
    /// The name contains a hash of the migration scripts, so a cluster kept across runs reuses the template until a
    /// script changes. The template is migrated under another name and renamed at the end, so a run that stops
    /// while migrating leaves no template that lacks scripts.
    /// </remarks>
    private static async Task<string> GetTemplateAsync(PostgresCluster cluster)
    {
        await TemplateLock.WaitAsync();
        try
        {
            if (_template is not null)
            {
                return _template;
            }

            var name = "routed_email_template_" + HashMigrationScripts();
            if (!await cluster.DatabaseExistsAsync(name))
            {
                // Without pooling, no session stays in the template, which CREATE DATABASE ... TEMPLATE requires.
                var created = await cluster.CreateDatabaseAsync();
                var builder = new NpgsqlConnectionStringBuilder(created) { Pooling = false };
                await using (var database = new PostgresDatabase(
                    Options.Create(new StorageOptions { ConnectionString = builder.ConnectionString }),
                    NullLoggerFactory.Instance))
                {
                    await new PostgresMigrator(database, TimeProvider.System, NullLoggerFactory.Instance)
                        .MigrateAsync(CancellationToken.None);
                }

                // Another test process on the same cluster may have renamed its template first.
                if (!await cluster.TryRenameDatabaseAsync(builder.Database!, name))
                {
                    await cluster.DropDatabaseAsync(builder.ConnectionString);
                }
            }

            _template = name;
            return name;
        }
        finally
        {
            TemplateLock.Release();
        }
    }

    /// <summary>Returns 16 hex digits of a SHA-256 over the PostgreSQL migration scripts' names and text.</summary>
    private static string HashMigrationScripts()
    {
        var assembly = typeof(PostgresMigrator).Assembly;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var resource in assembly.GetManifestResourceNames()
                     .Where(name => name.Contains(".Migrations.Postgres.", StringComparison.Ordinal))
                     .Order(StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(resource));
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            hash.AppendData(Encoding.UTF8.GetBytes(reader.ReadToEnd()));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    private static async Task<PostgresCluster> GetClusterAsync()
    {
        await ClusterLock.WaitAsync();
        try
        {
            if (_cluster is null)
            {
                // A cluster this process starts is removed by the script's watcher when the process exits.
                var cluster = new PostgresCluster();
                await cluster.InitializeAsync();
                _cluster = cluster;
            }

            return _cluster;
        }
        finally
        {
            ClusterLock.Release();
        }
    }
}

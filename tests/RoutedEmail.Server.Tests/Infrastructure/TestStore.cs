using System.Collections.Concurrent;
using Npgsql;
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
    private static PostgresCluster? _cluster;

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

        var connectionString = await cluster.CreateDatabaseAsync();
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

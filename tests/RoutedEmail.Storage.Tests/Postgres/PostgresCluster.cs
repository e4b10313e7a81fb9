using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace RoutedEmail.Storage.Tests.Postgres;

/// <summary>
/// The PostgreSQL cluster of the test run. <c>scripts/test</c> starts one and exports its superuser connection
/// string as <c>ROUTED_EMAIL_TEST_POSTGRES</c>. Without that variable, as under a plain <c>dotnet test</c>, this
/// fixture starts its own cluster with <c>scripts/postgres start</c> and stops and deletes it when the tests end, or
/// when the test process exits without disposing it.
/// Each test gets a new database of its own from <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    /// <summary>The environment variable with the superuser connection string of a running cluster.</summary>
    public const string ConnectionStringVariable = "ROUTED_EMAIL_TEST_POSTGRES";

    private string? _startedDirectory;

    /// <summary>The superuser connection string, to the maintenance database <c>postgres</c>.</summary>
    public string AdminConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            AdminConnectionString = fromEnvironment;
            return;
        }

        // The script's watcher deletes the cluster if this process is killed before DisposeAsync runs.
        var exports = ParseExports(await RunScriptAsync(
            "start", "--stop-with", Environment.ProcessId.ToString(CultureInfo.InvariantCulture)));
        AdminConnectionString = exports[ConnectionStringVariable];
        _startedDirectory = exports[ConnectionStringVariable + "_DIR"];
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_startedDirectory is not null)
        {
            await RunScriptAsync("stop", _startedDirectory);
        }
    }

    /// <summary>
    /// Creates a new database with a unique name and returns its connection string. It is empty, or a copy of the
    /// template database when one is named, which no session may use during the copy.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string? template = null)
    {
        var name = "routed_email_test_" + Guid.NewGuid().ToString("N");
        var copy = template is null ? "" : $" TEMPLATE {template}";
        await ExecuteAdminAsync($"CREATE DATABASE {name}{copy}");
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, closing any session still in it.</summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await ExecuteAdminAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    }

    /// <summary>Returns whether the cluster has a database of that name.</summary>
    public async Task<bool> DatabaseExistsAsync(string name) =>
        await ExecuteAdminAsync($"SELECT COUNT(*) FROM pg_database WHERE datname = '{name}'") is 1L;

    /// <summary>
    /// Renames a database and returns true, or returns false and changes nothing when a database of the new name
    /// exists already.
    /// </summary>
    public async Task<bool> TryRenameDatabaseAsync(string name, string newName)
    {
        try
        {
            await ExecuteAdminAsync($"ALTER DATABASE {name} RENAME TO {newName}");
            return true;
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            return false;
        }
    }

    private async Task<object?> ExecuteAdminAsync(string sql)
    {
        // Pooling is off so that no admin session stays in the pool, where it would outlive the cluster.
        var connectionString = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Pooling = false };
        await using var connection = new NpgsqlConnection(connectionString.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    /// <summary>Reads the lines <c>export NAME='value'</c> that <c>scripts/postgres start</c> prints.</summary>
    private static Dictionary<string, string> ParseExports(string output)
    {
        var exports = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            const string Prefix = "export ";
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (line.StartsWith(Prefix, StringComparison.Ordinal) && equals > 0)
            {
                exports[line[Prefix.Length..equals]] = line[(equals + 1)..].Trim('\'');
            }
        }

        return exports;
    }

    private static async Task<string> RunScriptAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(FindRepositoryRoot(), "scripts", "postgres"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"scripts/postgres {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}");
        }

        return await output;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null;
             directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "scripts", "postgres")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException(
            $"No scripts/postgres above {AppContext.BaseDirectory}; set {ConnectionStringVariable} instead.");
    }
}

/// <summary>Puts every PostgreSQL test class on the one cluster of the run.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresCluster>
{
    public const string Name = "Postgres";
}

using Npgsql;

namespace RoutedEmail.Bench;

/// <summary>
/// A new, empty PostgreSQL database with a unique name, created through a superuser connection and dropped on
/// disposal, together with any session still connected to it.
/// </summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string _adminConnectionString;
    private readonly string _name;

    private BenchDatabase(string adminConnectionString, string name)
    {
        _adminConnectionString = adminConnectionString;
        _name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name }
            .ConnectionString;
    }

    /// <summary>The connection string of the new database, with the superuser's credentials.</summary>
    public string ConnectionString { get; }

    /// <summary>Creates the database.</summary>
    /// <param name="adminConnectionString">A superuser connection string, to the database <c>postgres</c>.</param>
    /// <exception cref="NpgsqlException">The server could not be reached or rejected the statement.</exception>
    public static async Task<BenchDatabase> CreateAsync(string adminConnectionString)
    {
        var name = "routed_email_bench_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync(adminConnectionString, $"CREATE DATABASE {name}");
        return new BenchDatabase(adminConnectionString, name);
    }

    /// <summary>Returns the server's version string, such as "PostgreSQL 15.14 (Debian 15.14-0+deb12u1) on ...".</summary>
    /// <exception cref="NpgsqlException">The server could not be reached.</exception>
    public static async Task<string> ReadServerVersionAsync(string adminConnectionString)
    {
        await using var connection = await OpenAsync(adminConnectionString);
        await using var command = new NpgsqlCommand("SELECT version()", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Drops the database. Call it after the nodes that use it have stopped.</summary>
    public async ValueTask DisposeAsync()
    {
        await ExecuteAsync(_adminConnectionString, $"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
    }

    private static async Task ExecuteAsync(string adminConnectionString, string sql)
    {
        await using var connection = await OpenAsync(adminConnectionString);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    // Pooling is off, so no session of this process stays open on the server between statements.
    private static async Task<NpgsqlConnection> OpenAsync(string adminConnectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(adminConnectionString) { Pooling = false };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync();
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using RoutedEmail.Storage.Sqlite;

namespace RoutedEmail.Server.Tests.Soak;

/// <summary>The resource gauges of the server process and its store at one moment.</summary>
/// <param name="RssBytes">The resident set size, from <c>VmRSS</c> in <c>/proc/PID/status</c>.</param>
/// <param name="FileDescriptors">The entries of <c>/proc/PID/fd</c>: files, sockets, pipes and event handles.</param>
/// <param name="Threads">The <c>Threads</c> line of <c>/proc/PID/status</c>.</param>
/// <param name="DataDirectoryBytes">
/// The size of every file in the data directory: database, WAL and shared memory.
/// </param>
/// <param name="WalBytes">The size of SQLite's <c>-wal</c> file, or null on PostgreSQL.</param>
/// <param name="DatabaseBytes">
/// The logical size of the database: SQLite's used pages (page count minus free pages, times the page size), which
/// include changes still in the WAL, or <c>pg_database_size</c> on PostgreSQL.
/// </param>
/// <param name="CpuTime">The user and system CPU time the process used since it started.</param>
internal sealed record ResourceGauges(
    long RssBytes, int FileDescriptors, int Threads, long DataDirectoryBytes, long? WalBytes, long DatabaseBytes,
    TimeSpan CpuTime);

/// <summary>
/// Reads <see cref="ResourceGauges"/> of a server process from <c>/proc</c>, so it works on Linux only, and the
/// size of its database through a separate read-only connection.
/// </summary>
/// <param name="processId">The server process.</param>
/// <param name="dataDirectory">The server's data directory.</param>
/// <param name="postgresConnectionString">The server's PostgreSQL database, or null for SQLite.</param>
internal sealed class ProcessSampler(int processId, string dataDirectory, string? postgresConnectionString)
{
    private const long KibiByte = 1024;

    /// <summary>Reads every gauge now.</summary>
    /// <exception cref="IOException">The process has exited, so its <c>/proc</c> entry is gone.</exception>
    public async Task<ResourceGauges> ReadAsync()
    {
        var status = await File.ReadAllLinesAsync($"/proc/{processId}/status");
        var rss = ReadStatusNumber(status, "VmRSS:") * KibiByte;
        var threads = (int)ReadStatusNumber(status, "Threads:");
        var descriptors = Directory.GetFileSystemEntries($"/proc/{processId}/fd").Length;
        using var process = Process.GetProcessById(processId);
        var cpuTime = process.TotalProcessorTime;

        var files = new DirectoryInfo(dataDirectory).EnumerateFiles("*", SearchOption.AllDirectories).ToList();
        var directoryBytes = files.Sum(file => file.Length);
        long? walBytes = null;
        long databaseBytes;
        if (postgresConnectionString is null)
        {
            var wal = files.FirstOrDefault(file => file.Name == SqliteDatabase.FileName + "-wal");
            walBytes = wal?.Length ?? 0;
            databaseBytes = await ReadSqliteUsedBytesAsync();
        }
        else
        {
            databaseBytes = await ReadPostgresSizeAsync(postgresConnectionString);
        }

        return new ResourceGauges(rss, descriptors, threads, directoryBytes, walBytes, databaseBytes, cpuTime);
    }

    private static long ReadStatusNumber(string[] status, string key)
    {
        var line = status.FirstOrDefault(text => text.StartsWith(key, StringComparison.Ordinal))
            ?? throw new InvalidDataException($"/proc status has no {key} line.");
        var value = line[key.Length..].Trim().Split(' ')[0];
        return long.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
    }

    private async Task<long> ReadSqliteUsedBytesAsync()
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, SqliteDatabase.FileName),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        };
        await using var connection = new SqliteConnection(builder.ConnectionString);
        await connection.OpenAsync();
        var pages = await ReadPragmaAsync(connection, "page_count");
        var freePages = await ReadPragmaAsync(connection, "freelist_count");
        var pageSize = await ReadPragmaAsync(connection, "page_size");
        return (pages - freePages) * pageSize;
    }

    private static async Task<long> ReadPragmaAsync(SqliteConnection connection, string pragma)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA " + pragma;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static async Task<long> ReadPostgresSizeAsync(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_database_size(current_database())", connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}

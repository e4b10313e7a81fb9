using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RoutedEmail.Storage;
using RoutedEmail.Storage.Sqlite;

namespace RoutedEmail.Bench;

/// <summary>
/// Measures SQLite write transactions through the storage layer's <c>BeginWrite</c>: threads that each insert one row
/// per transaction and commit, as agent actions and routing steps do. It shows how many durable commits per second
/// the storage layer can serve when writers overlap, without HTTP, routing or hub work in the way.
/// </summary>
internal static class CommitBenchmark
{
    private static readonly int[] WriterCounts = [1, 8, 32];

    public static int Run(BenchOptions options)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"write transactions of one row each, {options.Duration.TotalSeconds} s per row, new database per row"));
        Console.WriteLine();
        Console.WriteLine("| writer threads | commits | commits/s | p50 ms | p99 ms | max ms |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var writers in WriterCounts)
        {
            PrintRow(writers, Measure(writers, options.Duration), options.Duration);
        }

        return 0;
    }

    private static List<double> Measure(int writers, TimeSpan duration)
    {
        var directory = Directory.CreateTempSubdirectory("routed-email-commits-").FullName;
        try
        {
            var database = new SqliteDatabase(
                Options.Create(new StorageOptions { DataDirectory = directory }), NullLoggerFactory.Instance);
            database.Migrate();
            Execute(database, "CREATE TABLE bench_rows (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)");
            var clock = Stopwatch.StartNew();
            var latencies = new List<double>[writers];
            var threads = Enumerable.Range(0, writers)
                .Select(index => new Thread(() => latencies[index] = Write(database, clock, duration)))
                .ToList();
            threads.ForEach(thread => thread.Start());
            threads.ForEach(thread => thread.Join());
            return [.. latencies.SelectMany(list => list).Order()];
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static List<double> Write(SqliteDatabase database, Stopwatch clock, TimeSpan duration)
    {
        var latencies = new List<double>();
        while (clock.Elapsed < duration)
        {
            var start = Stopwatch.GetTimestamp();
            using var connection = database.Open();
            using var transaction = database.BeginWrite(connection, tenantId: 1);
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO bench_rows (value) VALUES (1)";
            command.Transaction = transaction is SqliteWriteTransaction write
                ? write.Inner
                : (Microsoft.Data.Sqlite.SqliteTransaction)transaction;
            command.ExecuteNonQuery();
            transaction.Commit();
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return latencies;
    }

    private static void Execute(SqliteDatabase database, string sql)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static void PrintRow(int writers, List<double> latencies, TimeSpan duration)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {writers} | {latencies.Count:N0} | {latencies.Count / duration.TotalSeconds:N0} | " +
            $"{Percentile(latencies, 0.50):F2} | {Percentile(latencies, 0.99):F2} | {latencies[^1]:F1} |"));
    }

    private static double Percentile(List<double> sorted, double fraction) =>
        sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * fraction))];
}

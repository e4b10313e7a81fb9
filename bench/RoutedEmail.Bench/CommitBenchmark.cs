using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RoutedEmail.Storage;
using RoutedEmail.Storage.Sql;
using RoutedEmail.Storage.Sqlite;

namespace RoutedEmail.Bench;

/// <summary>
/// Measures SQLite write transactions through the storage layer's <c>BeginWrite</c>: threads that each insert one row
/// per transaction and commit, as agent actions and routing steps do. It shows how many durable commits per second
/// the storage layer can serve when writers overlap, without HTTP, routing or hub work in the way. A second table
/// appends one event per transaction as well, as routing steps, accepts and completes do, so the difference in
/// CPU per commit between the two tables is the cost of appending and numbering one event.
/// </summary>
internal static class CommitBenchmark
{
    private static readonly int[] WriterCounts = [1, 8, 32];

    public static int Run(BenchOptions options)
    {
        foreach (var withEvent in new[] { false, true })
        {
            var kind = withEvent ? "one row and one event" : "one row";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"write transactions of {kind} each, {options.Duration.TotalSeconds} s per row, new database per row"));
            Console.WriteLine();
            Console.WriteLine(
                "| writer threads | commits | commits/s | p50 ms | p99 ms | max ms | process CPU per commit µs |");
            Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var writers in WriterCounts)
            {
                PrintRow(writers, Measure(writers, options.Duration, withEvent), options.Duration);
            }

            Console.WriteLine();
        }

        return 0;
    }

    private static Measurement Measure(int writers, TimeSpan duration, bool withEvent)
    {
        var directory = Directory.CreateTempSubdirectory("routed-email-commits-").FullName;
        try
        {
            using var database = new SqliteDatabase(
                Options.Create(new StorageOptions { DataDirectory = directory }), NullLoggerFactory.Instance);
            database.Migrate();
            Execute(database, "CREATE TABLE bench_rows (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)");
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var latencies = new List<double>[writers];
            var threads = Enumerable.Range(0, writers)
                .Select(index => new Thread(() => latencies[index] = Write(database, clock, duration, withEvent)))
                .ToList();
            threads.ForEach(thread => thread.Start());
            threads.ForEach(thread => thread.Join());
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            return new Measurement([.. latencies.SelectMany(list => list).Order()], cpu);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static List<double> Write(SqliteDatabase database, Stopwatch clock, TimeSpan duration, bool withEvent)
    {
        var latencies = new List<double>();
        var at = DateTimeOffset.FromUnixTimeMilliseconds(0);
        while (clock.Elapsed < duration)
        {
            var start = Stopwatch.GetTimestamp();
            using var connection = database.Open();
            using var transaction = database.BeginWrite(connection, tenantId: 1);
            using (var command = connection.Command("INSERT INTO bench_rows (value) VALUES (1)", transaction))
            {
                command.ExecuteNonQuery();
            }

            if (withEvent)
            {
                SqlCommands.AppendEvent(connection, transaction, tenantId: 1, at, "BenchEvent");
            }

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

    private static void PrintRow(int writers, Measurement measurement, TimeSpan duration)
    {
        var latencies = measurement.Latencies;
        var cpuPerCommit = measurement.Cpu.TotalMicroseconds / Math.Max(1, latencies.Count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {writers} | {latencies.Count:N0} | {latencies.Count / duration.TotalSeconds:N0} | " +
            $"{Percentile(latencies, 0.50):F2} | {Percentile(latencies, 0.99):F2} | {latencies[^1]:F1} | " +
            $"{cpuPerCommit:F0} |"));
    }

    private static double Percentile(List<double> sorted, double fraction) =>
        sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * fraction))];

    /// <summary>The sorted commit latencies in milliseconds, and the CPU time the whole process used meanwhile.</summary>
    private sealed record Measurement(List<double> Latencies, TimeSpan Cpu);
}

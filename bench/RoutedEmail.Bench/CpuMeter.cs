using System.Diagnostics;
using System.Globalization;

namespace RoutedEmail.Bench;

/// <summary>
/// Reads the CPU time, user and system, that a group of processes has used since each of them started. The
/// difference of two reads is the CPU time used in between, as long as no process of the group exited in between,
/// because an exited process drops out of the sum.
/// </summary>
internal sealed class CpuMeter(Func<IEnumerable<int>> readProcessIds)
{
    /// <summary>Creates a meter for a fixed set of processes, such as the server nodes.</summary>
    public static CpuMeter ForProcesses(IReadOnlyList<int> processIds) => new(() => processIds);

    /// <summary>
    /// Creates a meter for a PostgreSQL cluster: the postmaster, whose id is the first line of
    /// <c>data/postmaster.pid</c> in the directory that <c>scripts/postgres start</c> made, and its child processes,
    /// which include one backend per client connection. Returns null when the directory has no such file, as for a
    /// server this benchmark did not start. Reads <c>/proc</c>, so it works on Linux only.
    /// </summary>
    public static CpuMeter? ForPostgresCluster(string? clusterDirectory)
    {
        var pidFile = clusterDirectory is null ? null : Path.Combine(clusterDirectory, "data", "postmaster.pid");
        if (pidFile is null || !File.Exists(pidFile) || !Directory.Exists("/proc"))
        {
            return null;
        }

        var firstLine = File.ReadLines(pidFile).FirstOrDefault();
        if (!int.TryParse(firstLine, NumberStyles.None, CultureInfo.InvariantCulture, out var postmaster))
        {
            return null;
        }

        return new CpuMeter(() => [postmaster, .. FindChildren(postmaster)]);
    }

    /// <summary>Returns the CPU time that the processes of the group now running have used so far.</summary>
    public TimeSpan Read()
    {
        var total = TimeSpan.Zero;
        foreach (var processId in readProcessIds())
        {
            try
            {
                using var process = Process.GetProcessById(processId);
                total += process.TotalProcessorTime;
            }
            catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
            {
                // The process exited after it was listed, so its time is no longer readable.
            }
        }

        return total;
    }

    // Lists the processes whose parent is the given process, from the fourth field of /proc/PID/stat.
    private static IEnumerable<int> FindChildren(int parent)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture,
                    out var processId))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (IOException)
            {
                continue;
            }

            // The command name in brackets may contain spaces and brackets, so the fields are read after the last ")".
            var fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 1
                && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parentId)
                && parentId == parent)
            {
                yield return processId;
            }
        }
    }
}

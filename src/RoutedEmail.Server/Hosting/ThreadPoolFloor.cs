using RoutedEmail.Storage;

namespace RoutedEmail.Server.Hosting;

/// <summary>Raises the thread pool's minimum worker threads for the PostgreSQL store.</summary>
internal static class ThreadPoolFloor
{
    /// <summary>
    /// The minimum number of worker threads with PostgreSQL. The stores call the database synchronously, so each
    /// request holds a thread while it waits for the network or for a pooled connection. On a 2-core machine the
    /// pool starts with 2 threads and adds about one per half second, so a burst of concurrent requests stalled for
    /// seconds and some timed out. 64 lets every connection of the default pool of 25 be in use while as many
    /// requests again wait for one.
    /// </summary>
    public const int PostgresMinWorkerThreads = 64;

    /// <summary>
    /// Raises the minimum when <c>Storage:Provider</c> is <c>Postgres</c>. SQLite reads a local file, so its calls
    /// return quickly enough without it. With the floor on SQLite too, one quick benchmark run each measured 10 %
    /// fewer one-item ingest requests per second and a routing latency p50 of 7.3 ms instead of 3.8 ms.
    /// </summary>
    public static void Apply(IConfiguration configuration)
    {
        // TODO: make the stores asynchronous, which makes this floor unnecessary.
        var provider = configuration[$"{StorageOptions.SectionName}:{nameof(StorageOptions.Provider)}"];
        if (!string.Equals(provider, "Postgres", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        ThreadPool.GetMinThreads(out var workerThreads, out var completionPortThreads);
        if (workerThreads < PostgresMinWorkerThreads)
        {
            ThreadPool.SetMinThreads(PostgresMinWorkerThreads, completionPortThreads);
        }
    }
}

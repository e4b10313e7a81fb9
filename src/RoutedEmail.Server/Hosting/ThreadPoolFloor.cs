namespace RoutedEmail.Server.Hosting;

/// <summary>Raises the thread pool's minimum worker threads, because the stores call the database synchronously.</summary>
internal static class ThreadPoolFloor
{
    /// <summary>
    /// The minimum number of worker threads. Each store call blocks its thread while it waits: on PostgreSQL for the
    /// network or a pooled connection, on SQLite for the write gate and the shared fsync. On a 2-core machine the
    /// pool starts with 2 threads and adds about one per half second when they are all blocked. Without the floor, a
    /// burst of concurrent requests on PostgreSQL stalled for seconds. 64 lets every connection of PostgreSQL's
    /// default pool of 25 be in use while as many requests again wait for one.
    /// </summary>
    public const int MinWorkerThreads = 64;

    /// <summary>Raises the minimum to <see cref="MinWorkerThreads"/> unless it is higher already.</summary>
    public static void Apply()
    {
        // TODO: make the stores asynchronous, which makes this floor unnecessary.
        ThreadPool.GetMinThreads(out var workerThreads, out var completionPortThreads);
        if (workerThreads < MinWorkerThreads)
        {
            ThreadPool.SetMinThreads(MinWorkerThreads, completionPortThreads);
        }
    }
}

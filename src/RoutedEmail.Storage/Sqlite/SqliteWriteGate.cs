using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Win32.SafeHandles;

namespace RoutedEmail.Storage.Sqlite;

/// <summary>
/// Serializes this process's write transactions on one database file and makes their commits durable in groups.
/// </summary>
/// <remarks>
/// <para>
/// SQLite has one writer at a time. Without this gate, a writer that finds the file locked sleeps in SQLite's busy
/// handler, for up to 100 ms per attempt, although the lock may be free again after a few microseconds. Here
/// writers wait in turn on a monitor, and the busy timeout remains only for other processes on the same file.
/// </para>
/// <para>
/// Write transactions commit with <c>synchronous = NORMAL</c>, which writes the commit to the write-ahead log
/// without an fsync, and release the gate before <see cref="WaitUntilDurable"/> fsyncs the log. One fsync then
/// covers every commit that finished before it started, so concurrent writers share it, as a database's group
/// commit does. A commit is acknowledged only after that fsync, so an acknowledged write survives power loss as it
/// did with <c>synchronous = FULL</c>. Between its commit and the fsync, about a millisecond, another connection
/// can read the write. Only an operating system crash in that window loses it. A crash of this process does not,
/// because the log's pages are then in the kernel's page cache.
/// </para>
/// <para>
/// Every transaction records how long it waited for its turn and how long it kept it, in two histograms of the meter
/// <see cref="SqliteDatabase.MeterName"/>. Their sums per second show how close the one writer is to saturation.
/// </para>
/// </remarks>
internal sealed class SqliteWriteGate(string databasePath, TimeSpan enterTimeout)
{
    private static readonly Meter GateMeter = new(SqliteDatabase.MeterName);

    // Most turns last well under a millisecond, below the default boundaries (0, 5, 10, ... 10,000), which suit
    // milliseconds, not seconds. With those, every turn counted in the first bucket.
    private static readonly double[] TurnDurations =
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 10];

    private static readonly Histogram<double> WaitDuration = GateMeter.CreateHistogram(
        "routed_email.sqlite.write_gate.wait.duration", "s",
        "From a write transaction's request for the write gate to its turn.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = TurnDurations });

    private static readonly Histogram<double> HoldDuration = GateMeter.CreateHistogram(
        "routed_email.sqlite.write_gate.hold.duration", "s",
        "From a write transaction's turn at the write gate to its end, before the shared fsync.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = TurnDurations });

    // A writer that waits this long is stuck, for example in a nested write on the same thread. It fails with a
    // message instead of waiting forever, as it would with SQLite's own busy timeout.
    private static readonly TimeSpan DefaultEnterTimeout = TimeSpan.FromSeconds(30);

    // The writer's turn: a flag under a monitor rather than a SemaphoreSlim, because SemaphoreSlim.Wait spins with
    // sched_yield before it blocks. In a perf profile of the routing latency benchmark (2,000 hub agents, 2 cores),
    // that spinning took 8% of the server's CPU samples, although each transaction keeps the gate for well under a
    // millisecond.
    private readonly object _turnLock = new();
    private bool _turnTaken;
    private long _turnStarted;
    private readonly string _walPath = databasePath + "-wal";
    private readonly object _syncLock = new();
    private long _committed;
    private long _durable;
    private bool _syncing;

    /// <summary>Creates the gate of one database file, whose writers wait at most 30 seconds for their turn.</summary>
    public SqliteWriteGate(string databasePath)
        : this(databasePath, DefaultEnterTimeout)
    {
    }

    /// <summary>Waits for this process's turn to write.</summary>
    /// <exception cref="TimeoutException">Another write transaction held the gate for the whole timeout.</exception>
    public void Enter()
    {
        var requested = Stopwatch.GetTimestamp();
        var deadline = Environment.TickCount64 + (long)enterTimeout.TotalMilliseconds;
        lock (_turnLock)
        {
            while (_turnTaken)
            {
                var remaining = deadline - Environment.TickCount64;
                if (remaining <= 0 || !Monitor.Wait(_turnLock, TimeSpan.FromMilliseconds(remaining)))
                {
                    throw new TimeoutException(
                        $"Waited {enterTimeout.TotalSeconds} seconds for another write transaction on " +
                        $"{databasePath} to finish. A write transaction runs too long, or one was begun inside " +
                        "another on the same thread.");
                }
            }

            _turnTaken = true;
            _turnStarted = Stopwatch.GetTimestamp();
        }

        WaitDuration.Record(Stopwatch.GetElapsedTime(requested, _turnStarted).TotalSeconds);
    }

    /// <summary>Ends this process's turn to write, after a commit or a rollback, and wakes one waiting writer.</summary>
    public void Exit()
    {
        long started;
        lock (_turnLock)
        {
            started = _turnStarted;
            _turnTaken = false;
            Monitor.Pulse(_turnLock);
        }

        HoldDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>
    /// Returns once a commit that has already returned is on disk: the caller either waits for an fsync of the
    /// write-ahead log that started after its commit, or runs that fsync itself.
    /// </summary>
    public void WaitUntilDurable()
    {
        long ticket;
        lock (_syncLock)
        {
            ticket = ++_committed;
        }

        while (true)
        {
            long target;
            lock (_syncLock)
            {
                if (_durable >= ticket)
                {
                    return;
                }

                if (_syncing)
                {
                    Monitor.Wait(_syncLock);
                    continue;
                }

                // Every ticket up to _committed belongs to a commit that has returned, so this fsync covers it.
                _syncing = true;
                target = _committed;
            }

            var synced = false;
            try
            {
                SyncWriteAheadLog();
                synced = true;
            }
            finally
            {
                lock (_syncLock)
                {
                    _syncing = false;
                    if (synced)
                    {
                        _durable = Math.Max(_durable, target);
                    }

                    Monitor.PulseAll(_syncLock);
                }
            }
        }
    }

    /// <summary>
    /// Flushes the write-ahead log to disk. The file is opened for each flush, because SQLite deletes it when the
    /// last connection closes. An fsync flushes the file's pages whichever descriptor wrote them.
    /// </summary>
    private void SyncWriteAheadLog()
    {
        SafeFileHandle wal;
        try
        {
            wal = File.OpenHandle(_walPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException)
        {
            // The last connection checkpointed the log into the database file, synced that file and deleted the log.
            return;
        }

        using (wal)
        {
            RandomAccess.FlushToDisk(wal);
        }
    }
}

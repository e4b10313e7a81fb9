namespace RoutedEmail.Bench;

/// <summary>The command-line help of the benchmark.</summary>
internal sealed partial record BenchOptions
{
    /// <summary>The command-line help.</summary>
    public const string Usage = """
        Usage: RoutedEmail.Bench [options]

        Measures the figures of docs/benchmarks.md on one node with SQLite, each child process on 127.0.0.1 with a
        new temporary data directory, and prints one line per figure with its value, its target and whether it was
        met: ingest against a baseline app (wrk, one thread), routing latency over the agent hub at an open-loop
        ingest rate, and routing step cost, start-up time and memory with a bulk-seeded database. Writes the
        results to bench/history and the charts to docs/images. Exits with 1 if any request failed, a process did
        not start or a figure could not be measured, and with 2 on an invalid argument. A missed target is printed,
        not an error.

        Options:
          --quick                 about two minutes: 5 s per ingest run, 200 hub agents, and scale runs with
                                  100,000 waiting emails instead of 1,000,000 and no 10,000,000 run
          --smoke                 with --quick or alone: seconds per figure and tiny scale runs, to check that the
                                  harness works; its values mean nothing
          --workers N             wrk connections, one wrk thread (default 32)
          --duration SECONDS      measured time per ingest run (default 10, 5 with --quick, 1 with --smoke)
          --warmup SECONDS        unmeasured time before each ingest run (default 8, 3 with --quick, 0 with --smoke)
          --batch-sizes LIST      comma-separated items per request, each 1 to 1000 (default 1,10,100,1000;
                                  1,100 with --quick)
          --hub-agents N          agents connected to the hub for routing latency, 1 to 5000 (default 2000, 200
                                  with --quick, 20 with --smoke)
          --emails-per-second N   open-loop ingest rate of the routing latency figure, 1 to 5000 (default 500)
          --figures LIST          comma-separated groups to measure: ingest, latency, scale (default all); a run
                                  with a subset still writes its results and the charts it has data for
          --charts-from FILE      measure nothing: draw the charts of an earlier run again from its results file
                                  under bench/history, replacing those in docs/images (git checkout docs/images
                                  restores them)
          --keep-data             keep each scale run's data directory, with its seeded database, and print its
                                  path, to inspect query plans; delete the directories yourself
          --server-setting K=V    configuration key and value for the server, such as
                                  Logging:LogLevel:Default=Warning; repeat for more keys
          --help                  print this text

        Closed-loop mode:
          --closed-loop           instead of the figures, send closed-loop ingest load with HttpClient workers for
                                  each batch size, and print requests/s, items/s, p50/p99 latency and CPU use per
                                  batch size as a Markdown table (default 10 s measured and 8 s warm-up; 3 s and 4 s
                                  with --quick; 1 s and none with --smoke)

        Commit mode:
          --commits               instead of the figures, run write transactions of one row each on a new SQLite
                                  database through the service's storage layer, with 1, 8 and 32 writer threads,
                                  and print commits/s, p50/p99/max commit latency and this process's CPU time per
                                  commit per writer count as a Markdown table; then the same with one event
                                  appended per transaction (--duration per row, default 10 s; 3 s with --quick;
                                  1 s with --smoke)

        PostgreSQL mode:
          --postgres              instead of SQLite, measure on PostgreSQL: ingest, and then routing, first on one
                                  node and then on several nodes that share one database, and print each figure
                                  for both with their ratio. Each of the two runs gets a new database, dropped
                                  after it. Needs ROUTED_EMAIL_TEST_POSTGRES, a superuser connection string to the
                                  database postgres; bench/run starts a throwaway cluster and sets it when unset
          --nodes N               nodes compared with one node, 2 to 8 (default 3)
          --agents N              agents who take the routed emails, 1 to 500 (default 16); each has a maximum of
                                  one email and loops GET /api/v1/agent/work, accept, complete
          --routed-emails N       emails ingested and routed in the measured routing round, 1 to 100000
                                  (default 3000, 1000 with --quick, 100 with --smoke); with a warm-up, an unmeasured
                                  round of half as many runs first

        --duration, --warmup, --batch-sizes, --hub-agents and --routed-emails given explicitly win over --quick and
        --smoke.
        """;
}

using System.Globalization;

namespace RoutedEmail.Bench;

/// <summary>The benchmark's settings, read from the command line.</summary>
/// <param name="Workers">Concurrent closed-loop clients. Each waits for its response before it sends again.</param>
/// <param name="Duration">The measured time per batch size.</param>
/// <param name="Warmup">The unmeasured time per batch size before the measured time.</param>
/// <param name="BatchSizes">Items per request, one measurement each.</param>
/// <param name="ServerSettings">Configuration keys passed to the server, such as a log level.</param>
/// <param name="Postgres">Whether to compare one node with several nodes on PostgreSQL instead of SQLite.</param>
/// <param name="Nodes">The number of nodes that are compared with one node, in the PostgreSQL mode.</param>
/// <param name="Agents">The agents who take the routed emails, in the PostgreSQL mode.</param>
/// <param name="RoutedEmails">The emails ingested and routed in the measured routing round.</param>
internal sealed record BenchOptions(
    int Workers, TimeSpan Duration, TimeSpan Warmup, IReadOnlyList<int> BatchSizes,
    IReadOnlyDictionary<string, string> ServerSettings, bool Postgres, int Nodes, int Agents, int RoutedEmails)
{
    /// <summary>The command-line help.</summary>
    public const string Usage = """
        Usage: RoutedEmail.Bench [options]

        Starts the built server as a child process on 127.0.0.1 with a new temporary data directory, creates a
        tenant, and sends closed-loop ingest load for each batch size: every worker sends one request, waits for
        its response and sends the next. Every item has a new entityId, and every response must be 200 SUCCESS.
        Prints requests/s, items/s, p50/p99 latency and CPU use per batch size. Exits with 1 if any request failed or
        returned anything else, and with 2 on an invalid argument.

        Options:
          --workers N             concurrent workers (default 32)
          --duration SECONDS      measured time per batch size (default 10)
          --warmup SECONDS        unmeasured time per batch size before it (default 8)
          --batch-sizes LIST      comma-separated items per request, each 1 to 1000 (default 1,100)
          --server-setting K=V    configuration key and value for the server, such as
                                  Logging:LogLevel:Default=Warning; repeat for more keys
          --quick                 3 s measured and 4 s warm-up per batch size
          --smoke                 1 s measured and no warm-up per batch size, to check the harness works
          --help                  print this text

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

        --duration, --warmup and --routed-emails given explicitly win over --quick and --smoke.
        """;

    private const int MaxBatchSize = 1000;

    private static readonly HashSet<string> ReservedSettings = new(
        ["urls", "Storage:DataDirectory", "Admin:Token", "Storage:Provider", "Storage:ConnectionString"],
        StringComparer.OrdinalIgnoreCase);

    /// <summary>Parses the command line.</summary>
    /// <returns>The options, or null with an error that names the argument and the rule.</returns>
    public static (BenchOptions? Options, string? Error) Parse(IReadOnlyList<string> args)
    {
        var workers = 32;
        double? duration = null;
        double? warmup = null;
        double presetDuration = 10;
        double presetWarmup = 8;
        IReadOnlyList<int> batchSizes = [1, 100];
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var postgres = false;
        var nodes = 3;
        var agents = 16;
        int? routedEmails = null;
        var presetRoutedEmails = 3000;

        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string? error = null;
            switch (name)
            {
                case "--quick":
                    (presetDuration, presetWarmup, presetRoutedEmails) = (3, 4, 1000);
                    break;
                case "--smoke":
                    (presetDuration, presetWarmup, presetRoutedEmails) = (1, 0, 100);
                    break;
                case "--postgres":
                    postgres = true;
                    break;
                case "--nodes":
                    error = ReadInteger(args, ref i, 2, 8, out nodes);
                    break;
                case "--agents":
                    error = ReadInteger(args, ref i, 1, 500, out agents);
                    break;
                case "--routed-emails":
                    error = ReadInteger(args, ref i, 1, 100_000, out var emails);
                    routedEmails = emails;
                    break;
                case "--workers":
                    error = ReadInteger(args, ref i, 1, 4096, out workers);
                    break;
                case "--duration":
                    error = ReadSeconds(args, ref i, 0.1, out var measured);
                    duration = measured;
                    break;
                case "--warmup":
                    error = ReadSeconds(args, ref i, 0, out var unmeasured);
                    warmup = unmeasured;
                    break;
                case "--batch-sizes":
                    error = ReadBatchSizes(args, ref i, out batchSizes);
                    break;
                case "--server-setting":
                    error = ReadSetting(args, ref i, settings);
                    break;
                default:
                    error = $"Unknown argument \"{name}\". Run with --help for the options.";
                    break;
            }

            if (error is not null)
            {
                return (null, error);
            }
        }

        var options = new BenchOptions(workers, TimeSpan.FromSeconds(duration ?? presetDuration),
            TimeSpan.FromSeconds(warmup ?? presetWarmup), batchSizes, settings, postgres, nodes, agents,
            routedEmails ?? presetRoutedEmails);
        return (options, null);
    }

    private static string? ReadValue(IReadOnlyList<string> args, ref int i, out string value)
    {
        var name = args[i];
        if (i + 1 >= args.Count)
        {
            value = "";
            return $"Option {name} is missing its value. Run with --help for the options.";
        }

        value = args[++i];
        return null;
    }

    private static string? ReadInteger(IReadOnlyList<string> args, ref int i, int min, int max, out int value)
    {
        var name = args[i];
        value = 0;
        if (ReadValue(args, ref i, out var text) is { } missing)
        {
            return missing;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value)
            && value >= min && value <= max
            ? null
            : $"Option {name} is \"{text}\"; it must be an integer from {min} to {max}.";
    }

    private static string? ReadSeconds(IReadOnlyList<string> args, ref int i, double min, out double seconds)
    {
        var name = args[i];
        seconds = 0;
        if (ReadValue(args, ref i, out var text) is { } missing)
        {
            return missing;
        }

        return double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out seconds)
            && seconds >= min && seconds <= 3600
            ? null
            : $"Option {name} is \"{text}\"; it must be a number of seconds from {min} to 3600.";
    }

    private static string? ReadBatchSizes(IReadOnlyList<string> args, ref int i, out IReadOnlyList<int> sizes)
    {
        var name = args[i];
        sizes = [];
        if (ReadValue(args, ref i, out var text) is { } missing)
        {
            return missing;
        }

        var parsed = new List<int>();
        foreach (var part in text.Split(','))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var size)
                || size < 1 || size > MaxBatchSize)
            {
                return $"Option {name} contains \"{part}\"; each batch size must be an integer from 1 to " +
                    $"{MaxBatchSize}, the server's limit of items per request.";
            }

            parsed.Add(size);
        }

        sizes = parsed;
        return null;
    }

    private static string? ReadSetting(IReadOnlyList<string> args, ref int i, Dictionary<string, string> settings)
    {
        var name = args[i];
        if (ReadValue(args, ref i, out var text) is { } missing)
        {
            return missing;
        }

        var separator = text.IndexOf('=', StringComparison.Ordinal);
        if (separator <= 0)
        {
            return $"Option {name} is \"{text}\"; it must be KEY=VALUE, such as Logging:LogLevel:Default=Warning.";
        }

        var key = text[..separator];
        if (ReservedSettings.Contains(key))
        {
            return $"Option {name} sets \"{key}\", which the benchmark sets itself to a loopback port, a temporary " +
                "data directory, its own admin token and the store (SQLite, or PostgreSQL with --postgres). Remove it.";
        }

        settings[key] = text[(separator + 1)..];
        return null;
    }
}

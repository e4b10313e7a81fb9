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
internal sealed partial record BenchOptions(
    int Workers, TimeSpan Duration, TimeSpan Warmup, IReadOnlyList<int> BatchSizes,
    IReadOnlyDictionary<string, string> ServerSettings, bool Postgres, int Nodes, int Agents, int RoutedEmails)
{
    /// <summary>Whether <c>--quick</c> was given: about two minutes of figures, or 3 s per closed-loop phase.</summary>
    public bool Quick { get; init; }

    /// <summary>Whether <c>--smoke</c> was given: seconds per figure or phase, to check the harness works.</summary>
    public bool Smoke { get; init; }

    /// <summary>Whether <c>--closed-loop</c> was given: the HttpClient ingest table instead of the figures.</summary>
    public bool ClosedLoop { get; init; }

    /// <summary>Whether <c>--commits</c> was given: the SQLite write transaction table instead of the figures.</summary>
    public bool Commits { get; init; }

    /// <summary>Whether <c>--duration</c> was given, so it wins over the preset of the figures run.</summary>
    public bool DurationSet { get; init; }

    /// <summary>Whether <c>--warmup</c> was given, so it wins over the preset of the figures run.</summary>
    public bool WarmupSet { get; init; }

    /// <summary>Whether <c>--batch-sizes</c> was given, so it wins over the preset of the figures run.</summary>
    public bool BatchSizesSet { get; init; }

    /// <summary>Agents connected to the hub in the routing latency figure, or null for the preset.</summary>
    public int? HubAgents { get; init; }

    /// <summary>The open-loop ingest rate of the routing latency figure, or null for 500 emails/s.</summary>
    public int? EmailsPerSecond { get; init; }

    /// <summary>The figure groups to measure: ingest, latency and scale, or a subset given with --figures.</summary>
    public IReadOnlySet<string> FigureGroups { get; init; } = AllFigureGroups;

    /// <summary>Every figure group, in the order they run.</summary>
    public static IReadOnlySet<string> AllFigureGroups { get; } = new HashSet<string>(["ingest", "latency", "scale"]);

    /// <summary>The results file given with <c>--charts-from</c>, whose charts are drawn again; or null.</summary>
    public string? ChartsFrom { get; init; }

    /// <summary>
    /// The directory given with <c>--charts-to</c>, as a full path, or null for the default: docs/images, or a
    /// temporary directory in a smoke run.
    /// </summary>
    public string? ChartsTo { get; init; }

    /// <summary>Whether <c>--keep-data</c> was given: scale runs keep their data directories.</summary>
    public bool KeepData { get; init; }

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
        // The figures measure what one node can store and route. The per-tenant rate limits would cap the one
        // benchmark tenant far below that, so they are off unless --server-setting sets them.
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["RateLimits:Ingest:PermitLimit"] = "0",
            ["RateLimits:Api:PermitLimit"] = "0",
        };
        var postgres = false;
        var nodes = 3;
        var agents = 16;
        int? routedEmails = null;
        var presetRoutedEmails = 3000;
        var (quick, smoke, closedLoop, batchSizesSet) = (false, false, false, false);
        var commits = false;
        int? hubAgents = null;
        int? emailsPerSecond = null;
        var figureGroups = AllFigureGroups;
        var keepData = false;
        string? chartsFrom = null;
        string? chartsTo = null;

        // Every option but --server-setting sets one value, so a second use of it is a mistake in the command.
        var seenOptions = new HashSet<string>(StringComparer.Ordinal);
        var givenOptions = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name.StartsWith("--", StringComparison.Ordinal) && name != "--server-setting" && !seenOptions.Add(name))
            {
                return (null, $"Option {name} is given twice. Give each option once.");
            }

            givenOptions.Add(name);

            string? error = null;
            switch (name)
            {
                case "--quick":
                    (presetDuration, presetWarmup, presetRoutedEmails) = (3, 4, 1000);
                    quick = true;
                    break;
                case "--smoke":
                    (presetDuration, presetWarmup, presetRoutedEmails) = (1, 0, 100);
                    smoke = true;
                    break;
                case "--charts-from":
                    error = ReadValue(args, ref i, out var chartsFromValue);
                    chartsFrom = chartsFromValue;
                    break;
                case "--charts-to":
                    error = ReadDirectory(args, ref i, out chartsTo);
                    break;
                case "--keep-data":
                    keepData = true;
                    break;
                case "--closed-loop":
                    closedLoop = true;
                    break;
                case "--commits":
                    commits = true;
                    break;
                case "--emails-per-second":
                    error = ReadInteger(args, ref i, 1, 5000, out var rate);
                    emailsPerSecond = rate;
                    break;
                case "--figures":
                    error = ReadFigureGroups(args, ref i, out figureGroups);
                    break;
                case "--hub-agents":
                    error = ReadInteger(args, ref i, 1, 5000, out var connected);
                    hubAgents = connected;
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
                    batchSizesSet = true;
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

        if (CheckModes(givenOptions, figureGroups) is { } modeError)
        {
            return (null, modeError);
        }

        var options = new BenchOptions(workers, TimeSpan.FromSeconds(duration ?? presetDuration),
            TimeSpan.FromSeconds(warmup ?? presetWarmup), batchSizes, settings, postgres, nodes, agents,
            routedEmails ?? presetRoutedEmails)
        {
            Quick = quick,
            Smoke = smoke,
            ClosedLoop = closedLoop,
            Commits = commits,
            DurationSet = duration is not null,
            WarmupSet = warmup is not null,
            BatchSizesSet = batchSizesSet,
            HubAgents = hubAgents,
            EmailsPerSecond = emailsPerSecond,
            FigureGroups = figureGroups,
            KeepData = keepData,
            ChartsFrom = chartsFrom,
            ChartsTo = chartsTo,
        };
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

        // No value starts with "--", so an option there means the value was left out. Taking the option as the
        // value would drop it, and "--charts-to --quick" would start a full run.
        if (args[i + 1].StartsWith("--", StringComparison.Ordinal))
        {
            value = "";
            return $"Option {name} is missing its value; the next argument is the option {args[i + 1]}. Give " +
                $"{name} its value, or run with --help for the options.";
        }

        value = args[++i];
        return null;
    }

    // Reads a directory path as a full path, relative to the working directory, which bench/run sets to the
    // repository root.
    private static string? ReadDirectory(IReadOnlyList<string> args, ref int i, out string? directory)
    {
        var name = args[i];
        directory = null;
        if (ReadValue(args, ref i, out var text) is { } missing)
        {
            return missing;
        }

        if (text.Trim().Length == 0)
        {
            return $"Option {name} is empty; it must be a directory, such as /tmp/charts.";
        }

        var fullPath = Path.GetFullPath(text);
        if (File.Exists(fullPath))
        {
            return $"Option {name} is \"{text}\", which is a file; it must be a directory, new or existing.";
        }

        directory = fullPath;
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

    private static string? ReadFigureGroups(IReadOnlyList<string> args, ref int i, out IReadOnlySet<string> groups)
    {
        var name = args[i];
        groups = AllFigureGroups;
        if (ReadValue(args, ref i, out var text) is { } missing)
        {
            return missing;
        }

        var parsed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in text.Split(','))
        {
            if (!AllFigureGroups.Contains(group))
            {
                return $"Option {name} contains \"{group}\"; each group must be ingest, latency or scale.";
            }

            if (!parsed.Add(group))
            {
                return $"Option {name} contains \"{group}\" twice. Give each group once.";
            }
        }

        groups = parsed;
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

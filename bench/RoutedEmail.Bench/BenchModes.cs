namespace RoutedEmail.Bench;

/// <summary>The modes of the benchmark, and the options that apply to each mode and figure group.</summary>
internal sealed partial record BenchOptions
{
    // The default mode, which runs when no mode option is given.
    private const string FiguresMode = "figures";

    // The options that choose a mode other than the figures run. A command gives at most one of them.
    private static readonly string[] ModeOptions = ["--closed-loop", "--commits", "--postgres", "--charts-from"];

    // The modes that read each option. A mode option applies to its own mode only, so it is not listed.
    // --charts-from reads nothing but its file. --commits starts no server, has no warm-up, and fixes its writer
    // counts, so it reads neither server settings nor workers nor batch sizes.
    private static readonly Dictionary<string, string[]> OptionModes = new(StringComparer.Ordinal)
    {
        ["--quick"] = [FiguresMode, "--closed-loop", "--commits", "--postgres"],
        ["--smoke"] = [FiguresMode, "--closed-loop", "--commits", "--postgres"],
        ["--duration"] = [FiguresMode, "--closed-loop", "--commits", "--postgres"],
        ["--workers"] = [FiguresMode, "--closed-loop", "--postgres"],
        ["--warmup"] = [FiguresMode, "--closed-loop", "--postgres"],
        ["--batch-sizes"] = [FiguresMode, "--closed-loop", "--postgres"],
        ["--server-setting"] = [FiguresMode, "--closed-loop", "--postgres"],
        ["--hub-agents"] = [FiguresMode],
        ["--emails-per-second"] = [FiguresMode],
        ["--figures"] = [FiguresMode],
        ["--keep-data"] = [FiguresMode],
        ["--charts-to"] = [FiguresMode, "--charts-from"],
        ["--nodes"] = ["--postgres"],
        ["--agents"] = ["--postgres"],
        ["--routed-emails"] = ["--postgres"],
    };

    // The figure groups that read each option of the figures run. An option whose groups --figures leaves out
    // would change nothing, so it is rejected.
    private static readonly Dictionary<string, string[]> OptionFigureGroups = new(StringComparer.Ordinal)
    {
        ["--workers"] = ["ingest"],
        ["--duration"] = ["ingest"],
        ["--warmup"] = ["ingest"],
        ["--batch-sizes"] = ["ingest"],
        ["--hub-agents"] = ["latency"],
        ["--emails-per-second"] = ["latency"],
        ["--keep-data"] = ["scale"],
        ["--charts-to"] = ["ingest", "latency"],
    };

    /// <summary>Checks that at most one mode is chosen and that every option given applies to it.</summary>
    /// <param name="givenOptions">The option names in command-line order, without their values.</param>
    /// <param name="figureGroups">The groups that the figures run measures.</param>
    /// <returns>Null, or an error that names the option, the mode and what to change.</returns>
    private static string? CheckModes(IReadOnlyList<string> givenOptions, IReadOnlySet<string> figureGroups)
    {
        var modes = givenOptions.Where(ModeOptions.Contains).ToList();
        if (modes.Count > 1)
        {
            return $"Options {modes[0]} and {modes[1]} each choose a mode, so they cannot be combined. Give at most " +
                "one of --closed-loop, --commits, --postgres and --charts-from.";
        }

        var mode = modes.Count == 1 ? modes[0] : FiguresMode;
        foreach (var option in givenOptions)
        {
            if (OptionModes.TryGetValue(option, out var optionModes) && !optionModes.Contains(mode))
            {
                return $"Option {option} does not apply to {DescribeMode(mode)}. Remove {option}; it applies " +
                    $"only to {JoinWithOr(optionModes.Select(DescribeMode))}.";
            }

            if (mode == FiguresMode && OptionFigureGroups.TryGetValue(option, out var groups)
                && !groups.Any(figureGroups.Contains))
            {
                var measured = string.Join(",", figureGroups.Order(StringComparer.Ordinal));
                return $"Option {option} applies only to the {JoinWithOr(groups)} figures, which " +
                    $"--figures {measured} leaves out. Add {groups[0]} to --figures, or remove {option}.";
            }
        }

        return null;
    }

    private static string DescribeMode(string mode) =>
        mode == FiguresMode ? "the figures run (no mode option)" : $"the {mode} mode";

    private static string JoinWithOr(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count == 1 ? list[0] : string.Join(", ", list[..^1]) + " or " + list[^1];
    }
}

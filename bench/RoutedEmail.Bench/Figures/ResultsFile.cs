using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RoutedEmail.Bench.Figures;

/// <summary>
/// Writes a figures run as JSON: one file per run, bench/history/&lt;date&gt;-&lt;commit&gt;.json, and the same
/// object as one line appended to bench/history/history.jsonl, the history that docs/benchmarks.md summarises.
/// </summary>
internal static class ResultsFile
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes the run and returns the path of its own file.</summary>
    public static string Write(string resultsDirectory, JsonObject run, DateTimeOffset startedAt, string commit)
    {
        Directory.CreateDirectory(resultsDirectory);
        var date = startedAt.UtcDateTime.ToString("yyyy-MM-dd-HHmm", System.Globalization.CultureInfo.InvariantCulture);
        var path = Path.Combine(resultsDirectory, $"{date}-{commit}.json");
        File.WriteAllText(path, run.ToJsonString(Indented) + Environment.NewLine);
        File.AppendAllText(Path.Combine(resultsDirectory, "history.jsonl"), run.ToJsonString() + Environment.NewLine);
        return path;
    }

    /// <summary>Converts figures to JSON objects with name, value, unit, target, verdict and note.</summary>
    public static JsonArray ToJson(IEnumerable<Figure> figures) =>
    [
        .. figures.Select(figure => (JsonNode)new JsonObject
        {
            ["name"] = figure.Name,
            ["value"] = Math.Round(figure.Value, 4),
            ["unit"] = figure.Unit,
            ["target"] = figure.Target,
            ["verdict"] = figure.Verdict,
            ["note"] = figure.Note,
        }),
    ];
}

using System.Globalization;
using System.Text;

namespace RoutedEmail.Server.Tests.Telemetry;

/// <summary>One sample line of the Prometheus text format: a name, its labels and its value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// A parsed scrape in the Prometheus text exposition format 0.0.4: the <c># TYPE</c> of each metric family and
/// every sample, with label values unescaped (<c>\\</c>, <c>\"</c>, <c>\n</c>). It fails on a line that breaks the
/// format, so a test never matches a sample that it misread.
/// </summary>
public sealed class PrometheusText
{
    private readonly Dictionary<string, string> _types = new(StringComparer.Ordinal);
    private readonly List<PrometheusSample> _samples = [];

    private PrometheusText()
    {
    }

    /// <summary>The samples in the order of the text.</summary>
    public IReadOnlyList<PrometheusSample> Samples => _samples;

    public static PrometheusText Parse(string text)
    {
        var parsed = new PrometheusText();
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                Assert.True(parts.Length == 4, $"Invalid TYPE line: {line}");
                parsed._types[parts[2]] = parts[3];
            }
            else if (line.Length > 0 && line[0] != '#')
            {
                parsed._samples.Add(ParseSample(line));
            }
        }

        return parsed;
    }

    /// <summary>Returns the type of a metric family, such as <c>counter</c>, or null when the text has none.</summary>
    public string? TypeOf(string family) => _types.GetValueOrDefault(family);

    /// <summary>Returns the samples named <paramref name="name"/> whose labels include every given pair.</summary>
    public IReadOnlyList<PrometheusSample> Find(string name, params (string Label, string Value)[] labels) =>
        _samples
            .Where(sample => sample.Name == name)
            .Where(sample => labels.All(pair =>
                sample.Labels.TryGetValue(pair.Label, out var value) && value == pair.Value))
            .ToList();

    private static PrometheusSample ParseSample(string line)
    {
        var nameEnd = line.IndexOfAny(['{', ' ']);
        Assert.True(nameEnd > 0, $"Invalid sample line: {line}");
        var name = line[..nameEnd];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var position = nameEnd;
        if (line[position] == '{')
        {
            position = ParseLabels(line, position + 1, labels);
        }

        // The value, then an optional timestamp in milliseconds.
        var rest = line[position..].Trim().Split(' ');
        Assert.True(rest.Length is 1 or 2, $"Invalid sample value: {line}");
        var value = rest[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            var number => double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return new PrometheusSample(name, labels, value);
    }

    /// <summary>Reads <c>name="value",...}</c> from <paramref name="start"/> and returns the index after '}'.</summary>
    private static int ParseLabels(string line, int start, Dictionary<string, string> labels)
    {
        var position = start;
        while (line[position] != '}')
        {
            var equals = line.IndexOf("=\"", position, StringComparison.Ordinal);
            Assert.True(equals > position, $"Invalid label at {position}: {line}");
            var label = line[position..equals];
            var value = new StringBuilder();
            position = equals + 2;
            while (line[position] != '"')
            {
                if (line[position] == '\\')
                {
                    position++;
                    value.Append(line[position] == 'n' ? '\n' : line[position]);
                }
                else
                {
                    value.Append(line[position]);
                }

                position++;
            }

            labels.Add(label, value.ToString());
            position++;
            if (line[position] == ',')
            {
                position++;
            }
        }

        return position + 1;
    }
}

using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RoutedEmail.Cli;

/// <summary>Writes results as text for people or, with --json, as indented JSON for scripts.</summary>
internal sealed class Output(TextWriter writer, bool json)
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public bool IsJson { get; } = json;

    public TextWriter Writer { get; } = writer;

    /// <summary>Writes a value as JSON, or the text from <paramref name="text"/>.</summary>
    public void Write<T>(T value, Func<T, string> text) =>
        Writer.WriteLine(IsJson ? JsonSerializer.Serialize(value, JsonOptions) : text(value).TrimEnd());

    /// <summary>Writes a JSON document from the service as JSON, or as aligned text lines.</summary>
    public void WriteDocument(JsonElement document) =>
        Writer.WriteLine(IsJson ? JsonSerializer.Serialize(document, JsonOptions) : HumanText(document).TrimEnd());

    /// <summary>
    /// Formats an object as one "name: value" line per property, and an array as one line per element with
    /// its scalar properties, so a list of tenants or queues reads as a table.
    /// </summary>
    public static string HumanText(JsonElement document)
    {
        var text = new System.Text.StringBuilder();
        if (document.ValueKind == JsonValueKind.Array)
        {
            if (document.GetArrayLength() == 0)
            {
                return "(none)";
            }

            foreach (var item in document.EnumerateArray())
            {
                text.AppendLine(item.ValueKind == JsonValueKind.Object
                    ? string.Join("  ", item.EnumerateObject().Select(p => $"{p.Name}={Scalar(p.Value)}"))
                    : Scalar(item));
            }

            return text.ToString();
        }

        if (document.ValueKind != JsonValueKind.Object)
        {
            return Scalar(document);
        }

        var width = document.EnumerateObject().Select(p => p.Name.Length).DefaultIfEmpty(0).Max();
        foreach (var property in document.EnumerateObject())
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{property.Name.PadRight(width)}  {Scalar(property.Value)}");
        }

        return text.ToString();
    }

    private static string Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null => "-",
        JsonValueKind.Array or JsonValueKind.Object => JsonSerializer.Serialize(value),
        _ => value.GetRawText(),
    };
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace RoutedEmail.Server.Hosting;

/// <summary>
/// Reads every JSON string of a REST or hub request and rejects the NUL character (U+0000). PostgreSQL's text type
/// cannot store it, so both stores reject it at the API instead of failing at the write, as ingest does.
/// </summary>
internal sealed class StoredTextConverter : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.GetString();
        if (value is not null && value.Contains('\0', StringComparison.Ordinal))
        {
            throw new StoredTextException();
        }

        return value;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);
}

/// <summary>The error of a JSON string that contains the NUL character, with the rule and the fix.</summary>
internal sealed class StoredTextException()
    : JsonException("the text contains the NUL character (U+0000), which cannot be stored. Remove it.");

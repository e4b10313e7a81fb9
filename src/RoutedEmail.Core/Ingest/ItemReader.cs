using System.Text.Json;
using RoutedEmail.Core.Emails;

namespace RoutedEmail.Core.Ingest;

/// <summary>Reads and validates one request object of an ingest body.</summary>
internal static class ItemReader
{
    private static readonly string[] ItemFields = [.. RoutedEmailBatchParser.Mandatory, "attributes"];

    private static readonly string[] AttributeFields = ["key", "value"];

    internal readonly record struct ItemResult(RoutedEmailRequest? Request, IngestError? Error);

    private sealed class FieldError(IngestError error) : Exception(error.Message)
    {
        public IngestError Error { get; } = error;
    }

    /// <summary>Reads the object that starts at the reader's current token, leaving the reader on its end.</summary>
    public static ItemResult Read(ref Utf8JsonReader reader, int index)
    {
        try
        {
            return new ItemResult(ReadObject(ref reader, index), null);
        }
        catch (FieldError failure)
        {
            return new ItemResult(null, failure.Error);
        }
    }

    private static RoutedEmailRequest ReadObject(ref Utf8JsonReader reader, int index)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        IReadOnlyList<EmailAttribute> attributes = [];

        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = ReadPropertyName(ref reader, index, null);
            if (!seen.Add(name))
            {
                throw Invalid(index, name, $"property \"{name}\" appears more than once in the object.",
                    "Send each property once.");
            }

            reader.Read();
            if (name == "attributes")
            {
                attributes = ReadAttributes(ref reader, index);
            }
            else if (RoutedEmailBatchParser.Mandatory.Contains(name))
            {
                values[name] = ReadString(ref reader, index, name);
            }
            else
            {
                RejectMiscased(index, name, name, ItemFields);

                // Unknown properties are ignored so that CRMs which send extra fields keep working.
                reader.Skip();
            }
        }

        foreach (var field in RoutedEmailBatchParser.Mandatory)
        {
            if (!values.ContainsKey(field))
            {
                throw Invalid(index, field, "the mandatory property is missing.",
                    $"Add \"{field}\" as a string.");
            }
        }

        var request = new RoutedEmailRequest(
            values["platform"], values["companyCode"], values["environment"], values["ownerId"],
            values["entityId"], values["fromAddress"], values["toAddress"], values["subject"], attributes);
        CheckValues(request, index);
        return request;
    }

    private static void CheckValues(RoutedEmailRequest request, int index)
    {
        if (request.Platform != IngestLimits.PlatformCode)
        {
            throw Invalid(index, "platform", $"the value \"{Shorten(request.Platform)}\" is not supported.",
                $"Use \"{IngestLimits.PlatformCode}\".");
        }

        CheckLength(index, "companyCode", request.CompanyCode, IngestLimits.MaxCodeLength);
        CheckLength(index, "environment", request.Environment, IngestLimits.MaxCodeLength);
        CheckIdentifier(index, "ownerId", request.OwnerId);
        CheckIdentifier(index, "entityId", request.EntityId);
        CheckLength(index, "fromAddress", request.FromAddress, IngestLimits.MaxDisplayLength);
        CheckLength(index, "toAddress", request.ToAddress, IngestLimits.MaxDisplayLength);
        CheckLength(index, "subject", request.Subject, IngestLimits.MaxDisplayLength);
    }

    private static void CheckIdentifier(int index, string field, string value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw Invalid(index, field, "the value is empty or only whitespace.", "Send a non-empty identifier.");
        }

        if (value.Any(char.IsControl))
        {
            throw Invalid(index, field, "the value contains a control character.",
                "Send an identifier of printable characters, as a CRM stores it.");
        }

        CheckLength(index, field, value, IngestLimits.MaxIdLength);
    }

    private static List<EmailAttribute> ReadAttributes(ref Utf8JsonReader reader, int index)
    {
        // The attributes property is optional, so null means the same as an empty array.
        if (reader.TokenType == JsonTokenType.Null)
        {
            return [];
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Invalid(index, "attributes",
                $"the value is a JSON {RoutedEmailBatchParser.Describe(reader.TokenType)}, not an array.",
                "Send an array of {\"key\": ..., \"value\": ...} objects, or leave the property out.");
        }

        var attributes = new List<EmailAttribute>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var position = attributes.Count;
            if (position == IngestLimits.MaxAttributes)
            {
                throw Invalid(index, "attributes", $"there are more than {IngestLimits.MaxAttributes} attributes.",
                    $"Send at most {IngestLimits.MaxAttributes}.");
            }

            var attribute = ReadAttribute(ref reader, index, position);
            if (!keys.Add(attribute.Key))
            {
                throw Invalid(index, $"attributes[{position}].key",
                    $"the key \"{Shorten(attribute.Key)}\" is used by an earlier attribute.",
                    "Give each attribute a distinct key.");
            }

            attributes.Add(attribute);
        }

        return attributes;
    }

    private static EmailAttribute ReadAttribute(ref Utf8JsonReader reader, int index, int position)
    {
        var prefix = $"attributes[{position}]";
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Invalid(index, prefix,
                $"the attribute is a JSON {RoutedEmailBatchParser.Describe(reader.TokenType)}, not an object.",
                "Send each attribute as {\"key\": \"...\", \"value\": \"...\"}.");
        }

        string? key = null;
        string? value = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = ReadPropertyName(ref reader, index, prefix);
            if (!seen.Add(name))
            {
                throw Invalid(index, $"{prefix}.{name}", $"property \"{name}\" appears more than once in the attribute.",
                    "Send each property once.");
            }

            reader.Read();
            switch (name)
            {
                case "key":
                    key = ReadString(ref reader, index, $"{prefix}.key");
                    break;
                case "value":
                    value = ReadString(ref reader, index, $"{prefix}.value");
                    break;
                default:
                    RejectMiscased(index, $"{prefix}.{name}", name, AttributeFields);
                    reader.Skip();
                    break;
            }
        }

        if (key is null || value is null)
        {
            var missing = key is null ? "key" : "value";
            throw Invalid(index, $"{prefix}.{missing}", "the mandatory property is missing.",
                $"Add \"{missing}\" as a string.");
        }

        if (key.Length == 0)
        {
            throw Invalid(index, $"{prefix}.key", "the key is empty.", "Give the attribute a name.");
        }

        CheckLength(index, $"{prefix}.key", key, IngestLimits.MaxAttributeLength);
        CheckLength(index, $"{prefix}.value", value, IngestLimits.MaxAttributeLength);
        return new EmailAttribute(key, value);
    }

    private static string ReadPropertyName(ref Utf8JsonReader reader, int index, string? prefix)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw Invalid(index, prefix, "a property name contains an invalid \\u escape (an unpaired surrogate).",
                "Escape only complete UTF-16 surrogate pairs.");
        }
    }

    private static string ReadString(ref Utf8JsonReader reader, int index, string field)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            throw Invalid(index, field, "the value is null.", "Send a string; use \"\" for no text.");
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw Invalid(index, field,
                $"the value is a JSON {RoutedEmailBatchParser.Describe(reader.TokenType)}, not a string.",
                "Send the value as a JSON string, in quotes.");
        }

        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw Invalid(index, field, "the value contains an invalid \\u escape (an unpaired surrogate).",
                "Escape only complete UTF-16 surrogate pairs.");
        }
    }

    private static void CheckLength(int index, string field, string value, int maximum)
    {
        var length = UnicodeText.CountCharacters(value);
        if (length > maximum)
        {
            throw Invalid(index, field, $"the value is {length} characters long; the maximum is {maximum}.",
                $"Shorten it to at most {maximum} characters.");
        }
    }

    private static void RejectMiscased(int index, string field, string name, IReadOnlyList<string> knownNames)
    {
        var match = knownNames.FirstOrDefault(known => string.Equals(known, name, StringComparison.OrdinalIgnoreCase));
        if (match is not null)
        {
            throw Invalid(index, field, $"property \"{name}\" differs from \"{match}\" only in letter case.",
                $"Property names are case-sensitive: rename it to \"{match}\".");
        }
    }

    private static string Shorten(string value) => value.Length <= 64 ? value : string.Concat(value.AsSpan(0, 61), "...");

    private static FieldError Invalid(int index, string? field, string rule, string fix)
    {
        var location = field is null ? $"Item {index}" : $"Item {index}, field \"{field}\"";
        return new FieldError(new IngestError(index, field, $"{location}: {rule} {fix}"));
    }
}

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
    public static ItemResult Read(ref Utf8JsonReader reader, int index, IngestLimitOptions limits)
    {
        try
        {
            return new ItemResult(ReadObject(ref reader, index, limits), null);
        }
        catch (FieldError failure)
        {
            return new ItemResult(null, failure.Error);
        }
    }

    private static RoutedEmailRequest ReadObject(ref Utf8JsonReader reader, int index, IngestLimitOptions limits)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        IReadOnlyList<EmailAttribute> attributes = [];

        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            CheckPropertyCount(index, null, seen.Count, limits.MaxPropertiesPerObject);
            var name = ReadPropertyName(ref reader, index, null);
            if (!seen.Add(name))
            {
                throw Invalid(index, name, $"property \"{name}\" appears more than once in the object.",
                    "Send each property once.");
            }

            reader.Read();
            if (name == "attributes")
            {
                attributes = ReadAttributes(ref reader, index, limits);
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
        CheckValues(request, index, limits);
        return request;
    }

    private static void CheckValues(RoutedEmailRequest request, int index, IngestLimitOptions limits)
    {
        if (request.Platform != IngestLimits.PlatformCode)
        {
            throw Invalid(index, "platform", $"the value \"{Shorten(request.Platform)}\" is not supported.",
                $"Use \"{IngestLimits.PlatformCode}\".");
        }

        const string code = nameof(IngestLimitOptions.MaxCodeLength);
        const string display = nameof(IngestLimitOptions.MaxDisplayLength);
        CheckLength(index, "companyCode", request.CompanyCode, limits.MaxCodeLength, code);
        CheckLength(index, "environment", request.Environment, limits.MaxCodeLength, code);
        CheckIdentifier(index, "ownerId", request.OwnerId, limits.MaxIdLength);
        CheckIdentifier(index, "entityId", request.EntityId, limits.MaxIdLength);
        CheckLength(index, "fromAddress", request.FromAddress, limits.MaxDisplayLength, display);
        CheckLength(index, "toAddress", request.ToAddress, limits.MaxDisplayLength, display);
        CheckLength(index, "subject", request.Subject, limits.MaxDisplayLength, display);
    }

    private static void CheckIdentifier(int index, string field, string value, int maximum)
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

        CheckLength(index, field, value, maximum, nameof(IngestLimitOptions.MaxIdLength));
    }

    private static List<EmailAttribute> ReadAttributes(
        ref Utf8JsonReader reader, int index, IngestLimitOptions limits)
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
            if (position == limits.MaxAttributes)
            {
                throw Invalid(index, "attributes",
                    $"there are more than {limits.MaxAttributes} attributes " +
                    $"({IngestLimitOptions.Setting(nameof(IngestLimitOptions.MaxAttributes))}).",
                    $"Send at most {limits.MaxAttributes}.");
            }

            var attribute = ReadAttribute(ref reader, index, position, limits);
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

    private static EmailAttribute ReadAttribute(
        ref Utf8JsonReader reader, int index, int position, IngestLimitOptions limits)
    {
        var maximum = limits.MaxAttributeLength;
        var maxProperties = limits.MaxPropertiesPerObject;
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
            CheckPropertyCount(index, prefix, seen.Count, maxProperties);
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

        const string option = nameof(IngestLimitOptions.MaxAttributeLength);
        CheckLength(index, $"{prefix}.key", key, maximum, option);
        CheckLength(index, $"{prefix}.value", value, maximum, option);
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

        string value;
        try
        {
            value = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw Invalid(index, field, "the value contains an invalid \\u escape (an unpaired surrogate).",
                "Escape only complete UTF-16 surrogate pairs.");
        }

        // PostgreSQL text cannot store U+0000, so both stores reject it here instead of failing at the write.
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw Invalid(index, field, "the value contains the control character NUL (\\u0000).",
                "Remove the NUL character; no stored text may contain it.");
        }

        return value;
    }

    private static void CheckLength(int index, string field, string value, int maximum, string option)
    {
        var length = UnicodeText.CountCharacters(value);
        if (length > maximum)
        {
            throw Invalid(index, field,
                $"the value is {length} characters long; the maximum is {maximum} " +
                $"({IngestLimitOptions.Setting(option)}).",
                $"Shorten it to at most {maximum} characters.");
        }
    }

    /// <summary>
    /// Rejects an object with too many properties before its next one is read. Unknown properties are ignored but
    /// each name is kept to find repeats, so without this limit one 8 MiB item would cost over 100 MiB of memory.
    /// </summary>
    private static void CheckPropertyCount(int index, string? field, int count, int maximum)
    {
        if (count >= maximum)
        {
            throw Invalid(index, field,
                $"the object has more than {maximum} properties " +
                $"({IngestLimitOptions.Setting(nameof(IngestLimitOptions.MaxPropertiesPerObject))}).",
                "Leave out the properties that the API does not define.");
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

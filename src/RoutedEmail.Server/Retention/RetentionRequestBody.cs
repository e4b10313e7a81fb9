using System.Text.Json;
using RoutedEmail.Server.Admin;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Retention;

/// <summary>
/// Reads the body of <c>PUT .../retention</c> strictly. Every field is optional and a missing one keeps the stored
/// value, so a misspelled field name would otherwise get 200 and change nothing. Unlike the other request bodies,
/// which ignore unknown properties, this one rejects them.
/// </summary>
internal static class RetentionRequestBody
{
    /// <summary>
    /// Reads the body as a request. Adds errors and returns null when the body is not a well-formed JSON object,
    /// names a property twice or one that the request does not have, or has a value of the wrong type. The property
    /// names come from the HTTP API's serializer <paramref name="options"/>.
    /// </summary>
    public static async Task<RetentionRequest?> ReadAsync(
        RequestValidation validation, Stream body, JsonSerializerOptions options, CancellationToken cancellationToken)
    {
        // The document keeps a repeated property, so that the check below can name it. The HTTP API's binder
        // rejects one without naming it.
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(body, default, cancellationToken);
        }
        catch (JsonException exception)
        {
            validation.Add("body", $"The JSON body is malformed at line {exception.LineNumber + 1}, byte " +
                $"{exception.BytePositionInLine + 1}, or empty. Send one JSON object, such as " +
                $"{Example}.");
            return null;
        }

        using (document)
        {
            return Read(validation, document.RootElement, options);
        }
    }

    private const string Example = "{\"emailRetentionDays\": 90}";

    private static RetentionRequest? Read(RequestValidation validation, JsonElement body, JsonSerializerOptions options)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            validation.Add("body", $"The body is a JSON {Describe(body.ValueKind)}, but a JSON object is expected, " +
                $"such as {Example}. Send an object with the fields to change.");
            return null;
        }

        var known = options.GetTypeInfo(typeof(RetentionRequest)).Properties.Select(property => property.Name)
            .ToList();

        // The binder matches names without regard to case, so these checks do too.
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in body.EnumerateObject())
        {
            if (!known.Contains(property.Name, StringComparer.OrdinalIgnoreCase))
            {
                validation.Add(property.Name, $"\"{property.Name}\" is not a retention setting, so it would be " +
                    $"ignored. Send only {string.Join(", ", known)}; a missing one keeps its value.");
            }
            else if (!seen.Add(property.Name))
            {
                validation.Add(property.Name, $"\"{property.Name}\" is given more than once. Send each setting " +
                    "once.");
            }
        }

        if (!validation.IsValid)
        {
            return null;
        }

        try
        {
            return body.Deserialize<RetentionRequest>(options);
        }
        catch (JsonException exception)
        {
            // The serializer's message names .NET types, so only the field is passed on.
            var field = exception.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal)
                ? path[2..]
                : "body";
            validation.Add(field, $"{field} has a value of the wrong type. Send a whole number of days from " +
                $"{RetentionSettings.MinDays} to {RetentionSettings.MaxDays}, or leave it out to keep its value.");
            return null;
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };
}

namespace RoutedEmail.Server.Telemetry;

/// <summary>
/// Checks <c>Telemetry:Otlp:Headers</c>, the OTLP exporter's extra request headers in the form of
/// <c>OTEL_EXPORTER_OTLP_HEADERS</c>: <c>key=value</c> pairs separated by commas, with percent-encoded values.
/// The values usually carry a collector's access token, and a mistyped entry may put part of one into a key, so
/// the messages name entries by their position only.
/// </summary>
internal static class OtlpHeaders
{
    private const string Setting = "Telemetry:Otlp:Headers";

    private const string Example = "\"authorization=Bearer%20<token>,x-tenant=acme\"";

    // RFC 9110 token characters less '%', so that no key depends on whether a parser percent-decodes keys.
    private const string KeySymbols = "!#$&'*+-.^_`|~";

    /// <summary>Returns the first rule that <paramref name="headers"/> breaks, or null when it is valid.</summary>
    public static string? Validate(string headers)
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var entries = headers.Split(',');
        for (var index = 0; index < entries.Length; index++)
        {
            if (ValidateEntry(entries[index], index + 1, keys) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    private static string? ValidateEntry(string entry, int position, HashSet<string> keys)
    {
        var separator = entry.IndexOf('=', StringComparison.Ordinal);
        if (separator < 0)
        {
            return $"{Setting} entry {position} has no '='. Write each header as key=value and separate them " +
                $"with commas, such as {Example}, and remove empty entries and trailing commas.";
        }

        var key = entry[..separator].Trim();
        if (key.Length == 0 || !key.All(IsKeyCharacter))
        {
            return $"{Setting} entry {position} has an empty key or a key that is not a header name. Use " +
                "letters, digits and - or _ before the '=', such as \"authorization\" or \"x-api-key\".";
        }

        if (!keys.Add(key))
        {
            return $"{Setting} entry {position} repeats the key of an earlier entry. Keep one entry per header.";
        }

        // The exporter decodes each value once, so "%2C" is a comma inside the value and "%25" a percent sign.
        var value = Uri.UnescapeDataString(entry[(separator + 1)..]).Trim();
        if (value.Length == 0)
        {
            return $"{Setting} entry {position} has an empty value. Set the value, or remove the entry.";
        }

        if (value.Any(IsForbiddenInValue))
        {
            return $"{Setting} entry {position} has a control character in its value, such as an encoded line " +
                "break, which HTTP headers cannot carry. Remove it from the value.";
        }

        return null;
    }

    private static bool IsKeyCharacter(char character) =>
        char.IsAsciiLetterOrDigit(character) || KeySymbols.Contains(character, StringComparison.Ordinal);

    private static bool IsForbiddenInValue(char character) =>
        char.IsControl(character) && character != '\t';
}

using System.Text.RegularExpressions;
using RoutedEmail.Core;
using RoutedEmail.Server.Hubs;

namespace RoutedEmail.Server.Admin;

/// <summary>Collects validation errors by field, for an RFC 9457 validation problem that lists every error.</summary>
internal sealed partial class RequestValidation
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
        {
            messages = [];
            _errors[field] = messages;
        }

        messages.Add(message);
    }

    /// <summary>Checks a company code or environment: ASCII, so it compares without regard to case everywhere.</summary>
    public void RequireCode(string field, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            Add(field, $"{field} is missing. Send 1 to 64 ASCII letters, digits, '.', '_' or '-'.");
        }
        else if (!CodePattern().IsMatch(value))
        {
            Add(field, $"{field} \"{value}\" is invalid: use 1 to 64 ASCII letters, digits, '.', '_' or '-', " +
                "starting with a letter or digit.");
        }
    }

    public void CheckRegion(string field, string value)
    {
        if (!RegionPattern().IsMatch(value))
        {
            Add(field, $"{field} \"{value}\" is not an AWS region name. Use a name such as \"us-east-1\".");
        }
    }

    public void CheckTimeZone(string field, string value)
    {
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(value, out var zone) || !zone.HasIanaId)
        {
            Add(field, $"{field} \"{value}\" is not a known time zone. Use an IANA name such as \"America/Chicago\".");
        }
    }

    public void CheckRange(string field, int value, int minimum, int maximum)
    {
        if (value < minimum || value > maximum)
        {
            Add(field, $"{field} is {value}; it must be from {minimum} to {maximum}.");
        }
    }

    /// <summary>Checks a length in Unicode characters, as the ingest API counts them.</summary>
    public void CheckLength(string field, string value, int minimum, int maximum)
    {
        var length = UnicodeText.CountCharacters(value);
        if (length < minimum || length > maximum)
        {
            Add(field, $"{field} is {length} characters long; it must have {minimum} to {maximum}.");
        }
    }

    /// <summary>
    /// Checks a name used in a URL path segment: a queue, owner or agent id. Names that a URL cannot carry
    /// unchanged ("." and "..", which clients remove as dot segments, or '/') and names whose look can deceive
    /// (control or invisible format characters, surrounding spaces) are rejected.
    /// </summary>
    public void CheckPathName(string field, string value, int maximum)
    {
        var length = UnicodeText.CountCharacters(value);
        var invalid = string.IsNullOrWhiteSpace(value) || length > maximum || value is "." or ".."
            || value.Trim() != value || value.Any(IsForbiddenInName);
        if (invalid)
        {
            Add(field, $"{field} \"{value}\" is invalid: use 1 to {maximum} characters with no leading or trailing " +
                "spaces, no '/', no control or invisible format characters, and not \".\" or \"..\".");
        }
    }

    /// <summary>
    /// Checks a list of browser origins and returns them normalised (lower-case scheme and host, no default port,
    /// no trailing '/'), or null when the list is invalid. An origin listed twice after normalisation is invalid.
    /// </summary>
    public IReadOnlyList<string>? CheckOrigins(string field, IReadOnlyList<string?> values, int maximum)
    {
        var errorsBefore = _errors.GetValueOrDefault(field)?.Count ?? 0;
        if (values.Count > maximum)
        {
            Add(field, $"{field} has {values.Count} origins; it may have at most {maximum}. Remove origins that no " +
                "longer need the agent hub.");
        }

        var normalized = new List<string>(values.Count);
        for (var index = 0; index < values.Count; index++)
        {
            var value = values[index];
            if (!CorsOrigin.TryNormalize(value, out var origin))
            {
                Add(field, $"{field}[{index}] \"{value}\" is not an origin: use http or https, a host and an " +
                    $"optional port, at most {CorsOrigin.MaxLength} characters, with no path, query, fragment, user " +
                    "info, spaces or '*', such as \"https://crm.example.com\".");
            }
            else if (normalized.Contains(origin, StringComparer.Ordinal))
            {
                Add(field, $"{field}[{index}] \"{value}\" repeats the origin {origin}, which is listed more than " +
                    "once (scheme and host compare without regard to case). List each origin once.");
            }
            else
            {
                normalized.Add(origin);
            }
        }

        var errorsAfter = _errors.GetValueOrDefault(field)?.Count ?? 0;
        return errorsAfter == errorsBefore ? normalized : null;
    }

    private static bool IsForbiddenInName(char character) =>
        character == '/' || char.IsControl(character)
        || char.GetUnicodeCategory(character) == System.Globalization.UnicodeCategory.Format;

    public IResult ToProblem() => TypedResults.ValidationProblem(
        _errors.ToDictionary(pair => pair.Key, pair => pair.Value.ToArray()),
        detail: string.Join(" ", _errors.Values.SelectMany(messages => messages)),
        title: "The request is invalid.");

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex CodePattern();

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$")]
    private static partial Regex RegionPattern();
}

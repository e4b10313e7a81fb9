using System.Text;
using System.Text.RegularExpressions;

namespace RoutedEmail.Core.Emails;

/// <summary>Fills a routed email configuration's screen-pop URL template with an email's values.</summary>
public static partial class ScreenPopUrl
{
    /// <summary>The longest template accepted, in UTF-16 code units: 2000.</summary>
    public const int MaxTemplateLength = 2000;

    /// <summary>
    /// Replaces <c>{entityId}</c> with the entity id and <c>{key}</c> with the value of the attribute of that key,
    /// each URL-encoded. A placeholder with no matching value becomes empty; other text is copied unchanged.
    /// </summary>
    /// <returns>
    /// The URL, or null when <paramref name="template"/> is null or empty, or when a value would make a whole path
    /// segment <c>.</c> or <c>..</c>. Browsers resolve such a segment even when it is percent-encoded
    /// (<c>%2E%2E</c>), so the link would leave the template's path.
    /// </returns>
    public static string? Render(string? template, string entityId, IReadOnlyList<EmailAttribute> attributes)
    {
        if (string.IsNullOrEmpty(template))
        {
            return null;
        }

        var url = new StringBuilder(template.Length + entityId.Length);
        var position = 0;
        while (position < template.Length)
        {
            var open = template.IndexOf('{', position);
            var close = open < 0 ? -1 : template.IndexOf('}', open + 1);
            if (close < 0)
            {
                url.Append(template, position, template.Length - position);
                break;
            }

            url.Append(template, position, open - position);
            var name = template.Substring(open + 1, close - open - 1);
            url.Append(Uri.EscapeDataString(Lookup(name, entityId, attributes)));
            position = close + 1;
        }

        var rendered = url.ToString();
        return HasDotSegment(rendered) ? null : rendered;
    }

    /// <summary>
    /// Checks whether the path of a URL has a segment that browsers resolve as <c>.</c> or <c>..</c>, in any
    /// percent-encoding. Rendered values encode <c>?</c> and <c>#</c>, so the path ends where the template's does.
    /// </summary>
    private static bool HasDotSegment(string url)
    {
        var authorityEnd = url.IndexOf("://", StringComparison.Ordinal) is var scheme and >= 0 ? scheme + 3 : 0;
        var pathStart = url.IndexOf('/', authorityEnd);
        if (pathStart < 0)
        {
            return false;
        }

        var pathEnd = url.IndexOfAny(['?', '#'], pathStart);
        var path = pathEnd < 0 ? url[pathStart..] : url[pathStart..pathEnd];
        return path.Split('/').Any(segment =>
        {
            var decoded = segment.Replace("%2e", ".", StringComparison.OrdinalIgnoreCase);
            return decoded is "." or "..";
        });
    }

    private static string Lookup(string name, string entityId, IReadOnlyList<EmailAttribute> attributes)
    {
        if (name == "entityId")
        {
            return entityId;
        }

        foreach (var attribute in attributes)
        {
            if (attribute.Key == name)
            {
                return attribute.Value;
            }
        }

        return string.Empty;
    }

    /// <summary>
    /// Checks a template as the admin API does: an absolute http or https URL of at most
    /// <see cref="MaxTemplateLength"/> characters, without spaces or user information, with each placeholder closed
    /// and none in the scheme, host or port, so that a value sent by a CRM cannot choose the site a link opens. The
    /// path may not have a <c>.</c> or <c>..</c> segment, so that every such segment in a rendered URL comes from a
    /// value, and <see cref="Render"/> can refuse it.
    /// </summary>
    public static bool IsValidTemplate(string template)
    {
        // Placeholders are replaced with a sample value, so the check parses a URL like the ones agents will open.
        var sample = Placeholder().Replace(template, "x");
        return template.Length <= MaxTemplateLength
            && !sample.Contains('{', StringComparison.Ordinal) && !sample.Contains('}', StringComparison.Ordinal)
            && !sample.Any(char.IsWhiteSpace)
            && Uri.TryCreate(sample, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && uri.UserInfo.Length == 0
            && !AuthorityOf(template).Contains('{', StringComparison.Ordinal)
            && !HasDotSegment(sample);
    }

    /// <summary>Returns the scheme, host and port part of a template: everything before its path, query or fragment.</summary>
    private static string AuthorityOf(string template)
    {
        var hostStart = template.IndexOf("://", StringComparison.Ordinal) + 3;
        var hostEnd = template.IndexOfAny(['/', '?', '#'], hostStart);
        return hostEnd < 0 ? template : template[..hostEnd];
    }

    [GeneratedRegex("\\{[^{}]*\\}")]
    private static partial Regex Placeholder();
}

using System.Text;

namespace RoutedEmail.Aws.Signing;

/// <summary>
/// The canonical forms of Signature Version 4 for services other than S3, built the way botocore builds them so
/// that both produce the same signature for the same request.
/// </summary>
internal static class SigV4Canonical
{
    /// <summary>
    /// Builds the canonical URI from a request path as sent, still percent-encoded. Dot segments and empty
    /// segments are removed, then the path is encoded again, which turns each <c>%</c> into <c>%25</c>: services
    /// other than S3 expect this double encoding.
    /// </summary>
    public static string Uri(string escapedPath)
    {
        var normalized = RemoveDotSegments(escapedPath);
        return Encode(normalized, keepSlash: true);
    }

    /// <summary>
    /// Builds the canonical query string from a query as sent, without its leading <c>?</c>. The pairs are sorted
    /// by name, then value, and kept in their sent encoding, so callers encode names and values RFC 3986 style
    /// (everything except <c>A-Z a-z 0-9 - _ . ~</c>) when they build the URL.
    /// </summary>
    public static string Query(string escapedQuery)
    {
        if (escapedQuery.Length == 0)
        {
            return string.Empty;
        }

        var pairs = escapedQuery.Split('&')
            .Select(SplitPair)
            .OrderBy(pair => pair.Name, StringComparer.Ordinal)
            .ThenBy(pair => pair.Value, StringComparer.Ordinal);
        return string.Join('&', pairs.Select(pair => $"{pair.Name}={pair.Value}"));
    }

    private static (string Name, string Value) SplitPair(string pair)
    {
        var separator = pair.IndexOf('=', StringComparison.Ordinal);
        return separator < 0 ? (pair, string.Empty) : (pair[..separator], pair[(separator + 1)..]);
    }

    /// <summary>
    /// Joins a header's values with commas, each trimmed and with inner runs of whitespace made one space.
    /// </summary>
    public static string HeaderValue(IEnumerable<string> values) =>
        string.Join(',', values.Select(value =>
            string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))));

    /// <summary>
    /// Percent-encodes the UTF-8 bytes of every character outside <c>A-Z a-z 0-9 - _ . ~</c>, in upper-case hex.
    /// </summary>
    public static string Encode(string value, bool keepSlash)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' || (keepSlash && c == '/'))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// Removes <c>.</c> and <c>..</c> segments as RFC 3986 section 5.2.4 describes, and also empty segments,
    /// keeping a leading slash and, when any segment remains, a trailing one.
    /// </summary>
    private static string RemoveDotSegments(string path)
    {
        if (path.Length == 0)
        {
            return "/";
        }

        var output = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (output.Count > 0)
                {
                    output.RemoveAt(output.Count - 1);
                }

                continue;
            }

            output.Add(segment);
        }

        var first = path[0] == '/' ? "/" : string.Empty;
        var last = path[^1] == '/' && output.Count > 0 ? "/" : string.Empty;
        return first + string.Join('/', output) + last;
    }
}

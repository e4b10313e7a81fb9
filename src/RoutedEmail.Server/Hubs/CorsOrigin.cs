using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace RoutedEmail.Server.Hubs;

/// <summary>
/// Parses and normalises a browser origin (RFC 6454): a scheme, a host and an optional port. Configured origins and
/// the <c>Origin</c> header of a request go through the same normalisation, so they compare as plain strings.
/// </summary>
internal static class CorsOrigin
{
    /// <summary>The maximum length of an origin as written, in characters.</summary>
    public const int MaxLength = 300;

    /// <summary>
    /// Normalises an origin to <c>scheme://host[:port]</c>: scheme and host in lower case, an international host in
    /// Punycode as browsers send it, no default port and no trailing '/'.
    /// </summary>
    /// <returns>
    /// False when the value is not an http or https origin, or has a path other than '/', a query, a fragment, user
    /// info, '*', '\', spaces or control characters.
    /// </returns>
    public static bool TryNormalize(string? value, [NotNullWhen(true)] out string? origin)
    {
        origin = null;
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength || value.Any(IsForbidden)
            || !Uri.TryCreate(value, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || !HasNoPath(value))
        {
            return false;
        }

        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost;
        var port = uri.IsDefaultPort ? string.Empty : ":" + uri.Port.ToString(CultureInfo.InvariantCulture);
        origin = $"{uri.Scheme}://{host}{port}".ToLowerInvariant();
        return true;
    }

    /// <summary>
    /// Checks that nothing but an optional single '/' follows the authority. Uri removes dot segments and
    /// unescapes some characters, so its AbsolutePath alone would accept <c>https://a.example/.</c>.
    /// </summary>
    private static bool HasNoPath(string value)
    {
        var authorityStart = value.IndexOf("://", StringComparison.Ordinal);
        if (authorityStart < 0)
        {
            return false;
        }

        var rest = value[(authorityStart + 3)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return rest.Length > 0 && (slash < 0 || slash == rest.Length - 1);
    }

    private static bool IsForbidden(char character) =>
        character is '*' or '?' or '#' or '@' or '\\' || char.IsWhiteSpace(character) || char.IsControl(character);
}

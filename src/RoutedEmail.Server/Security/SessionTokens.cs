namespace RoutedEmail.Server.Security;

/// <summary>
/// Reads a session token from <c>Authorization: Bearer</c> or from the web session cookie, and applies the rule
/// against cross-site request forgery to the cookie.
/// </summary>
internal static class SessionTokens
{
    /// <summary>The name of the HttpOnly session cookie that <c>POST /api/v1/sign-in?cookie=true</c> sets.</summary>
    public const string CookieName = "routed_email_session";

    /// <summary>
    /// The header that a cookie-authenticated unsafe request must carry. A cross-site HTML form cannot send a custom
    /// header, and a cross-site script cannot either without a CORS preflight, which this service allows only for
    /// the agent hub.
    /// </summary>
    public const string CsrfHeader = "X-Requested-With";

    private const string CsrfItem = "RoutedEmail.CsrfRejected";

    /// <summary>Reads the request's token: the bearer token first, otherwise the cookie.</summary>
    /// <returns>The token and whether it came from the cookie, or null when the request has neither.</returns>
    public static (string Token, bool FromCookie)? Read(HttpRequest request)
    {
        if (AuthNames.ReadBearerToken(request) is { } bearer)
        {
            return (bearer, false);
        }

        return request.Cookies.TryGetValue(CookieName, out var cookie) && !string.IsNullOrEmpty(cookie)
            ? (cookie, true)
            : null;
    }

    /// <summary>
    /// Returns whether a cookie-authenticated request breaks the forgery rule: an unsafe method (anything but GET,
    /// HEAD and OPTIONS) without <see cref="CsrfHeader"/>. Marks the request so the challenge names the rule.
    /// </summary>
    public static bool IsForgeryRisk(HttpContext context)
    {
        var request = context.Request;
        var safe = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)
            || HttpMethods.IsOptions(request.Method);
        if (safe || !string.IsNullOrEmpty(request.Headers[CsrfHeader].ToString()))
        {
            return false;
        }

        context.Items[CsrfItem] = true;
        return true;
    }

    /// <summary>Returns whether this request's cookie was rejected by <see cref="IsForgeryRisk"/>.</summary>
    public static bool WasForgeryRisk(HttpContext context) => context.Items.ContainsKey(CsrfItem);

    /// <summary>The problem detail for a cookie request rejected by the forgery rule.</summary>
    public const string CsrfDetail =
        "A request authenticated by the session cookie that changes something (POST, PUT, PATCH or DELETE) must send " +
        "the header " + CsrfHeader + ", such as 'X-Requested-With: XMLHttpRequest', so that another site's form " +
        "cannot send it. Add the header, or send the token as 'Authorization: Bearer <token>'.";
}

namespace RoutedEmail.Server.Security;

/// <summary>
/// Adds the browser security headers to every response: no MIME sniffing, no referrer to other origins, no
/// framing by any site, a Content-Security-Policy that the Blazor WebAssembly app and MudBlazor run under,
/// <c>Cache-Control: no-store</c> on the API and hub routes, whose responses carry personal data and tokens, and HSTS
/// on requests that came over HTTPS.
/// </summary>
internal static class SecurityHeaders
{
    /// <summary>
    /// The policy of every response. <c>'wasm-unsafe-eval'</c> lets the browser compile the app's WebAssembly
    /// (Blazor WebAssembly needs it), and <c>'unsafe-inline'</c> for styles lets MudBlazor set style attributes.
    /// Scripts come only from this origin, and <c>connect-src 'self'</c> covers the API and the hubs'
    /// WebSockets on the same origin.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; " +
        "form-action 'self'; frame-ancestors 'none'";

    /// <summary>The HSTS header on HTTPS responses: one year, for this host only.</summary>
    public const string StrictTransportSecurity = "max-age=31536000";

    /// <summary>
    /// Adds the headers when each response starts, so that handlers which clear the response on an error, such as
    /// the exception handler and the ingest endpoint, cannot drop them.
    /// </summary>
    public static void UseSecurityHeaders(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                Apply(context);
                return Task.CompletedTask;
            });
            return next(context);
        });
    }

    private static void Apply(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        var path = context.Request.Path;
        if (path.StartsWithSegments("/api", StringComparison.Ordinal)
            || path.StartsWithSegments("/hubs", StringComparison.Ordinal)
            || path.StartsWithSegments("/symbee-crm-integration-service", StringComparison.Ordinal))
        {
            headers.CacheControl = "no-store";
        }

        // Behind a reverse proxy listed in ForwardedHeaders, IsHttps follows its X-Forwarded-Proto.
        if (context.Request.IsHttps)
        {
            headers.StrictTransportSecurity = StrictTransportSecurity;
        }
    }
}

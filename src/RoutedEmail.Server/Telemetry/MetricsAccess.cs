using System.Net;
using RoutedEmail.Server.Security;

namespace RoutedEmail.Server.Telemetry;

/// <summary>
/// Decides who may scrape <c>/metrics</c>. With <c>Telemetry:MetricsToken</c> set, every scraper must send it as a
/// bearer token. Without it, only a connection from a loopback address that carries no forwarding header may scrape,
/// because a reverse proxy on the same host would otherwise pass on requests from the internet as loopback ones.
/// </summary>
internal sealed class MetricsAccess(IConfiguration configuration)
{
    private static readonly string[] ForwardingHeaders = ["X-Forwarded-For", "Forwarded", "X-Real-IP"];

    private readonly byte[]? _tokenHash = configuration.GetSection(TelemetryOptions.SectionName)
        .Get<TelemetryOptions>()?.MetricsToken is { Length: > 0 } token ? SecretTokens.Hash(token) : null;

    /// <summary>
    /// Passes allowed requests on to the scrape and rejects the others with 401 or 403 and a problem.
    /// </summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (_tokenHash is not null)
        {
            if (HasToken(context.Request, _tokenHash))
            {
                await next(context);
                return;
            }

            context.Response.Headers.WWWAuthenticate = "Bearer";
            await TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized, title: "A metrics token is required.",
                detail: "Send the value of Telemetry:MetricsToken in the header Authorization: Bearer <token>.")
                .ExecuteAsync(context);
            return;
        }

        if (IsLocal(context))
        {
            await next(context);
            return;
        }

        await TypedResults.Problem(
            statusCode: StatusCodes.Status403Forbidden, title: "Metrics are served to this host only.",
            detail: "Scrape /metrics from a loopback address without a proxy, or set Telemetry:MetricsToken and " +
                    "send it as a bearer token.")
            .ExecuteAsync(context);
    }

    private static bool HasToken(HttpRequest request, byte[] tokenHash)
    {
        const string Prefix = "Bearer ";
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
               && SecretTokens.Matches(header[Prefix.Length..].Trim(), tokenHash);
    }

    private static bool IsLocal(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } address
        && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address)
        && !ForwardingHeaders.Any(context.Request.Headers.ContainsKey);
}

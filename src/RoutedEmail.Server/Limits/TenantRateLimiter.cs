using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using RoutedEmail.Server.Ingest;
using RoutedEmail.Server.Security;

namespace RoutedEmail.Server.Limits;

/// <summary>
/// Chooses the rate-limit partition of a request and writes the 429 of a rejected one. Ingest requests share a
/// partition per company code, environment and API key; <c>/api/v1</c> requests per credential, or per client
/// address without one. Other paths, such as the hubs, the web UI and <c>/healthz</c>, are not limited.
/// </summary>
/// <remarks>
/// The partition includes a hash of the credential because the limiter runs before authentication: a client that
/// knows a tenant's company code but not its key fills only a partition of its own, never the tenant's.
/// NOTE: a client that sends a new invalid bearer token with every request gets a new partition each time. Those
/// requests fail authentication, and invalid API keys are limited per address by AuthenticationFailureLimiter.
/// </remarks>
internal static partial class TenantRateLimiter
{
    /// <summary>The RFC 9457 problem type of a rate-limited API request, from RFC 6585, which defines 429.</summary>
    public const string ProblemType = "https://www.rfc-editor.org/rfc/rfc6585#section-4";

    private const string ApiPrefix = "/api/v1";

    // Above this many partitions, the rejection counts start again from zero, so the map stays small.
    private const int MaxCountedPartitions = 10_000;

    // Rejections per partition, so that a burst logs a line at the 1st, 2nd, 4th, 8th... rejection, not at each.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> Rejections =
        new(StringComparer.Ordinal);

    /// <summary>Returns the partition of a request, or a partition without a limit for paths that have none.</summary>
    public static RateLimitPartition<string> Partition(HttpContext context, RateLimitOptions options)
    {
        if (IsIngest(context.Request))
        {
            return options.Ingest.Enabled
                ? FixedWindow("ingest:" + IngestKey(context.Request), options.Ingest)
                : RateLimitPartition.GetNoLimiter(string.Empty);
        }

        if (context.Request.Path.StartsWithSegments(ApiPrefix) && options.Api.Enabled)
        {
            return FixedWindow("api:" + CallerKey(context), options.Api);
        }

        return RateLimitPartition.GetNoLimiter(string.Empty);
    }

    /// <summary>
    /// Writes the 429 with <c>Retry-After</c>: in the ingest error shape on the ingest path, else as a problem.
    /// It has no <c>WWW-Authenticate</c> header, which is how clients tell it from the 429 of rejected API keys.
    /// </summary>
    public static async ValueTask WriteRejectionAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var options = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
        var ingest = IsIngest(context.Request);
        var rule = ingest ? options.Ingest : options.Api;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : rule.Window;
        var seconds = (long)Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>()
            .CreateLogger(typeof(TenantRateLimiter).FullName!);
        var section = $"{RateLimitOptions.SectionName}:{(ingest ? "Ingest" : "Api")}";
        var limit = $"{rule.PermitLimit} requests per {rule.Window} on this node ({section}:PermitLimit and " +
            $"{section}:Window)";
        var count = CountRejection(ingest ? "ingest:" + IngestKey(context.Request) : "api:" + CallerKey(context));
        var logged = (count & (count - 1)) == 0;
        if (ingest)
        {
            if (logged)
            {
                var company = context.Request.Headers[IntegratorAuthenticator.CompanyHeader].ToString();
                Log.IngestRejected(logger, company, count, seconds);
            }

            await IngestResponse.WriteErrorAsync(context.Response, StatusCodes.Status429TooManyRequests,
                $"Too many ingest requests for this company code, environment and API key: the limit is {limit}. " +
                $"Nothing of this batch was queued. Retry after {seconds} seconds, or send more items per request.");
            return;
        }

        if (logged)
        {
            Log.ApiRejected(logger, context.Request.Method, context.Request.Path.ToString(), count, seconds);
        }

        await TypedResults.Problem(
                statusCode: StatusCodes.Status429TooManyRequests,
                type: ProblemType,
                title: "Too many requests.",
                detail: $"Too many requests from this caller: the limit is {limit}. Retry after {seconds} seconds.")
            .ExecuteAsync(context);
    }

    private static long CountRejection(string partition)
    {
        if (Rejections.Count > MaxCountedPartitions)
        {
            Rejections.Clear();
        }

        return Rejections.AddOrUpdate(partition, 1, (_, count) => count + 1);
    }

    private static bool IsIngest(HttpRequest request) =>
        request.Path.Equals(IngestEndpoint.Path, StringComparison.OrdinalIgnoreCase);

    private static RateLimitPartition<string> FixedWindow(string key, RateLimitRule rule) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = rule.PermitLimit,
            Window = rule.Window,
            QueueLimit = rule.QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });

    /// <summary>
    /// Returns the tenant and key of an ingest request. Company code and environment compare without regard to
    /// letter case, as authentication does.
    /// </summary>
    private static string IngestKey(HttpRequest request)
    {
        var headers = request.Headers;
        var company = headers[IntegratorAuthenticator.CompanyHeader].ToString().ToUpperInvariant();
        var environment = headers[IntegratorAuthenticator.EnvironmentHeader].ToString().ToUpperInvariant();
        return $"{company}\n{environment}\n{Hash(headers[IntegratorAuthenticator.ApiKeyHeader].ToString())}";
    }

    private static string CallerKey(HttpContext context)
    {
        var headers = context.Request.Headers;
        if (!string.IsNullOrEmpty(headers[IntegratorAuthenticator.ApiKeyHeader]))
        {
            return "key:" + IngestKey(context.Request);
        }

        if (!string.IsNullOrEmpty(headers.Authorization))
        {
            return "bearer:" + Hash(headers.Authorization.ToString());
        }

        if (context.Request.Cookies.TryGetValue(SessionTokens.CookieName, out var session)
            && !string.IsNullOrEmpty(session))
        {
            return "session:" + Hash(session);
        }

        var address = context.Connection.RemoteIpAddress;
        var client = address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
        return "address:" + (client?.ToString() ?? "unknown");
    }

    /// <summary>Hashes a credential, so that the limiter's partition keys never hold one in clear text.</summary>
    private static string Hash(string credential) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(credential)), 0, 16);

    private static partial class Log
    {
        [LoggerMessage(4301, LogLevel.Warning,
            "Ingest for company {CompanyCode} rate-limited with 429, rejection {Rejections} of this tenant and key " +
            "on this node; Retry-After {RetryAfterSeconds} s")]
        public static partial void IngestRejected(
            ILogger logger, string companyCode, long rejections, long retryAfterSeconds);

        [LoggerMessage(4302, LogLevel.Warning,
            "{Method} {Path} rate-limited with 429, rejection {Rejections} of this caller on this node; " +
            "Retry-After {RetryAfterSeconds} s")]
        public static partial void ApiRejected(
            ILogger logger, string method, string path, long rejections, long retryAfterSeconds);
    }
}

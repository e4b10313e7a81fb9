using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Primitives;
using RoutedEmail.Core.Ingest;
using RoutedEmail.Core.Tenants;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Security;

/// <summary>The outcome of checking the integrator headers: the tenant, or a status code and message.</summary>
/// <param name="Tenant">The authenticated tenant, or null on failure.</param>
/// <param name="StatusCode">The HTTP status of the response on failure.</param>
/// <param name="Error">A message that names the header, the rule and the fix; it never contains a key.</param>
internal sealed record IntegratorAuthentication(Tenant? Tenant, int StatusCode, string? Error);

/// <summary>
/// Authenticates integrator requests by the <c>X-sc-*</c> headers of the ingest API: the platform code, the tenant's
/// company code and environment, its secrets region, and a valid API key. Header names are case-insensitive.
/// </summary>
/// <remarks>
/// A key is valid when it equals the current key, the previous key before its expiry, or a pending key whose write
/// to AWS Secrets Manager runs. The key is compared exactly as received, after HTTP's own removal of leading and
/// trailing spaces and tabs. Every invalid key gets the same 401 message for the same headers, whatever the reason,
/// and the reason goes to the log only. A client past the failure limit gets 429 with <c>Retry-After</c>.
/// </remarks>
internal sealed partial class IntegratorAuthenticator(
    ITenantStore tenants, AuthenticationFailureLimiter limiter, TimeProvider time,
    ILogger<IntegratorAuthenticator> logger)
{
    public const string PlatformHeader = "X-sc-platform-code";
    public const string CompanyHeader = "X-sc-company-code";
    public const string EnvironmentHeader = "X-sc-company-environment";
    public const string RegionHeader = "X-sc-secrets-region";
    public const string ApiKeyHeader = "X-sc-company-api-key";

    /// <summary>
    /// The <c>WWW-Authenticate</c> challenge of every rejected API key, on the 401 and on the 429 of a rate-limited
    /// client. RFC 9110 (section 11.6.1) allows it on any status to say that other credentials may change the
    /// response, so a client can tell the 429 of failed key checks, which waiting does not fix, from a throttle.
    /// </summary>
    public const string ApiKeyChallenge = $"ApiKey header=\"{ApiKeyHeader}\"";

    /// <summary>The maximum length of each identity and key header, in characters.</summary>
    public const int MaxHeaderLength = 128;

    // Compared when the tenant does not exist, so an unknown tenant costs the same hashing as a known one.
    private static readonly byte[] NoKeyHash = new byte[32];

    /// <summary>
    /// Checks the request's headers. On a rejected key it sets <c>WWW-Authenticate</c>, and on a rate-limited failure
    /// also <c>Retry-After</c>, on the response, which the caller then completes with the returned status and message.
    /// </summary>
    public async Task<IntegratorAuthentication> AuthenticateAsync(
        HttpRequest request, CancellationToken cancellationToken)
    {
        var headers = request.Headers;
        var platform = ReadSingle(headers, PlatformHeader, trim: true);
        var company = ReadSingle(headers, CompanyHeader, trim: true);
        var environment = ReadSingle(headers, EnvironmentHeader, trim: true);
        var region = ReadSingle(headers, RegionHeader, trim: true);
        var apiKey = ReadSingle(headers, ApiKeyHeader, trim: false);
        var malformed = platform.Error ?? company.Error ?? environment.Error ?? region.Error;
        if (malformed is not null)
        {
            return Fail(StatusCodes.Status400BadRequest, malformed);
        }

        if (apiKey.Error is not null)
        {
            // A repeated or overlong key header makes the request malformed. Only a missing key is an authentication
            // failure.
            return apiKey.Malformed
                ? Fail(StatusCodes.Status400BadRequest, apiKey.Error)
                : Reject(request, company.Value!, environment.Value!, "the key is missing", apiKey.Error);
        }

        if (platform.Value != IngestLimits.PlatformCode)
        {
            return Fail(StatusCodes.Status400BadRequest,
                $"Header {PlatformHeader} is \"{platform.Value}\"; it must be \"{IngestLimits.PlatformCode}\".");
        }

        var credentials = await tenants.FindCredentialsAsync(company.Value!, environment.Value!, cancellationToken);
        var reason = CheckKey(apiKey.Value!, credentials);
        if (reason is not null)
        {
            return Reject(request, company.Value!, environment.Value!, reason,
                $"Header {ApiKeyHeader} is not a valid API key for company code \"{company.Value}\" and " +
                $"environment \"{environment.Value}\". Check {CompanyHeader} and {EnvironmentHeader}, and send the " +
                "tenant's current API key.");
        }

        var tenant = credentials!.Tenant;
        if (!string.Equals(region.Value, tenant.SecretsRegion, StringComparison.Ordinal))
        {
            return Fail(StatusCodes.Status400BadRequest,
                $"Header {RegionHeader} is \"{region.Value}\" but the tenant's secrets region is " +
                $"\"{tenant.SecretsRegion}\". Send \"{tenant.SecretsRegion}\".");
        }

        return new IntegratorAuthentication(tenant, StatusCodes.Status200OK, null);
    }

    /// <summary>Returns null when the key is valid, otherwise the reason for the log.</summary>
    private string? CheckKey(string apiKey, TenantCredentials? credentials)
    {
        // Every hash is compared whatever the outcome, so the time taken does not tell which key matched. The
        // presented key is hashed once for the three comparisons.
        var presented = SecretTokens.Hash(apiKey);
        var current = Matches(presented, credentials?.ApiKeyHash);
        var pending = Matches(presented, credentials?.PendingApiKeyHash);
        var previous = Matches(presented, credentials?.PreviousApiKeyHash);
        var previousValid = credentials?.PreviousApiKeyExpiresAt > time.GetUtcNow();
        if (credentials is null)
        {
            return "no tenant has this company code and environment";
        }

        if (current | pending | (previous & previousValid))
        {
            return null;
        }

        if (previous)
        {
            return "the key is the previous key, whose grace period ended";
        }

        return apiKey.AsSpan().Trim().Length != apiKey.Length
            ? "the key has surrounding whitespace"
            : "the key matches none of the tenant's keys";
    }

    private static bool Matches(byte[] presentedHash, byte[]? storedHash) =>
        CryptographicOperations.FixedTimeEquals(presentedHash, storedHash ?? NoKeyHash);

    private IntegratorAuthentication Reject(
        HttpRequest request, string companyCode, string environment, string reason, string error)
    {
        var client = request.HttpContext.Connection.RemoteIpAddress;
        var clientText = client?.ToString() ?? "unknown";
        request.HttpContext.Response.Headers.WWWAuthenticate = ApiKeyChallenge;
        var (retryAfter, firstPastLimit) = limiter.RecordFailure(client);
        if (retryAfter is { } wait)
        {
            var seconds = ((long)wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            request.HttpContext.Response.Headers.RetryAfter = seconds;

            // One line per client and window, so a client that keeps failing does not flood the log.
            if (firstPastLimit)
            {
                Log.RateLimited(logger, companyCode, environment, reason, clientText, seconds);
            }

            return Fail(StatusCodes.Status429TooManyRequests,
                $"Too many requests from this client failed authentication. Wait {seconds} seconds, as " +
                $"Retry-After says, and send the tenant's current API key in {ApiKeyHeader}.");
        }

        Log.Rejected(logger, companyCode, environment, reason, clientText);
        return Fail(StatusCodes.Status401Unauthorized, error);
    }

    private static (string? Value, string? Error, bool Malformed) ReadSingle(
        IHeaderDictionary headers, string name, bool trim)
    {
        var values = headers.TryGetValue(name, out var found) ? found : StringValues.Empty;
        if (values.Count > 1)
        {
            return (null, $"Header {name} is sent {values.Count} times. Send it once.", true);
        }

        var value = trim ? values.ToString().Trim() : values.ToString();
        if (value.Length == 0)
        {
            var status = name == ApiKeyHeader ? "the tenant's API key" : "a value";
            return (null, $"Header {name} is missing or empty. Send {status} in it.", false);
        }

        // No company code, environment, region or key comes near this length. The limit keeps an unauthenticated
        // client from echoing and logging kilobytes of its own text, so the value itself is left out.
        if (value.Length > MaxHeaderLength)
        {
            return (null, $"Header {name} is {value.Length} characters long; the maximum is {MaxHeaderLength}. " +
                "Send the value the tenant was created with.", true);
        }

        return (value, null, false);
    }

    private static IntegratorAuthentication Fail(int statusCode, string error) => new(null, statusCode, error);

    private static partial class Log
    {
        [LoggerMessage(7101, LogLevel.Warning,
            "API key rejected for company {CompanyCode} environment {Environment} from {Client}: {Reason}")]
        public static partial void Rejected(
            ILogger logger, string companyCode, string environment, string reason, string client);

        [LoggerMessage(7102, LogLevel.Warning,
            "API key rejected with 429 for company {CompanyCode} environment {Environment} from {Client}: {Reason}; " +
            "the client is past the failure limit, so its failures get 429 without a log line for " +
            "{RetryAfterSeconds} seconds")]
        public static partial void RateLimited(
            ILogger logger, string companyCode, string environment, string reason, string client,
            string retryAfterSeconds);
    }
}

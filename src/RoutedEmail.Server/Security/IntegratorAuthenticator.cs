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
internal sealed class IntegratorAuthenticator(ITenantStore tenants, TimeProvider time)
{
    public const string PlatformHeader = "X-sc-platform-code";
    public const string CompanyHeader = "X-sc-company-code";
    public const string EnvironmentHeader = "X-sc-company-environment";
    public const string RegionHeader = "X-sc-secrets-region";
    public const string ApiKeyHeader = "X-sc-company-api-key";

    public async Task<IntegratorAuthentication> AuthenticateAsync(
        IHeaderDictionary headers, CancellationToken cancellationToken)
    {
        var platform = ReadSingle(headers, PlatformHeader);
        var company = ReadSingle(headers, CompanyHeader);
        var environment = ReadSingle(headers, EnvironmentHeader);
        var region = ReadSingle(headers, RegionHeader);
        var apiKey = ReadSingle(headers, ApiKeyHeader);
        var malformed = platform.Error ?? company.Error ?? environment.Error ?? region.Error;
        if (malformed is not null)
        {
            return Fail(StatusCodes.Status400BadRequest, malformed);
        }

        if (apiKey.Error is not null)
        {
            // A repeated key header makes the request malformed; only a missing key is an authentication failure.
            var status = apiKey.Repeated ? StatusCodes.Status400BadRequest : StatusCodes.Status401Unauthorized;
            return Fail(status, apiKey.Error);
        }

        if (platform.Value != IngestLimits.PlatformCode)
        {
            return Fail(StatusCodes.Status400BadRequest,
                $"Header {PlatformHeader} is \"{platform.Value}\"; it must be \"{IngestLimits.PlatformCode}\".");
        }

        var credentials = await tenants.FindCredentialsAsync(company.Value!, environment.Value!, cancellationToken);
        if (credentials is null || !IsValidKey(apiKey.Value!, credentials))
        {
            return Fail(StatusCodes.Status401Unauthorized,
                $"Header {ApiKeyHeader} is not a valid API key for company code \"{company.Value}\" and " +
                $"environment \"{environment.Value}\". Check {CompanyHeader} and {EnvironmentHeader}, and send the " +
                "tenant's current API key.");
        }

        var tenant = credentials.Tenant;
        if (!string.Equals(region.Value, tenant.SecretsRegion, StringComparison.Ordinal))
        {
            return Fail(StatusCodes.Status400BadRequest,
                $"Header {RegionHeader} is \"{region.Value}\" but the tenant's secrets region is " +
                $"\"{tenant.SecretsRegion}\". Send \"{tenant.SecretsRegion}\".");
        }

        return new IntegratorAuthentication(tenant, StatusCodes.Status200OK, null);
    }

    private bool IsValidKey(string apiKey, TenantCredentials credentials)
    {
        // Both hashes are always compared, so the time taken does not tell which key matched.
        var current = SecretTokens.Matches(apiKey, credentials.ApiKeyHash);
        var previous = SecretTokens.Matches(apiKey, credentials.PreviousApiKeyHash)
            && credentials.PreviousApiKeyExpiresAt > time.GetUtcNow();
        return current | previous;
    }

    private static (string? Value, string? Error, bool Repeated) ReadSingle(IHeaderDictionary headers, string name)
    {
        var values = headers.TryGetValue(name, out var found) ? found : StringValues.Empty;
        if (values.Count > 1)
        {
            return (null, $"Header {name} is sent {values.Count} times. Send it once.", true);
        }

        var value = values.ToString().Trim();
        if (value.Length == 0)
        {
            var status = name == ApiKeyHeader ? "the tenant's API key" : "a value";
            return (null, $"Header {name} is missing or empty. Send {status} in it.", false);
        }

        return (value, null, false);
    }

    private static IntegratorAuthentication Fail(int statusCode, string error) => new(null, statusCode, error);
}

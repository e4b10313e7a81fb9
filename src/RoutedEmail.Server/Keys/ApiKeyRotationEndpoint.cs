using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using RoutedEmail.Server.Admin;
using RoutedEmail.Server.Hosting;
using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Keys;

/// <summary>
/// <c>POST /api/v1/tenants/{company}/{environment}/api-key/rotate</c>: replaces a tenant's API key and returns the
/// new key once. For a tenant that publishes its key, the new key is written to AWS Secrets Manager first.
/// </summary>
internal static partial class ApiKeyRotationEndpoint
{
    public static void MapApiKeyRotation(this RouteGroupBuilder admin) =>
        admin.MapPost("/tenants/{company}/{environment}/api-key/rotate", RotateAsync)
            .WithSummary("Replaces the API key; the previous key stays valid for a grace period.");

    private static async Task<Results<Ok<ApiKeyRotatedResponse>, ProblemHttpResult>> RotateAsync(
        string company, string environment, ClaimsPrincipal user, ITenantStore tenants, ITenantKeyStore keys,
        KeyPublisher publisher, TimeProvider time, IOptions<ApiKeyOptions> options, ILogger<KeyPublisher> logger,
        CancellationToken cancellationToken)
    {
        var tenant = await tenants.FindTenantAsync(company, environment, cancellationToken);
        if (tenant is null)
        {
            return TenantEndpoints.TenantNotFound(company, environment);
        }

        var actor = TenantAccess.ReadActor(user);
        var state = (await keys.FindKeyStateAsync(tenant.Id, cancellationToken))!;
        if (!state.Settings.Enabled)
        {
            var apiKey = SecretTokens.Create();
            var previousKeyExpiresAt = time.GetUtcNow() + options.Value.PreviousKeyGracePeriod;
            await tenants.ReplaceApiKeyAsync(
                tenant.Id, SecretTokens.Hash(apiKey), previousKeyExpiresAt, actor, cancellationToken);
            Log.Rotated(logger, tenant.Id, tenant.CompanyCode, tenant.Environment, previousKeyExpiresAt);
            return TypedResults.Ok(new ApiKeyRotatedResponse(apiKey, previousKeyExpiresAt));
        }

        // The write runs to the end even if the client goes away, so the key state never stays half-changed.
        var outcome = await publisher.RotateAsync(tenant, onlyWhenDue: false, actor, CancellationToken.None);
        var after = await keys.FindKeyStateAsync(tenant.Id, cancellationToken);
        return outcome.Status switch
        {
            RotationStatus.Rotated => TypedResults.Ok(new ApiKeyRotatedResponse(
                outcome.ApiKey!, outcome.PreviousKeyExpiresAt!.Value, KeyStateResponses.ToSecretsManager(after!))),
            RotationStatus.Failed => TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway,
                title: "The new API key could not be published.",
                detail: $"Writing the new API key to secret \"{state.Settings.SecretName}\" in region " +
                $"{tenant.SecretsRegion} failed, so the current API key stays current and valid. The service " +
                $"retries with a new key at {outcome.RetryAt!.Value.ToString("O", CultureInfo.InvariantCulture)}; " +
                $"GET the tenant to follow secretsManager.lastError. The error: {outcome.Error}"),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                title: "A rotation of this API key is running.",
                detail: "Another request or node is rotating or publishing this tenant's API key. Retry in a " +
                "few seconds, or GET the tenant to see the new state."),
        };
    }

    private static partial class Log
    {
        [LoggerMessage(5002, LogLevel.Information,
            "API key of tenant {TenantId} (company {CompanyCode} environment {Environment}) rotated; the previous " +
            "key expires at {ExpiresAt}")]
        public static partial void Rotated(
            ILogger logger, long tenantId, string companyCode, string environment, DateTimeOffset expiresAt);
    }
}

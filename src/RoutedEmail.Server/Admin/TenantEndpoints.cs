using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using RoutedEmail.Core.Tenants;
using RoutedEmail.Server.Hosting;
using RoutedEmail.Server.Hubs;
using RoutedEmail.Server.Keys;
using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Admin;

/// <summary>Creating, reading and changing tenants, with their API key publishing settings.</summary>
internal static partial class TenantEndpoints
{
    private const string DefaultSecretsRegion = "us-east-1";
    private const string DefaultTimeZone = "UTC";
    private const int MaxAllowedOrigins = 50;

    public static void MapTenants(this RouteGroupBuilder admin)
    {
        admin.MapPost("/tenants", CreateAsync).WithSummary("Creates a tenant and returns its first API key.");
        admin.MapGet("/tenants", ListAsync).WithSummary("Lists every tenant.");
        admin.MapGet("/tenants/{company}/{environment}", GetAsync).WithSummary("Reads a tenant's settings.");
        admin.MapPut("/tenants/{company}/{environment}", UpdateAsync).WithSummary("Changes a tenant's settings.");
        admin.MapApiKeyRotation();
    }

    private static async Task<Results<Created<TenantCreatedResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateTenantRequest request, ClaimsPrincipal user, ITenantStore tenants, ITenantKeyStore keys,
        KeyPublisher publisher, TenantOriginCache origins, IOptions<ApiKeyOptions> options, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var validation = new RequestValidation();
        validation.RequireCode("companyCode", request.CompanyCode);
        validation.RequireCode("environment", request.Environment);
        var region = request.SecretsRegion ?? DefaultSecretsRegion;
        var timeZone = request.TimeZone ?? DefaultTimeZone;
        validation.CheckRegion("secretsRegion", region);
        validation.CheckTimeZone("timeZone", timeZone);
        var allowedOrigins = validation.CheckOrigins("allowedOrigins", request.AllowedOrigins ?? [], MaxAllowedOrigins);
        var publishing = KeyPublishingRequest.Resolve(
            null, request.SecretsManager, request.KeyRotationDays, options.Value.DefaultRotationDays, validation);
        if (!validation.IsValid)
        {
            return (ValidationProblem)validation.ToProblem();
        }

        var apiKey = SecretTokens.Create();
        var tenant = await tenants.CreateTenantAsync(request.CompanyCode!, request.Environment!, region, timeZone,
            allowedOrigins!, SecretTokens.Hash(apiKey), TenantAccess.ReadActor(user), cancellationToken);
        if (tenant is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The tenant exists.",
                detail: $"A tenant with company code \"{request.CompanyCode}\" and environment " +
                $"\"{request.Environment}\" already exists (compared without regard to case). Use another pair, or " +
                "rotate the existing tenant's API key.");
        }

        origins.Invalidate();
        Log.Created(loggers.CreateLogger(typeof(TenantEndpoints).FullName!), tenant.CompanyCode, tenant.Environment);
        await keys.SaveSettingsAsync(tenant.Id, publishing, null, null, cancellationToken);
        if (publishing.Enabled)
        {
            // The tenant exists once created, so its first write runs to the end even if the client goes away.
            await publisher.PublishFirstKeyAsync(tenant, apiKey, CancellationToken.None);
        }

        var state = await keys.FindKeyStateAsync(tenant.Id, cancellationToken);
        var response = new TenantCreatedResponse(
            tenant.CompanyCode, tenant.Environment, tenant.SecretsRegion, tenant.TimeZone, apiKey,
            tenant.AllowedOrigins, KeyStateResponses.ToSecretsManager(state!), state!.Settings.KeyRotationDays,
            state.NextRotationAt);
        return TypedResults.Created(TenantPath(tenant), response);
    }

    private static async Task<Ok<TenantResponse[]>> ListAsync(
        ITenantStore tenants, ITenantKeyStore keys, CancellationToken cancellationToken)
    {
        var all = await tenants.ListTenantsAsync(cancellationToken);
        var states = await keys.ListKeyStatesAsync(cancellationToken);
        return TypedResults.Ok(all.Select(tenant => ToResponse(tenant, states.GetValueOrDefault(tenant.Id))).ToArray());
    }

    private static async Task<Results<Ok<TenantResponse>, ProblemHttpResult>> GetAsync(
        string company, string environment, ITenantStore tenants, ITenantKeyStore keys,
        CancellationToken cancellationToken)
    {
        var tenant = await tenants.FindTenantAsync(company, environment, cancellationToken);
        if (tenant is null)
        {
            return TenantNotFound(company, environment);
        }

        return TypedResults.Ok(ToResponse(tenant, await keys.FindKeyStateAsync(tenant.Id, cancellationToken)));
    }

    private static async Task<Results<Ok<TenantResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        string company, string environment, UpdateTenantRequest request, ITenantStore tenants, ITenantKeyStore keys,
        KeyPublisher publisher, TenantOriginCache origins, IOptions<ApiKeyOptions> options, TimeProvider time,
        ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var tenant = await tenants.FindTenantAsync(company, environment, cancellationToken);
        if (tenant is null)
        {
            return TenantNotFound(company, environment);
        }

        // The service writes the key with its own AWS credentials or a role it assumes. A tenant administrator who
        // chose the secret, its region or the role could make it overwrite another tenant's secret.
        if (!user.IsInRole(AuthNames.OperatorRole)
            && (request.SecretsManager is not null
                || (request.SecretsRegion is not null && request.SecretsRegion != tenant.SecretsRegion)))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden,
                title: "Only the operator may change where the API key is published.",
                detail: "secretsManager and secretsRegion decide which AWS secret the service writes, with its own " +
                    "credentials, so only the operator's admin token may change them. Ask the service's operator, " +
                    "or leave both fields out to change the other settings.");
        }

        var stored = (await keys.FindKeyStateAsync(tenant.Id, cancellationToken))!;
        var region = request.SecretsRegion ?? tenant.SecretsRegion;
        var timeZone = request.TimeZone ?? tenant.TimeZone;
        var validation = new RequestValidation();
        validation.CheckRegion("secretsRegion", region);
        validation.CheckTimeZone("timeZone", timeZone);
        var allowedOrigins = request.AllowedOrigins is null
            ? tenant.AllowedOrigins
            : validation.CheckOrigins("allowedOrigins", request.AllowedOrigins, MaxAllowedOrigins);
        var publishing = KeyPublishingRequest.Resolve(stored.Settings, request.SecretsManager,
            request.KeyRotationDays, options.Value.DefaultRotationDays, validation);
        if (!validation.IsValid)
        {
            return (ValidationProblem)validation.ToProblem();
        }

        // The event commits with the tenant's row. The key publishing settings below follow in a transaction of
        // their own.
        var updated = await tenants.UpdateTenantAsync(
            tenant.Id, region, timeZone, allowedOrigins!, TenantAccess.ReadActor(user), cancellationToken);
        origins.Invalidate();
        var now = time.GetUtcNow();
        var needsPublishing = KeyPublishingRequest.NeedsPublishing(
            stored.Settings, publishing, region != tenant.SecretsRegion);
        await keys.SaveSettingsAsync(tenant.Id, publishing, NextRotation(stored, publishing, now),
            needsPublishing ? now : null, cancellationToken);
        if (needsPublishing)
        {
            // The key the administrator has was never written to the secret, so a new key is written now. When
            // another node has the tenant's lease, the background service writes it once the lease ends.
            await publisher.RotateAsync(
                updated!, onlyWhenDue: true, TenantAccess.ReadActor(user), CancellationToken.None);
        }

        return TypedResults.Ok(ToResponse(updated!, await keys.FindKeyStateAsync(tenant.Id, cancellationToken)));
    }

    /// <summary>Keeps the scheduled time unless the schedule changed, which starts the period again now.</summary>
    private static DateTimeOffset? NextRotation(
        TenantKeyState stored, KeyPublishingSettings settings, DateTimeOffset now)
    {
        if (settings.KeyRotationDays is not { } days)
        {
            return null;
        }

        return stored.Settings.KeyRotationDays == days && stored.NextRotationAt is { } next
            ? next
            : now + TimeSpan.FromDays(days);
    }

    internal static ProblemHttpResult TenantNotFound(string company, string environment) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "The tenant does not exist.",
            detail: $"No tenant has company code \"{company}\" and environment \"{environment}\". " +
            "Create it with POST /api/v1/tenants, or check the spelling.");

    private static string TenantPath(Tenant tenant) =>
        $"/api/v1/tenants/{Uri.EscapeDataString(tenant.CompanyCode)}/{Uri.EscapeDataString(tenant.Environment)}";

    private static TenantResponse ToResponse(Tenant tenant, TenantKeyState? state) =>
        new(tenant.CompanyCode, tenant.Environment, tenant.SecretsRegion, tenant.TimeZone, tenant.AllowedOrigins,
            state is null ? null : KeyStateResponses.ToSecretsManager(state), state?.Settings.KeyRotationDays,
            state?.NextRotationAt, state?.PreviousKeyExpiresAt);

    private static partial class Log
    {
        [LoggerMessage(5001, LogLevel.Information, "Tenant created: company {CompanyCode} environment {Environment}")]
        public static partial void Created(ILogger logger, string companyCode, string environment);
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using RoutedEmail.Core.Tenants;
using RoutedEmail.Server.Hosting;
using RoutedEmail.Server.Hubs;
using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Admin;

/// <summary>Creating, reading and changing tenants, and rotating their API keys.</summary>
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
        admin.MapPost("/tenants/{company}/{environment}/api-key/rotate", RotateAsync)
            .WithSummary("Replaces the API key; the previous key stays valid for a grace period.");
    }

    private static async Task<Results<Created<TenantCreatedResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateTenantRequest request, ITenantStore tenants, TenantOriginCache origins, ILoggerFactory loggers,
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
        if (!validation.IsValid)
        {
            return (ValidationProblem)validation.ToProblem();
        }

        var apiKey = SecretTokens.Create();
        var tenant = await tenants.CreateTenantAsync(request.CompanyCode!, request.Environment!, region, timeZone,
            allowedOrigins!, SecretTokens.Hash(apiKey), cancellationToken);
        if (tenant is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The tenant exists.",
                detail: $"A tenant with company code \"{request.CompanyCode}\" and environment " +
                $"\"{request.Environment}\" already exists (compared without regard to case). Use another pair, or " +
                "rotate the existing tenant's API key.");
        }

        origins.Invalidate();
        Log.Created(loggers.CreateLogger(typeof(TenantEndpoints).FullName!), tenant.CompanyCode, tenant.Environment);
        var response = new TenantCreatedResponse(
            tenant.CompanyCode, tenant.Environment, tenant.SecretsRegion, tenant.TimeZone, apiKey,
            tenant.AllowedOrigins);
        return TypedResults.Created(TenantPath(tenant), response);
    }

    private static async Task<Ok<TenantResponse[]>> ListAsync(ITenantStore tenants, CancellationToken cancellationToken)
    {
        var all = await tenants.ListTenantsAsync(cancellationToken);
        return TypedResults.Ok(all.Select(ToResponse).ToArray());
    }

    private static async Task<Results<Ok<TenantResponse>, ProblemHttpResult>> GetAsync(
        string company, string environment, ITenantStore tenants, CancellationToken cancellationToken)
    {
        var tenant = await tenants.FindTenantAsync(company, environment, cancellationToken);
        return tenant is null ? TenantNotFound(company, environment) : TypedResults.Ok(ToResponse(tenant));
    }

    private static async Task<Results<Ok<TenantResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        string company, string environment, UpdateTenantRequest request, ITenantStore tenants,
        TenantOriginCache origins, CancellationToken cancellationToken)
    {
        var tenant = await tenants.FindTenantAsync(company, environment, cancellationToken);
        if (tenant is null)
        {
            return TenantNotFound(company, environment);
        }

        var region = request.SecretsRegion ?? tenant.SecretsRegion;
        var timeZone = request.TimeZone ?? tenant.TimeZone;
        var validation = new RequestValidation();
        validation.CheckRegion("secretsRegion", region);
        validation.CheckTimeZone("timeZone", timeZone);
        var allowedOrigins = request.AllowedOrigins is null
            ? tenant.AllowedOrigins
            : validation.CheckOrigins("allowedOrigins", request.AllowedOrigins, MaxAllowedOrigins);
        if (!validation.IsValid)
        {
            return (ValidationProblem)validation.ToProblem();
        }

        var updated = await tenants.UpdateTenantAsync(tenant.Id, region, timeZone, allowedOrigins!, cancellationToken);
        origins.Invalidate();
        return TypedResults.Ok(ToResponse(updated!));
    }

    private static async Task<Results<Ok<ApiKeyRotatedResponse>, ProblemHttpResult>> RotateAsync(
        string company, string environment, ITenantStore tenants, TimeProvider time, IOptions<ApiKeyOptions> options,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var tenant = await tenants.FindTenantAsync(company, environment, cancellationToken);
        if (tenant is null)
        {
            return TenantNotFound(company, environment);
        }

        var apiKey = SecretTokens.Create();
        var previousKeyExpiresAt = time.GetUtcNow() + options.Value.PreviousKeyGracePeriod;
        await tenants.ReplaceApiKeyAsync(tenant.Id, SecretTokens.Hash(apiKey), previousKeyExpiresAt, cancellationToken);
        Log.Rotated(loggers.CreateLogger(typeof(TenantEndpoints).FullName!), tenant.CompanyCode, tenant.Environment,
            previousKeyExpiresAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        return TypedResults.Ok(new ApiKeyRotatedResponse(apiKey, previousKeyExpiresAt));
    }

    internal static ProblemHttpResult TenantNotFound(string company, string environment) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "The tenant does not exist.",
            detail: $"No tenant has company code \"{company}\" and environment \"{environment}\". " +
            "Create it with POST /api/v1/tenants, or check the spelling.");

    private static string TenantPath(Tenant tenant) =>
        $"/api/v1/tenants/{Uri.EscapeDataString(tenant.CompanyCode)}/{Uri.EscapeDataString(tenant.Environment)}";

    private static TenantResponse ToResponse(Tenant tenant) =>
        new(tenant.CompanyCode, tenant.Environment, tenant.SecretsRegion, tenant.TimeZone, tenant.AllowedOrigins);

    private static partial class Log
    {
        [LoggerMessage(5001, LogLevel.Information, "Tenant created: company {CompanyCode} environment {Environment}")]
        public static partial void Created(ILogger logger, string companyCode, string environment);

        [LoggerMessage(5002, LogLevel.Information,
            "API key rotated for company {CompanyCode} environment {Environment}; the previous key expires at {ExpiresAt}")]
        public static partial void Rotated(ILogger logger, string companyCode, string environment, string expiresAt);
    }
}

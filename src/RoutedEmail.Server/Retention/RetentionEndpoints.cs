using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using RoutedEmail.Core.Emails;
using RoutedEmail.Core.Ingest;
using RoutedEmail.Server.Admin;
using RoutedEmail.Server.Hosting;
using RoutedEmail.Server.Routing;
using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Retention;

/// <summary>A tenant's retention settings, and erasure of one entity id's personal data. Administrators only.</summary>
internal static partial class RetentionEndpoints
{
    public static void MapRetention(this RouteGroupBuilder tenant)
    {
        tenant.MapGet("/retention", GetAsync).WithSummary("Reads how long the tenant's data is kept.");
        tenant.MapPut("/retention", PutAsync).Accepts<RetentionRequest>("application/json")
            .WithSummary("Changes how long the tenant's data is kept.");
        tenant.MapPost("/routed-emails/{entityId}/erase", EraseAsync)
            .WithSummary("Erases the personal data of every routed email with the entity id.");
    }

    private static async Task<Ok<RetentionResponse>> GetAsync(
        HttpContext context, IRetentionStore retention, IIntervalReportStore reports,
        CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Get(context);
        var settings = await retention.GetSettingsAsync(tenant.Id, cancellationToken);
        return TypedResults.Ok(await ToResponseAsync(tenant.Id, settings!, reports, cancellationToken));
    }

    private static async Task<Results<Ok<RetentionResponse>, ValidationProblem, ProblemHttpResult>> PutAsync(
        HttpContext context, ClaimsPrincipal user, IRetentionStore retention, IIntervalReportStore reports,
        IOptions<IngestOptions> ingest, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        if (!context.Request.HasJsonContentType())
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
                detail: "Send the request body as JSON with Content-Type: application/json.");
        }

        var bodyValidation = new RequestValidation();
        var request = await RetentionRequestBody.ReadAsync(
            bodyValidation, context.Request.Body, json.Value.SerializerOptions, cancellationToken);
        if (request is null)
        {
            return (ValidationProblem)bodyValidation.ToProblem();
        }

        var tenant = TenantScope.Get(context);
        var stored = (await retention.GetSettingsAsync(tenant.Id, cancellationToken))!;
        var settings = new RetentionSettings(
            request.EmailRetentionDays ?? stored.EmailRetentionDays,
            request.EventRetentionDays ?? stored.EventRetentionDays,
            request.DeliveryRecordRetentionDays ?? stored.DeliveryRecordRetentionDays);
        var validation = Validate(settings, ingest.Value.IdempotencyWindow);
        if (!validation.IsValid)
        {
            return (ValidationProblem)validation.ToProblem();
        }

        await retention.SaveSettingsAsync(tenant.Id, settings, TenantAccess.ReadActor(user), cancellationToken);
        return TypedResults.Ok(await ToResponseAsync(tenant.Id, settings, reports, cancellationToken));
    }

    /// <summary>
    /// Checks each setting's range, and that closed emails are kept at least as long as the ingest idempotency
    /// window: a re-send within the window must find the email to be a retry, not a new email.
    /// </summary>
    internal static RequestValidation Validate(RetentionSettings settings, TimeSpan idempotencyWindow)
    {
        var validation = new RequestValidation();
        validation.CheckRange("emailRetentionDays", settings.EmailRetentionDays,
            RetentionSettings.MinDays, RetentionSettings.MaxDays);
        validation.CheckRange("eventRetentionDays", settings.EventRetentionDays,
            RetentionSettings.MinDays, RetentionSettings.MaxDays);
        validation.CheckRange("deliveryRecordRetentionDays", settings.DeliveryRecordRetentionDays,
            RetentionSettings.MinDays, RetentionSettings.MaxDays);
        var minimumDays = (int)Math.Ceiling(idempotencyWindow.TotalDays);
        if (settings.EmailRetentionDays >= RetentionSettings.MinDays
            && TimeSpan.FromDays(settings.EmailRetentionDays) < idempotencyWindow)
        {
            validation.Add("emailRetentionDays",
                $"emailRetentionDays is {settings.EmailRetentionDays}, shorter than the ingest idempotency window " +
                $"Ingest:IdempotencyWindow ({idempotencyWindow:c}), within which a re-sent entityId must still find " +
                $"its closed email. Set emailRetentionDays to at least {minimumDays}, or shorten the window.");
        }

        return validation;
    }

    private static async Task<Results<Ok<ErasureResponse>, ValidationProblem, ProblemHttpResult>> EraseAsync(
        HttpContext context, string entityId, ClaimsPrincipal user, IRetentionStore retention,
        IAgentNotifier notifier, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Get(context);
        var validation = new RequestValidation();
        validation.CheckLength("entityId", entityId, 1, IngestLimits.MaxIdLength);
        if (!validation.IsValid)
        {
            return (ValidationProblem)validation.ToProblem();
        }

        // The erasure runs to the end once started, so a client that goes away does not leave it half done.
        var result = await retention.EraseAsync(
            tenant.Id, entityId, time.GetUtcNow(), TenantAccess.ReadActor(user), CancellationToken.None);
        if (result is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
                title: "The routed email does not exist.",
                detail: $"The tenant has no routed email with entityId \"{entityId}\", or expiry deleted it. " +
                    "Check the entity id and the tenant.");
        }

        foreach (var agentId in result.AgentIds)
        {
            await notifier.NotifyAsync(tenant.Id, agentId, EventTypes.Erased);
        }

        Log.Erased(loggers.CreateLogger(typeof(RetentionEndpoints).FullName!), tenant.Id, entityId, result.Emails,
            result.ErasedEmails, result.ErasedFields);
        return TypedResults.Ok(new ErasureResponse(entityId, result.Emails, result.ErasedEmails, result.ErasedFields));
    }

    private static async Task<RetentionResponse> ToResponseAsync(
        long tenantId, RetentionSettings settings, IIntervalReportStore reports, CancellationToken cancellationToken) =>
        new(settings.EmailRetentionDays, settings.EventRetentionDays, settings.DeliveryRecordRetentionDays,
            await reports.ReadReportTotalsUntilAsync(tenantId, cancellationToken));

    private static partial class Log
    {
        [LoggerMessage(9111, LogLevel.Information,
            "Erased the personal data of entity {EntityId} of tenant {TenantId}: {ErasedEmails} of {Emails} emails " +
            "changed, {ErasedFields} values overwritten")]
        public static partial void Erased(
            ILogger logger, long tenantId, string entityId, int emails, int erasedEmails, int erasedFields);
    }
}

using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using RoutedEmail.Core.Ingest;
using RoutedEmail.Core.Tenants;
using RoutedEmail.Server.Hosting;
using RoutedEmail.Server.Routing;
using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Ingest;

/// <summary>
/// The ingest API, wire-compatible with the Generic Routed Email API: the same path, headers, JSON array body and
/// response body. A success means every item is durably queued or was already received; a failure means nothing of
/// the batch was queued.
/// </summary>
internal static partial class IngestEndpoint
{
    public const string Path = "/symbee-crm-integration-service/svc/rs/SymbeeRoutedEmailService/sendRoutedEmail";

    public static void MapIngest(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Path, HandleAsync)
            .WithName("SendRoutedEmail")
            .WithTags("Ingest")
            .WithSummary("Queues a batch of routed email requests.")
            .WithMetadata(new IngestOpenApi.Marker());

        // Other methods get the same JSON error shape, so clients never have to parse an empty or HTML body.
        endpoints.MapMethods(Path, ["GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"], RejectMethodAsync)
            .ExcludeFromDescription();
    }

    private static async Task HandleAsync(
        HttpContext context, IntegratorAuthenticator authenticator, IConfigurationStore configurations,
        IIngestStore ingest, IRoutingTrigger router, TimeProvider time, IOptions<IngestOptions> options,
        IOptions<IngestLimitOptions> limits, StorageFailures failures, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(IngestEndpoint).FullName!);
        try
        {
            await QueueBatchAsync(
                context, authenticator, configurations, ingest, router, time, options, limits.Value, logger);
        }
        catch (Exception exception) when (StorageUnavailable.Matches(exception) && !context.Response.HasStarted
                                          && !context.RequestAborted.IsCancellationRequested)
        {
            if (failures.Record(out var skipped))
            {
                Log.StorageUnavailable(logger, exception,
                    CompanyOf(context.Request), skipped);
            }

            context.Response.Clear();
            context.Response.Headers.RetryAfter = StorageUnavailable.RetryAfterSeconds;
            await IngestResponse.WriteErrorAsync(
                context.Response, StatusCodes.Status503ServiceUnavailable, StorageUnavailable.Message);
        }
        catch (Exception exception) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            // An unexpected failure still gets the ingest response shape, because clients of this API parse
            // responseEnum and would not understand a problem details body.
            Log.Failed(logger, exception, CompanyOf(context.Request));
            context.Response.Clear();
            await IngestResponse.WriteErrorAsync(context.Response, StatusCodes.Status500InternalServerError,
                "The service failed to process the batch because of an internal error, so none of its items were " +
                "queued. Retry the request later; re-sending the same entityId values is safe.");
        }
    }

    private static async Task QueueBatchAsync(
        HttpContext context, IntegratorAuthenticator authenticator, IConfigurationStore configurations,
        IIngestStore ingest, IRoutingTrigger router, TimeProvider time, IOptions<IngestOptions> options,
        IngestLimitOptions limits, ILogger logger)
    {
        var request = context.Request;
        var authentication = await authenticator.AuthenticateAsync(request, context.RequestAborted);
        if (authentication.Tenant is not { } tenant)
        {
            LogRejected(logger, CompanyOf(request),
                authentication.StatusCode, null);
            await IngestResponse.WriteErrorAsync(context.Response, authentication.StatusCode, authentication.Error!);
            return;
        }

        var (body, bodyError) = await ReadBodyAsync(context, limits.MaxBodyBytes);
        if (bodyError is not null)
        {
            LogRejected(logger, tenant.CompanyCode, bodyError.Value.StatusCode, null);
            await IngestResponse.WriteErrorAsync(context.Response, bodyError.Value.StatusCode, bodyError.Value.Message);
            return;
        }

        var retainedSince = time.GetUtcNow() - options.Value.IdempotencyWindow;
        var validation = await ValidateAsync(
            body!, limits, tenant, configurations, ingest, retainedSince, context.RequestAborted);
        if (validation.Error is { } error)
        {
            LogRejected(logger, tenant.CompanyCode, validation.StatusCode, error);
            await IngestResponse.WriteErrorAsync(context.Response, validation.StatusCode, error.Message);
            return;
        }

        var added = await ingest.AppendAsync(tenant.Id, validation.Emails, retainedSince, context.RequestAborted);
        if (added > 0)
        {
            router.Wake(tenant.Id);
        }

        Log.Queued(logger, tenant.CompanyCode, tenant.Environment, validation.Emails.Count, added);
        await IngestResponse.WriteSuccessAsync(context.Response);
    }

    private static async Task<ValidatedBatch> ValidateAsync(
        byte[] body, IngestLimitOptions limits, Tenant tenant, IConfigurationStore configurations,
        IIngestStore ingest, DateTimeOffset retainedSince, CancellationToken cancellationToken)
    {
        var parsed = RoutedEmailBatchParser.Parse(body, limits);
        if (parsed.Error is not null)
        {
            return new ValidatedBatch([], parsed.Error, StatusCodes.Status400BadRequest);
        }

        var requests = parsed.Requests;
        var tenantError = RoutedEmailBatchValidator.CheckTenant(requests, tenant);
        if (tenantError is not null)
        {
            return new ValidatedBatch([], tenantError, StatusCodes.Status403Forbidden);
        }

        var owners = requests.Select(r => r.OwnerId).Distinct(StringComparer.Ordinal).ToList();
        var routing = await configurations.FindOwnerRoutingAsync(tenant.Id, owners, cancellationToken);
        var found = routing.Configurations;
        var disabledQueues = routing.DisabledSkillQueues;
        if (RoutedEmailBatchValidator.CheckOwners(requests, found) is not null || disabledQueues.Count > 0)
        {
            // A retry of an email already received succeeds even if its owner or queue was disabled or removed since.
            var entityIds = requests.Select(r => r.EntityId).Distinct(StringComparer.Ordinal).ToList();
            var retries = await ingest.FindRetriesAsync(tenant.Id, entityIds, retainedSince, cancellationToken);
            var ownerError = RoutedEmailBatchValidator.CheckOwners(requests, found, retries.Contains)
                ?? CheckQueues(requests, found, disabledQueues, retries.Contains);
            if (ownerError is not null)
            {
                return new ValidatedBatch([], ownerError, StatusCodes.Status400BadRequest);
            }
        }

        // NOTE: a retry whose owner has no enabled configuration is dropped here. If its retention window ended
        // between the check above and the write, it is therefore not queued again.
        var emails = requests
            .Where(r => found.TryGetValue(r.OwnerId, out var configuration) && configuration.Enabled
                && !disabledQueues.Contains(configuration.SkillQueue))
            .Select(r => ToNewEmail(r, found[r.OwnerId]))
            .ToList();
        return new ValidatedBatch(emails, null, StatusCodes.Status200OK);
    }

    /// <summary>Returns the first item, other than a retry, whose configuration routes to a disabled queue.</summary>
    private static IngestError? CheckQueues(
        IReadOnlyList<RoutedEmailRequest> requests, IReadOnlyDictionary<string, RoutedEmailConfiguration> found,
        IReadOnlySet<string> disabledQueues, Func<string, bool> isRetry)
    {
        for (var index = 0; index < requests.Count; index++)
        {
            var request = requests[index];
            if (isRetry(request.EntityId) || !found.TryGetValue(request.OwnerId, out var configuration))
            {
                continue;
            }

            var queue = configuration.SkillQueue;
            if (disabledQueues.Contains(queue))
            {
                return new IngestError(index, "ownerId",
                    $"Item {index}, field \"ownerId\": the routed email configuration for \"{request.OwnerId}\" " +
                    $"routes to skill queue \"{queue}\", which is disabled. Enable the queue, or route the owner " +
                    "to an enabled queue.");
            }
        }

        return null;
    }

    private static NewRoutedEmail ToNewEmail(RoutedEmailRequest request, RoutedEmailConfiguration configuration) =>
        new(request.EntityId, request.OwnerId, configuration.SkillQueue, configuration.Priority, request.FromAddress,
            request.ToAddress, request.Subject, request.Attributes,
            Core.Emails.ScreenPopUrl.Render(configuration.ScreenPopUrlTemplate, request.EntityId, request.Attributes));

    private static async Task<(byte[]? Body, (int StatusCode, string Message)? Error)> ReadBodyAsync(
        HttpContext context, long maxBodyBytes)
    {
        var contentType = context.Request.ContentType;

        // A parameter value may be a quoted string (RFC 9110, section 5.6.6), so charset="UTF-8" is UTF-8 too.
        var charset = contentType is not null && MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            ? HeaderUtilities.RemoveQuotes(mediaType.Charset)
            : default;
        if (charset.HasValue && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return (null, (StatusCodes.Status415UnsupportedMediaType,
                $"The request declares charset \"{charset}\"; only UTF-8 is accepted. " +
                "Send the body as UTF-8 with Content-Type: application/json."));
        }

        var tooLarge = (StatusCodes.Status413PayloadTooLarge,
            $"The request body is larger than {maxBodyBytes} bytes " +
            $"({IngestLimitOptions.SectionName}:{nameof(IngestLimitOptions.MaxBodyBytes)}). " +
            "Split the items into several smaller requests.");
        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (context.Request.ContentLength > maxBodyBytes)
        {
            // Kestrel reads and discards the unread body after the response, within this request's limit, so the
            // client can finish sending and read the 413. Kestrel's default limit of 30,000,000 bytes bounds that.
            if (sizeFeature is { IsReadOnly: false })
            {
                sizeFeature.MaxRequestBodySize = Math.Max(maxBodyBytes, 30_000_000);
            }

            return (null, tooLarge);
        }

        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = maxBodyBytes;
        }

        try
        {
            return (await ReadAllAsync(context.Request.BodyReader, context.RequestAborted), null);
        }
        catch (BadHttpRequestException exception)
            when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, tooLarge);
        }
    }

    private static async Task<byte[]> ReadAllAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            if (result.IsCompleted)
            {
                var body = result.Buffer.ToArray();
                reader.AdvanceTo(result.Buffer.End);
                return body;
            }

            // Examine everything but consume nothing, so the next read returns the whole body.
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private static Task RejectMethodAsync(HttpContext context)
    {
        context.Response.Headers.Allow = "POST";
        return IngestResponse.WriteErrorAsync(context.Response, StatusCodes.Status405MethodNotAllowed,
            $"Method {context.Request.Method} is not allowed on this path. Send routed email requests with POST.");
    }

    private sealed record ValidatedBatch(IReadOnlyList<NewRoutedEmail> Emails, IngestError? Error, int StatusCode);

    /// <summary>
    /// Logs a rejected request with the company, item and field at fault, choosing the message that leaves out the
    /// parts that are not known.
    /// </summary>
    private static void LogRejected(ILogger logger, string companyCode, int statusCode, IngestError? error)
    {
        if (string.IsNullOrWhiteSpace(companyCode))
        {
            Log.RejectedWithoutCompany(logger, statusCode);
            return;
        }

        switch (error)
        {
            case { ItemIndex: { } itemIndex, Field: { } field }:
                Log.Rejected(logger, companyCode, statusCode, itemIndex, field);
                break;
            case { ItemIndex: { } itemIndex }:
                Log.RejectedItem(logger, companyCode, statusCode, itemIndex);
                break;
            default:
                Log.RejectedRequest(logger, companyCode, statusCode);
                break;
        }
    }

    // The company code header as logged: the authenticator rejects longer values, but a request that fails before
    // that check still must not write an unauthenticated client's kilobytes into the log.
    private static string CompanyOf(HttpRequest request)
    {
        var company = request.Headers[IntegratorAuthenticator.CompanyHeader].ToString();
        return company.Length > IntegratorAuthenticator.MaxHeaderLength
            ? company[..IntegratorAuthenticator.MaxHeaderLength] + "..."
            : company;
    }

    private static partial class Log
    {
        // Debug, because a line per accepted request measurably lowers ingest throughput at high request rates.
        [LoggerMessage(4001, LogLevel.Debug,
            "Ingest for company {CompanyCode} environment {Environment}: {Items} items, {Added} new emails queued")]
        public static partial void Queued(ILogger logger, string companyCode, string environment, int items, int added);

        [LoggerMessage(4002, LogLevel.Information,
            "Ingest for company {CompanyCode} rejected with status {StatusCode} at item {ItemIndex}, field {Field}")]
        public static partial void Rejected(
            ILogger logger, string companyCode, int statusCode, int itemIndex, string field);

        [LoggerMessage(4004, LogLevel.Information,
            "Ingest for company {CompanyCode} rejected with status {StatusCode} at item {ItemIndex}")]
        public static partial void RejectedItem(ILogger logger, string companyCode, int statusCode, int itemIndex);

        [LoggerMessage(4005, LogLevel.Information,
            "Ingest for company {CompanyCode} rejected with status {StatusCode} for the request as a whole, " +
            "not for one item")]
        public static partial void RejectedRequest(ILogger logger, string companyCode, int statusCode);

        [LoggerMessage(4006, LogLevel.Information,
            "Ingest without an X-sc-company-code header rejected with status {StatusCode}")]
        public static partial void RejectedWithoutCompany(ILogger logger, int statusCode);

        [LoggerMessage(4003, LogLevel.Error, "Ingest for company {CompanyCode} failed with an unexpected error")]
        public static partial void Failed(ILogger logger, Exception exception, string companyCode);

        [LoggerMessage(4007, LogLevel.Warning,
            "Ingest for company {CompanyCode} answered 503 because the database is unavailable; nothing was queued. " +
            "Such failures left out of the log since the previous entry: {Skipped}")]
        public static partial void StorageUnavailable(
            ILogger logger, Exception exception, string companyCode, int skipped);
    }
}

using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using RoutedEmail.Server.Admin;
using RoutedEmail.Server.Reports;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Events;

/// <summary>
/// <c>GET .../events?after=&amp;limit=</c>: the tenant's event log as NDJSON in sequence order, for catch-up and
/// replay. Administrators only, because the log names every user's sign-ins and every administrative change.
/// </summary>
internal static class EventFeedEndpoints
{
    /// <summary>The number of events a response contains when the request names no <c>limit</c>.</summary>
    public const int DefaultLimit = 1_000;

    /// <summary>The largest <c>limit</c> a request may name.</summary>
    public const int MaxLimit = 10_000;

    /// <summary>
    /// The response header with the sequence number to send as <c>after</c> in the next request: the last one in
    /// this response, or the request's own <c>after</c> when the response is empty.
    /// </summary>
    public const string NextAfterHeader = "Events-Next-After";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void MapEventFeed(this RouteGroupBuilder tenant)
    {
        tenant.MapGet("/events", GetAsync)
            .Produces(StatusCodes.Status200OK, contentType: EventDocument.NdjsonContentType)
            .ProducesValidationProblem()
            .WithSummary("Streams the tenant's events after a sequence number as NDJSON, in sequence order.");
    }

    private static readonly string[] FeedParameters = ["after", "limit"];

    private static async Task<IResult> GetAsync(
        HttpContext context, [FromQuery] string? after, [FromQuery] string? limit, IEventFeedStore store,
        CancellationToken cancellationToken)
    {
        var validation = new RequestValidation();
        ReportQuery.RejectUnknownParameters(validation, context.Request.Query, FeedParameters);
        var afterSequence = ParseWhole(validation, context, "after", after, 0, 0, long.MaxValue);
        var pageSize = ParseWhole(validation, context, "limit", limit, DefaultLimit, 1, MaxLimit);
        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        var tenant = TenantScope.Get(context);
        var last = await store.FindLastSequenceAsync(tenant.Id, afterSequence, (int)pageSize, cancellationToken);
        context.Response.Headers[NextAfterHeader] = (last ?? afterSequence).ToString(CultureInfo.InvariantCulture);
        context.Response.Headers.CacheControl = "no-store";
        if (last is not { } through)
        {
            return TypedResults.Text(string.Empty, EventDocument.NdjsonContentType);
        }

        return new NdjsonResult(store.ReadAsync(tenant.Id, afterSequence, through, cancellationToken));
    }

    /// <summary>
    /// Parses a whole-number query parameter within [minimum, maximum], or returns the default when it is absent.
    /// </summary>
    private static long ParseWhole(
        RequestValidation validation, HttpContext context, string field, string? value, long fallback,
        long minimum, long maximum)
    {
        value = ReportQuery.ReadSingleValue(validation, context.Request.Query, field, value);
        if (value is null)
        {
            return fallback;
        }

        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
            || parsed < minimum || parsed > maximum)
        {
            var range = maximum == long.MaxValue ? $"{minimum} or more" : $"from {minimum} to {maximum}";
            validation.Add(field, $"{field} \"{value}\" is not a whole number {range}. Send digits only, such as " +
                $"{field}={Math.Max(minimum, 1)}.");
            return fallback;
        }

        return parsed;
    }

    /// <summary>Writes each event as one line of JSON while the store reads the rows.</summary>
    private sealed class NdjsonResult(IAsyncEnumerable<FeedEvent> events) : IResult
    {
        // Flushes to the client after this many bytes, so a large page leaves the server while it is read.
        private const int FlushBytes = 32 * 1024;

        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.ContentType = EventDocument.NdjsonContentType;
            var body = httpContext.Response.BodyWriter;
            var cancellationToken = httpContext.RequestAborted;
            await using var writer = new Utf8JsonWriter(body, WriterOptions);
            long unflushed = 0;
            await foreach (var stored in events.WithCancellation(cancellationToken))
            {
                EventDocument.Write(writer, stored);
                writer.Flush();
                unflushed += writer.BytesCommitted + 1;
                writer.Reset();
                body.Write("\n"u8);
                if (unflushed >= FlushBytes)
                {
                    await body.FlushAsync(cancellationToken);
                    unflushed = 0;
                }
            }

            await body.FlushAsync(cancellationToken);
        }
    }
}

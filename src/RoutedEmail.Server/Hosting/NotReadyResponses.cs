using RoutedEmail.Server.Ingest;

namespace RoutedEmail.Server.Hosting;

/// <summary>
/// Returns 503 to requests that need the store while the store is not ready yet, or when it fails because the
/// database cannot be used for now.
/// </summary>
internal static partial class NotReadyResponses
{
    private const string Message =
        "The service is starting and its storage is not ready yet. Retry in a few seconds; GET /healthz answers " +
        "200 once it is ready.";

    /// <summary>
    /// Adds the middleware. <c>/healthz</c>, which reports the same state, and the API documentation pass through.
    /// The ingest path gets the ingest API's error shape, and every other path a problem.
    /// </summary>
    public static void UseNotReadyResponses(this WebApplication app)
    {
        var startup = app.Services.GetRequiredService<StartupGate>();
        var failures = app.Services.GetRequiredService<StorageFailures>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(NotReadyResponses).FullName!);
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (startup.IsReady || path.StartsWithSegments("/healthz") || path.StartsWithSegments("/docs")
                || path.StartsWithSegments("/openapi"))
            {
                try
                {
                    await next(context);
                }
                catch (Exception exception) when (StorageUnavailable.Matches(exception)
                                                  && !context.Response.HasStarted)
                {
                    if (failures.Record(out var skipped))
                    {
                        logger.LogStorageUnavailable(exception, context.Request.Method, path.ToString(), skipped);
                    }

                    context.Response.Clear();
                    await WriteAsync(context, "The database is unavailable.", StorageUnavailable.Message);
                }

                return;
            }

            await WriteAsync(context, "The service is not ready.", Message);
        });
    }

    private static async Task WriteAsync(HttpContext context, string title, string detail)
    {
        context.Response.Headers.RetryAfter = StorageUnavailable.RetryAfterSeconds;
        if (context.Request.Path.Equals(IngestEndpoint.Path, StringComparison.OrdinalIgnoreCase))
        {
            await IngestResponse.WriteErrorAsync(context.Response, StatusCodes.Status503ServiceUnavailable, detail);
            return;
        }

        await TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: title, detail: detail)
            .ExecuteAsync(context);
    }

    [LoggerMessage(2110, LogLevel.Warning,
        "{Method} {Path} failed because the database is unavailable; answered 503. Such failures left out of the " +
        "log since the previous entry: {Skipped}")]
    private static partial void LogStorageUnavailable(
        this ILogger logger, Exception exception, string method, string path, int skipped);
}

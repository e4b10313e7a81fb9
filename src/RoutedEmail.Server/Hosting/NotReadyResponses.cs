using RoutedEmail.Server.Ingest;

namespace RoutedEmail.Server.Hosting;

/// <summary>Answers 503 to requests that need the store while the store is not ready yet.</summary>
internal static class NotReadyResponses
{
    private const string RetryAfterSeconds = "5";

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
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (startup.IsReady || path.StartsWithSegments("/healthz") || path.StartsWithSegments("/docs")
                || path.StartsWithSegments("/openapi"))
            {
                await next(context);
                return;
            }

            context.Response.Headers.RetryAfter = RetryAfterSeconds;
            if (path.Equals(IngestEndpoint.Path, StringComparison.OrdinalIgnoreCase))
            {
                await IngestResponse.WriteErrorAsync(context.Response, StatusCodes.Status503ServiceUnavailable, Message);
                return;
            }

            await TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "The service is not ready.", detail: Message).ExecuteAsync(context);
        });
    }
}

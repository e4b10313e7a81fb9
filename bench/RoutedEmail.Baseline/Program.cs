using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using RoutedEmail.Core.Ingest;

// The baseline of the ingest benchmark: the server's ingest path, body reading and JSON parsing, with no
// authentication, tenant checks or storage. The ratio of the real service's throughput to this one's is the share
// that the service keeps of what ASP.NET Core and the parser alone reach on the same machine.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.Logging.AddConsole();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
var app = builder.Build();

app.MapGet("/healthz", () => "ready");
app.MapPost(BaselineIngest.Path, BaselineIngest.HandleAsync);
app.Run();

/// <summary>The ingest endpoint of the baseline: it reads the body, parses it and writes the success body.</summary>
internal static class BaselineIngest
{
    /// <summary>The ingest path of the Generic Routed Email API, as the server maps it.</summary>
    public const string Path = "/symbee-crm-integration-service/svc/rs/SymbeeRoutedEmailService/sendRoutedEmail";

    private static readonly byte[] SuccessBody =
        Encoding.UTF8.GetBytes("""{"responseEnum":"SUCCESS","errorMessage":null}""");

    private static readonly byte[] ParseErrorBody =
        Encoding.UTF8.GetBytes("""{"responseEnum":"ERROROCCURRED","errorMessage":"The body did not parse."}""");

    /// <summary>
    /// Reads the whole body as the server does, parses it with <see cref="RoutedEmailBatchParser"/>, and writes the
    /// success body, or 400 when the body does not parse, so that a broken load script shows up as errors.
    /// </summary>
    public static async Task HandleAsync(HttpContext context)
    {
        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = IngestLimits.MaxBodyBytes;
        }

        var body = await ReadAllAsync(context.Request.BodyReader, context.RequestAborted);
        var parsed = RoutedEmailBatchParser.Parse(body);
        var response = parsed.Error is null ? SuccessBody : ParseErrorBody;
        context.Response.StatusCode = parsed.Error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = response.Length;
        await context.Response.Body.WriteAsync(response, context.RequestAborted);
    }

    // The same loop as the server's: examine everything, consume nothing, until the body is complete.
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

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }
}

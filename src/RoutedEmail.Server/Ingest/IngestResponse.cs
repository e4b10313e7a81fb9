using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace RoutedEmail.Server.Ingest;

/// <summary>Writes the ingest API's response body: <c>{"responseEnum": ..., "errorMessage": ...}</c>.</summary>
internal static class IngestResponse
{
    private static readonly byte[] SuccessBody = Encoding.UTF8.GetBytes("""{"responseEnum":"SUCCESS","errorMessage":null}""");

    public static Task WriteSuccessAsync(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.ContentLength = SuccessBody.Length;
        return response.Body.WriteAsync(SuccessBody).AsTask();
    }

    /// <summary>Writes a failure. The status is always 4xx or 5xx, never 200, so clients can rely on either.</summary>
    public static async Task WriteErrorAsync(HttpResponse response, int statusCode, string message)
    {
        response.StatusCode = statusCode;
        response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        // The body is JSON read by programs, never embedded in HTML, so quotes and apostrophes stay readable.
        var writerOptions = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using (var writer = new Utf8JsonWriter(buffer, writerOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("responseEnum", "ERROROCCURRED");
            writer.WriteString("errorMessage", message);
            writer.WriteEndObject();
        }

        response.ContentLength = buffer.Length;
        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }
}

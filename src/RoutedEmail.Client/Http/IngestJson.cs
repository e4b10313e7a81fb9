using System.Net;
using System.Text.Json;

namespace RoutedEmail.Client;

/// <summary>Writes ingest bodies in the Generic Routed Email API's shape and checks its responses.</summary>
internal static class IngestJson
{
    public static byte[] Write(
        IReadOnlyCollection<RoutedEmailRequest> requests, string companyCode, string environment)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartArray();
            foreach (var request in requests)
            {
                ArgumentNullException.ThrowIfNull(request, nameof(requests));
                WriteItem(writer, request, companyCode, environment);
            }

            writer.WriteEndArray();
        }

        return stream.ToArray();
    }

    /// <summary>
    /// Checks an ingest response. Only a 2xx whose body is <c>{"responseEnum":"SUCCESS"}</c> is a success. A 200
    /// with <c>ERROROCCURRED</c>, which the API allows but this service never sends, is the service's failure. Any
    /// other body, such as a web server's page at a wrong base address, is an unexpected response, because it does
    /// not confirm that the batch was queued.
    /// </summary>
    public static async Task CheckResponseAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await ProblemReader.ToExceptionAsync(response, "send", cancellationToken).ConfigureAwait(false);
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        switch (ReadResponseEnum(body))
        {
            case "SUCCESS":
                return;
            case "ERROROCCURRED":
                throw new RoutedEmailException("send", response.StatusCode, ProblemReader.ServiceMessage(body));
            default:
                throw await ProblemReader.UnexpectedAsync(
                    response, "send", "the ingest API's {\"responseEnum\": ...} document", cancellationToken)
                    .ConfigureAwait(false);
        }
    }

    private static string? ReadResponseEnum(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("responseEnum", out var value)
                && value.ValueKind == JsonValueKind.String
                    ? value.GetString()
                    : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void WriteItem(
        Utf8JsonWriter writer, RoutedEmailRequest request, string companyCode, string environment)
    {
        writer.WriteStartObject();
        writer.WriteString("platform", RoutedEmailClient.PlatformCode);
        writer.WriteString("companyCode", companyCode);
        writer.WriteString("environment", environment);
        writer.WriteString("ownerId", request.OwnerId);
        writer.WriteString("entityId", request.EntityId);
        writer.WriteString("fromAddress", request.FromAddress);
        writer.WriteString("toAddress", request.ToAddress);
        writer.WriteString("subject", request.Subject);
        writer.WriteStartArray("attributes");
        foreach (var attribute in request.Attributes)
        {
            writer.WriteStartObject();
            writer.WriteString("key", attribute.Key);
            writer.WriteString("value", attribute.Value);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}

using System.Net;
using System.Text.Json;
using System.Xml.Linq;

namespace RoutedEmail.Aws;

/// <summary>
/// Reads the error type and message from an AWS error response. JSON protocols put them in <c>__type</c> (or
/// <c>code</c>) and <c>message</c> (or <c>Message</c>), and also send the type in the <c>x-amzn-ErrorType</c>
/// header. Authentication errors may come as XML (<c>&lt;Error&gt;&lt;Code&gt;</c>), as the moto emulator sends
/// them for every protocol.
/// </summary>
internal static class AwsErrorParser
{
    /// <summary>
    /// Parses an error response. When the body has no known shape, the type is <c>Http</c> and the status code.
    /// </summary>
    public static (string ErrorType, string Message) Parse(HttpStatusCode status, string? headerType, string body)
    {
        var (bodyType, message) = ParseJson(body) ?? ParseXml(body) ?? (null, null);
        var errorType = Normalize(bodyType) ?? Normalize(headerType) ?? $"Http{(int)status}";
        return (errorType, message ?? string.Empty);
    }

    /// <summary>
    /// Strips the namespace (<c>com.amazonaws.secretsmanager#</c>) and the trailing URL (<c>:http://...</c>) that
    /// AWS may add to an error type.
    /// </summary>
    private static string? Normalize(string? errorType)
    {
        if (string.IsNullOrWhiteSpace(errorType))
        {
            return null;
        }

        var type = errorType.Trim();
        var colon = type.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            type = type[..colon];
        }

        var hash = type.LastIndexOf('#');
        return hash >= 0 ? type[(hash + 1)..] : type;
    }

    private static (string? Type, string? Message)? ParseJson(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var root = document.RootElement;
            var type = String(root, "__type") ?? String(root, "code");
            var message = String(root, "message") ?? String(root, "Message");
            return (type, message);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static (string? Type, string? Message)? ParseXml(string body)
    {
        try
        {
            var error = XDocument.Parse(body).Descendants()
                .FirstOrDefault(element => element.Name.LocalName == "Error");
            if (error is null)
            {
                return null;
            }

            return (Child(error, "Code"), Child(error, "Message"));
        }
        catch (System.Xml.XmlException)
        {
            return null;
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static string? Child(XElement element, string name) =>
        element.Elements().FirstOrDefault(child => child.Name.LocalName == name)?.Value;
}

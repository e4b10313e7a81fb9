using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using RoutedEmail.Core.Emails;

namespace RoutedEmail.Core.Ingest;

/// <summary>
/// Parses and validates an ingest body without any context: strict RFC 8259 JSON, UTF-8 only, one array of request
/// objects, every mandatory field a string, lengths within <see cref="IngestLimits"/>, no repeated property names.
/// Checks that need the tenant (headers, routed email configurations) are in <see cref="RoutedEmailBatchValidator"/>.
/// </summary>
public static class RoutedEmailBatchParser
{
    private static readonly string[] MandatoryFields =
        ["platform", "companyCode", "environment", "ownerId", "entityId", "fromAddress", "toAddress", "subject"];

    /// <summary>Parses a whole request body with the default limits of <see cref="IngestLimits"/>.</summary>
    /// <param name="body">The raw body bytes. A leading UTF-8 byte order mark is ignored.</param>
    public static IngestParseResult Parse(ReadOnlySpan<byte> body) => Parse(body, IngestLimitOptions.Default);

    /// <summary>Parses a whole request body.</summary>
    /// <param name="body">The raw body bytes. A leading UTF-8 byte order mark is ignored.</param>
    /// <param name="limits">The item count, depth and length limits to enforce.</param>
    public static IngestParseResult Parse(ReadOnlySpan<byte> body, IngestLimitOptions limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (body.StartsWith(Encoding.UTF8.Preamble))
        {
            body = body[Encoding.UTF8.Preamble.Length..];
        }

        if (!Utf8.IsValid(body))
        {
            return Fail(null, null, "The request body is not valid UTF-8.", "Encode the JSON body as UTF-8.");
        }

        if (body.Trim(" \t\r\n"u8).IsEmpty)
        {
            return Fail(null, null, "The request body is empty.", "Send a JSON array of routed email requests.");
        }

        try
        {
            var readerOptions = new JsonReaderOptions
            {
                AllowTrailingCommas = false,
                CommentHandling = JsonCommentHandling.Disallow,
                MaxDepth = limits.MaxDepth,
            };
            var reader = new Utf8JsonReader(body, readerOptions);
            return ParseBody(ref reader, limits);
        }
        catch (JsonException exception)
        {
            return Fail(null, null,
                $"The request body is not valid JSON: {DescribeSyntaxError(exception, limits.MaxDepth)}",
                "Send one JSON array with no comments, trailing commas or content after it.");
        }
    }

    /// <summary>
    /// Describes a syntax error with the reader's reason and a 1-based line and byte position. The reader's own
    /// message ends with 0-based positions, which would disagree with every editor.
    /// </summary>
    private static string DescribeSyntaxError(JsonException exception, int maxDepth)
    {
        var reason = exception.Message;
        var positionStart = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (positionStart >= 0)
        {
            reason = reason[..positionStart];
        }

        if (reason.Contains("maximum configured depth", StringComparison.Ordinal))
        {
            reason = $"the nesting depth is over the maximum of {maxDepth} levels " +
                $"({IngestLimitOptions.Setting(nameof(IngestLimitOptions.MaxDepth))}), while a valid request nests 4.";
        }

        return $"{reason.TrimEnd()} (line {exception.LineNumber + 1}, byte {exception.BytePositionInLine + 1})";
    }

    private static IngestParseResult ParseBody(ref Utf8JsonReader reader, IngestLimitOptions limits)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return Fail(null, null, $"The request body is a JSON {Describe(reader.TokenType)}, not an array.",
                "Wrap the request objects in a JSON array, even when there is only one.");
        }

        var requests = new List<RoutedEmailRequest>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var index = requests.Count;
            if (index == limits.MaxItems)
            {
                return Fail(null, null,
                    $"The request has more than {limits.MaxItems} items " +
                    $"({IngestLimitOptions.Setting(nameof(IngestLimitOptions.MaxItems))}).",
                    $"Split it into requests of at most {limits.MaxItems} items.");
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return Fail(index, null, $"Item {index} is a JSON {Describe(reader.TokenType)}, not an object.",
                    "Send each routed email request as a JSON object.");
            }

            var item = ItemReader.Read(ref reader, index, limits);
            if (item.Error is not null)
            {
                return IngestParseResult.Failure(item.Error);
            }

            requests.Add(item.Request!);
        }

        if (HasContentAfterArray(ref reader))
        {
            return Fail(null, null, "The request body has content after the JSON array.",
                "Send exactly one JSON array.");
        }

        if (requests.Count == 0)
        {
            return Fail(null, null, "The request body is an empty array.",
                "Send at least one routed email request.");
        }

        return IngestParseResult.Success(requests);
    }

    private static bool HasContentAfterArray(ref Utf8JsonReader reader)
    {
        // The reader throws on a token after the top-level value, because it reads a single value only.
        try
        {
            return reader.Read();
        }
        catch (JsonException)
        {
            return true;
        }
    }

    internal static IngestParseResult Fail(int? index, string? field, string rule, string fix) =>
        IngestParseResult.Failure(new IngestError(index, field, $"{rule} {fix}"));

    internal static string Describe(JsonTokenType tokenType) => tokenType switch
    {
        JsonTokenType.StartArray => "array",
        JsonTokenType.StartObject => "object",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => tokenType.ToString(),
    };

    internal static IReadOnlyList<string> Mandatory => MandatoryFields;
}

using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace RoutedEmail.Server.Hosting;

/// <summary>
/// Turns a request body that minimal API binding could not read (malformed JSON, a value of the wrong type, a
/// missing body) into a validation problem that names the field and the rule, in place of a bare 400. It needs
/// <see cref="RouteHandlerOptions.ThrowOnBadRequest"/>, which makes binding throw instead of setting the status.
/// </summary>
internal sealed partial class BadRequestProblemHandler(
    IProblemDetailsService problemDetails, ILogger<BadRequestProblemHandler> logger) : IExceptionHandler
{
    private const string BodyField = "body";

    // A rejected value is echoed up to this many characters, so a long one cannot fill the response.
    private const int MaxEchoedLength = 100;

    /// <summary>The serializer's default maximum depth, which the REST API keeps.</summary>
    private const int JsonDepth = 64;

    public async ValueTask<bool> TryHandleAsync(
        HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        var (field, message) = Describe(badRequest);
        Log.BodyRejected(logger, httpContext.Request.Method, httpContext.Request.Path, badRequest.StatusCode, field);

        httpContext.Response.StatusCode = badRequest.StatusCode;
        var problem = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = badRequest.StatusCode,
            Title = "The request body is invalid.",
            Detail = message,
        };
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    private static (string Field, string Message) Describe(BadHttpRequestException badRequest)
    {
        if (badRequest.InnerException is JsonException json)
        {
            // The serializer's own message names internal .NET types, so only its position is passed on.
            var field = FieldOf(json.Path);
            var position = $"line {json.LineNumber + 1}, byte {json.BytePositionInLine + 1}";
            return (field, DescribeJson(json, field, position));
        }

        if (ParameterBinding().Match(badRequest.Message) is { Success: true } binding)
        {
            // ASP.NET Core 10 words a route or query value it could not convert this way, with the value it got.
            var name = binding.Groups["name"].Value;
            var value = binding.Groups["value"].Value;
            value = value.Length > MaxEchoedLength ? value[..MaxEchoedLength] + "..." : value;
            return (name, $"Parameter {name} is \"{value}\", which is not a valid " +
                $"{binding.Groups["type"].Value.TrimEnd('?')}. Send {name} in its documented form.");
        }

        if (badRequest.StatusCode == StatusCodes.Status400BadRequest)
        {
            return (BodyField, "The request body is missing, empty or unreadable. Send a JSON object with the " +
                "documented fields.");
        }

        return (BodyField, badRequest.Message);
    }

    private static string DescribeJson(JsonException json, string field, string position)
    {
        var where = field == BodyField ? $"at {position}" : $"at \"{field}\" ({position})";
        if (json is StoredTextException)
        {
            return $"The JSON body is invalid {where}: {json.Message}";
        }

        // The serializer's messages (System.Text.Json 10) name the depth limit and a repeated property in these words.
        if (json.Message.Contains("depth", StringComparison.OrdinalIgnoreCase))
        {
            return $"The JSON body is invalid {where}: it nests objects or arrays deeper than the maximum of " +
                $"{JsonDepth} levels. Send the documented, flat shape.";
        }

        if (json.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase))
        {
            return $"The JSON body is invalid {where}: a property appears more than once. Send each property once.";
        }

        return field == BodyField
            ? $"The JSON body is malformed at {position}. Send one well-formed JSON object."
            : $"The JSON body is invalid at \"{field}\" ({position}): the value is malformed, out of range or has " +
                $"the wrong type. Send {field} with its documented type.";
    }

    /// <summary>Converts a JSON path such as <c>$.skillQueues[0].rank</c> to the field <c>skillQueues[0].rank</c>.</summary>
    private static string FieldOf(string? path)
    {
        if (path is null || path == "$")
        {
            return BodyField;
        }

        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
    }

    [System.Text.RegularExpressions.GeneratedRegex(
        "^Failed to bind parameter \"(?<type>[^\"]+) (?<name>[A-Za-z0-9_]+)\" from \"(?<value>.*)\"\\.$")]
    private static partial System.Text.RegularExpressions.Regex ParameterBinding();

    private static partial class Log
    {
        [LoggerMessage(2201, LogLevel.Information,
            "{Method} {Path} rejected with status {StatusCode}: the body could not be read at field {Field}")]
        public static partial void BodyRejected(ILogger logger, string method, string path, int statusCode, string field);
    }
}

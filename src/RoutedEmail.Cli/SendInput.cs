using System.Text.Json;
using RoutedEmail.Client;

namespace RoutedEmail.Cli;

/// <summary>
/// The emails of a send command, read from a JSON file in the ingest format (an array of request objects, as
/// the Generic Routed Email API documents it) or built from flags.
/// </summary>
internal sealed record SendInput(IReadOnlyList<RoutedEmailRequest> Requests, string? CompanyCode, string? Environment)
{
    public static async Task<SendInput> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.Usage, $"Could not read --file '{path}': {exception.Message}", exception);
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return FromDocument(document.RootElement, path);
        }
        catch (JsonException exception)
        {
            throw new CliException(
                ExitCodes.Usage,
                $"--file '{path}' is not valid JSON: {DescribeJsonError(exception)}. Fix the file, for example " +
                "a missing comma between properties.",
                exception);
        }
    }

    /// <summary>
    /// Returns the parser's reason with a 1-based line and byte, as editors and the service count them.
    /// System.Text.Json counts both from 0 and appends them to its message as "LineNumber: 8 |
    /// BytePositionInLine: 8.", so that suffix is replaced.
    /// </summary>
    internal static string DescribeJsonError(JsonException exception)
    {
        var reason = exception.Message;
        var positionStart = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (positionStart >= 0)
        {
            reason = reason[..positionStart];
        }

        reason = reason.TrimEnd().TrimEnd('.');
        return exception.LineNumber is { } line && exception.BytePositionInLine is { } position
            ? $"{reason} (line {line + 1}, byte {position + 1})"
            : reason;
    }

    public static SendInput FromFlags(
        string ownerId, string entityId, string from, string to, string subject, IEnumerable<string> attributes)
    {
        var pairs = attributes.Select(ParseAttribute).ToList();
        return new SendInput([Build(() => new RoutedEmailRequest(ownerId, entityId, from, to, subject, pairs), "")],
            null, null);
    }

    private static SendInput FromDocument(JsonElement root, string path)
    {
        var items = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().ToList()
            : root.ValueKind == JsonValueKind.Object ? [root]
            : throw new CliException(
                ExitCodes.Usage, $"--file '{path}' must hold a JSON array of request objects, or one object.");
        if (items.Count is 0 or > RequestLimits.MaxBatchSize)
        {
            throw new CliException(
                ExitCodes.Usage,
                $"--file '{path}' has {items.Count} request objects, but a batch has 1 to " +
                $"{RequestLimits.MaxBatchSize}. Put at least one in the file, or split it into files of at most " +
                $"{RequestLimits.MaxBatchSize}.");
        }

        var requests = new List<RoutedEmailRequest>();
        string? company = null;
        string? environment = null;
        for (var index = 0; index < items.Count; index++)
        {
            var item = items[index];
            var where = $"--file '{path}' item {index}";
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new CliException(ExitCodes.Usage, $"{where} is not a JSON object. Send request objects.");
            }

            company = Same(company, Optional(item, "companyCode", where), "companyCode", where);
            environment = Same(environment, Optional(item, "environment", where), "environment", where);
            var attributes = ReadAttributes(item, where);
            requests.Add(Build(
                () => new RoutedEmailRequest(
                    Text(item, "ownerId", where), Text(item, "entityId", where), Text(item, "fromAddress", where),
                    Text(item, "toAddress", where), Text(item, "subject", where), attributes),
                where + ": "));
        }

        return new SendInput(requests, company, environment);
    }

    private static T Build<T>(Func<T> create, string where)
    {
        try
        {
            return create();
        }
        catch (ArgumentException exception)
        {
            throw new CliException(ExitCodes.Usage, where + exception.Message, exception);
        }
    }

    private static List<RoutedEmailAttribute> ReadAttributes(JsonElement item, string where)
    {
        if (!item.TryGetProperty("attributes", out var attributes) || attributes.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (attributes.ValueKind != JsonValueKind.Array)
        {
            throw new CliException(ExitCodes.Usage, $"{where}: \"attributes\" must be an array of {{key, value}}.");
        }

        return attributes.EnumerateArray()
            .Select((attribute, i) => Build(
                () => new RoutedEmailAttribute(
                    Text(attribute, "key", $"{where} attribute {i}"),
                    Text(attribute, "value", $"{where} attribute {i}")),
                $"{where} attribute {i}: "))
            .ToList();
    }

    private static string Text(JsonElement item, string name, string where) =>
        Optional(item, name, where)
            ?? throw new CliException(ExitCodes.Usage, $"{where}: the string property \"{name}\" is missing. Add it.");

    private static string? Optional(JsonElement item, string name, string where)
    {
        if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new CliException(ExitCodes.Usage, $"{where}: \"{name}\" must be a string.");
    }

    private static string? Same(string? earlier, string? current, string name, string where) =>
        earlier is not null && current is not null && earlier != current
            ? throw new CliException(
                ExitCodes.Usage,
                $"{where}: \"{name}\" is '{current}' but an earlier item has '{earlier}'. A batch belongs to one " +
                "tenant, so send each tenant's items separately.")
            : earlier ?? current;

    private static RoutedEmailAttribute ParseAttribute(string pair)
    {
        var separator = pair.IndexOf('=', StringComparison.Ordinal);
        if (separator <= 0)
        {
            throw new CliException(
                ExitCodes.Usage, $"--attribute '{pair}' is not KEY=VALUE. Pass it as, for example, CustomerId=42.");
        }

        return Build(() => new RoutedEmailAttribute(pair[..separator], pair[(separator + 1)..]), "--attribute: ");
    }
}

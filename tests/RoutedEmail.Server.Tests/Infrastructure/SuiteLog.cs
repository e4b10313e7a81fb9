using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace RoutedEmail.Server.Tests.Infrastructure;

/// <summary>
/// The log of every <see cref="TestServer"/> in this test run, at every level, and the secrets the test helpers
/// create. <c>SuiteLogScanTests</c> runs after every other test of the run (see <c>SuiteTestFramework</c>)
/// and fails when a log line contained a secret.
/// </summary>
public static class SuiteLog
{
    public static SecretScanner Scanner { get; } = new();

    private static readonly ScanningLoggerProvider Provider = new(Scanner);

    /// <summary>
    /// Adds the scanning provider to a server's logging at level Trace, whatever minimum level the other providers
    /// have, because a provider's own filter rule wins over the general ones.
    /// </summary>
    public static void AddTo(ILoggingBuilder logging)
    {
        logging.AddProvider(Provider);
        logging.AddFilter<ScanningLoggerProvider>(null, LogLevel.Trace);
    }

    /// <summary>Registers a secret that no log line may contain.</summary>
    public static void RegisterSecret(string? value, string kind) => Scanner.Register(value, kind);

    /// <summary>
    /// Registers the addresses, subject and attribute values of an ingest body, which are email content. It reads
    /// the body with <see cref="JsonDocument"/>, which keeps a repeated property, so the bad bodies that tests send
    /// register every value too; a body that is not JSON registers nothing.
    /// </summary>
    public static void RegisterEmailContent(string body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return;
        }

        using (document)
        {
            if (document.RootElement.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in document.RootElement.EnumerateArray())
                {
                    RegisterItem(item);
                }
            }
        }
    }

    private static void RegisterItem(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var field in item.EnumerateObject())
        {
            if (field.Name is "fromAddress" or "toAddress" or "subject")
            {
                RegisterSecret(StringOf(field.Value), "email " + field.Name);
            }
            else if (field.Name == "attributes" && field.Value.ValueKind == JsonValueKind.Array)
            {
                foreach (var attribute in field.Value.EnumerateArray())
                {
                    RegisterAttribute(attribute);
                }
            }
        }
    }

    private static void RegisterAttribute(JsonElement attribute)
    {
        if (attribute.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var field in attribute.EnumerateObject())
        {
            if (field.Name == "value")
            {
                RegisterSecret(StringOf(field.Value), "email attribute value");
            }
        }
    }

    private static string? StringOf(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Formats every message with its structured values and exception, and hands it to the scanner.</summary>
    private sealed class ScanningLoggerProvider(SecretScanner scanner) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new ScanningLogger(scanner, categoryName);

        public void Dispose()
        {
            // Shared by every server of the run, so a server's logging does not end it.
        }
    }

    private sealed class ScanningLogger(SecretScanner scanner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            scanner.Inspect($"{category} scope {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(
            LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            // ASP.NET Core's request lines (events 1 and 2) contain the query string, and a hub connection from a
            // browser sends its token as access_token there. The service keeps that category at Warning
            // (RoutedEmailApp.RequestLogCategory), but this provider's own Trace rule wins over that filter, so
            // the lines reach it here. LogSecrecyTests checks the filter with a provider that has no rule.
            if (category == "Microsoft.AspNetCore.Hosting.Diagnostics" && eventId.Id is 1 or 2)
            {
                return;
            }

            // The structured values too, so a secret passed as a parameter that the template leaves out is found.
            var pairs = state as IEnumerable<KeyValuePair<string, object?>> ?? [];
            var values = string.Join(" ", pairs.Select(pair => $"{pair.Key}={pair.Value}"));
            scanner.Inspect($"{category}[{eventId.Id}] {logLevel}: {formatter(state, exception)} {values} {exception}");
        }
    }
}

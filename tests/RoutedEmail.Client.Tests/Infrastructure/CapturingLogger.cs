using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace RoutedEmail.Client.Tests.Infrastructure;

/// <summary>A logger provider that keeps every entry, for tests that check what was logged.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(string Category, int EventId, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public IEnumerable<string> MessagesOf(int eventId) =>
        Entries.Where(entry => entry.EventId == eventId).Select(entry => entry.Message);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(
            LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter) =>
            provider.Entries.Enqueue((category, eventId.Id, formatter(state, exception)));
    }
}

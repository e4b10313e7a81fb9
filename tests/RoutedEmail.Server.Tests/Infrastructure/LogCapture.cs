using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RoutedEmail.Server.Tests.Infrastructure;

/// <summary>One line that a server logged.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, int EventId, string Message, Exception? Exception);

/// <summary>Keeps every line that a <see cref="TestServer"/> logs, at every level, for tests of the logging itself.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _lines = new();

    /// <summary>The lines logged so far, in order.</summary>
    public IReadOnlyList<CapturedLog> Lines => [.. _lines];

    /// <summary>Adds this capture to a server's logging at level Trace; pass it as the server's services.</summary>
    public void AddTo(IServiceCollection services) => services.AddLogging(logging =>
    {
        logging.SetMinimumLevel(LogLevel.Trace);
        logging.AddProvider(this);
    });

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(
            LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter) =>
            capture._lines.Enqueue(new(category, logLevel, eventId.Id, formatter(state, exception), exception));
    }
}

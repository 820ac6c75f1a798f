using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Coffer.TestSupport;

/// <summary>Keeps every log entry, to check what was logged (and that nothing leaked to the client instead).</summary>
public sealed class LogSink : ILoggerProvider
{
    public ConcurrentQueue<(string Category, EventId EventId, LogLevel Level, string Message, Exception? Exception)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink.Entries.Enqueue((category, eventId, logLevel, formatter(state, exception), exception));
    }
}

using Microsoft.Extensions.Logging;

namespace LlmLsp.Cli;

/// <summary>A minimal synchronous stderr logger. The console logger package brings options, configuration and a
/// background thread; for a server whose start-up time matters, one locked line write is enough.</summary>
internal sealed class StderrLoggerProvider(LogLevel minimumLevel) : ILoggerProvider
{
    private readonly Lock _gate = new();

    public ILogger CreateLogger(string categoryName) => new StderrLogger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class StderrLogger(StderrLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner._minimumLevel && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            string line = $"[{DateTime.UtcNow:HH:mm:ss.fff} {Short(logLevel)} {category}] {formatter(state, exception)}";
            if (exception is not null)
            {
                line += Environment.NewLine + exception;
            }

            lock (owner._gate)
            {
                Console.Error.WriteLine(line);
            }
        }

        private static string Short(LogLevel level) => level switch
        {
            LogLevel.Trace => "trce",
            LogLevel.Debug => "dbug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "fail",
            _ => "crit",
        };
    }

    private readonly LogLevel _minimumLevel = minimumLevel;
}

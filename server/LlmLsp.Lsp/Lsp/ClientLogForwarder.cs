using LlmLsp.Protocol;
using Microsoft.Extensions.Logging;

namespace LlmLsp.Lsp;

/// <summary>Mirrors warnings and errors to the client as <c>window/logMessage</c>, once the client has sent
/// <c>initialized</c> (before that the spec does not allow it). Stderr logging is separate and always on.</summary>
internal sealed class ClientLogForwarder : ILoggerProvider
{
    private LspClient? _client;

    public void Enable(LspClient client) => Volatile.Write(ref _client, client);

    public void Disable() => Volatile.Write(ref _client, null);

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose() => Disable();

    private sealed class Logger(ClientLogForwarder owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && Volatile.Read(ref owner._client) is not null;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel) || Volatile.Read(ref owner._client) is not { } client)
            {
                return;
            }

            var type = logLevel >= LogLevel.Error ? MessageType.Error : MessageType.Warning;
            // Fire and forget: a log line must never block or fail the code that logged it.
            _ = client.LogMessageAsync(type, formatter(state, exception)).ContinueWith(
                static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }
}

using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace LlmLsp.Lsp;

/// <summary>Routes StreamJsonRpc's own warnings and errors (its TraceSource) into our logger, so transport-level
/// trouble shows on stderr like everything else.</summary>
internal sealed partial class RpcTraceListener(ILogger logger) : TraceListener
{
    public override void TraceEvent(TraceEventCache? eventCache, string source, TraceEventType eventType, int id, string? message)
    {
        if (eventType <= TraceEventType.Warning)
        {
            LogRpc(logger, eventType, message ?? string.Empty);
        }
    }

    public override void TraceEvent(TraceEventCache? eventCache, string source, TraceEventType eventType, int id, string? format, params object?[]? args)
    {
        if (eventType <= TraceEventType.Warning)
        {
            LogRpc(logger, eventType, args is { Length: > 0 } && format is not null ? string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args) : format ?? string.Empty);
        }
    }

    public override void Write(string? message)
    {
    }

    public override void WriteLine(string? message)
    {
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "StreamJsonRpc {EventType}: {Message}")]
    private static partial void LogRpc(ILogger logger, TraceEventType eventType, string message);
}

using System.Collections.Frozen;
using LlmLsp.Features;
using LlmLsp.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.VisualStudio.Threading;
using StreamJsonRpc;

namespace LlmLsp.Lsp;

/// <summary>How <see cref="Host"/> runs.</summary>
public sealed record HostOptions
{
    /// <summary>Registers the llmlsp/_* test-only methods. Never set in production; see docs/lsp-extensions.md.</summary>
    public bool EnableTestMethods { get; init; }

    /// <summary>A GGUF model for every role that has no model of its own in the settings (`serve --model`).</summary>
    public string? ModelPath { get; init; }
}

/// <summary>The LSP server on one pair of streams: StreamJsonRpc with LSP framing and the System.Text.Json formatter.
/// Returns the process exit code.</summary>
public static partial class Host
{
    public static async Task<int> RunAsync(Stream input, Stream output, ILoggerFactory loggerFactory, HostOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(options);
        var logger = loggerFactory.CreateLogger("LlmLsp.Lsp");
        using var forwarder = new ClientLogForwarder();
        loggerFactory.AddProvider(forwarder);

        var messageHandler = new LspMessageHandler(output, input, new SystemTextJsonFormatter(), logger);
        using var rpc = new LspJsonRpc(messageHandler)
        {
            // Entry points run one at a time in arrival order (they only enqueue), which is what keeps edits ordered.
            SynchronizationContext = new NonConcurrentSynchronizationContext(sticky: false),
            CancelLocallyInvokedMethodsWhenConnectionIsClosed = true,
        };

        rpc.TraceSource = new System.Diagnostics.TraceSource("StreamJsonRpc", System.Diagnostics.SourceLevels.Warning);
        rpc.TraceSource.Listeners.Clear();
        rpc.TraceSource.Listeners.Add(new RpcTraceListener(logger));

        DisconnectedReason? disconnectReason = null;
        rpc.Disconnected += (_, e) => disconnectReason ??= e.Reason;

        using var lifetime = new ServerLifetime(logger);
        var queue = new RequestQueue(logger);
        using var features = new FeatureHost(options.ModelPath, loggerFactory);
        var services = new LspServices(new LspClient(rpc), new ProgressRegistry(), lifetime, queue, forwarder, loggerFactory, features);
        var handlers = HandlerCatalog.Create(new ServerCapabilitiesFactory(), options.EnableTestMethods);
        foreach (var handler in handlers)
        {
            RpcEntry.Register(rpc, handler, queue);
        }

        var served = handlers.Select(h => h.Method).ToFrozenSet(StringComparer.Ordinal);
        messageHandler.RefuseUnserved = method => served.Contains(method) ? null : queue.RefusalOfUnservedMethod(method);

        queue.Start(services);
        rpc.StartListening();
        LogListening(logger, options.EnableTestMethods);

        var cancelled = Task.Delay(Timeout.Infinite, cancellationToken);
        var finished = await Task.WhenAny(lifetime.ExitRequested, rpc.Completion, cancelled).ConfigureAwait(false);
        forwarder.Disable();

        int exitCode;
        if (finished == lifetime.ExitRequested)
        {
            exitCode = await lifetime.ExitRequested.ConfigureAwait(false);
            LogExit(logger, exitCode);
        }
        else if (messageHandler.FramingError is not null
            || disconnectReason is DisconnectedReason.StreamError or DisconnectedReason.ParseError or DisconnectedReason.RemoteProtocolViolation or DisconnectedReason.FatalException)
        {
            exitCode = ServerLifetime.ExitWithoutShutdown;
        }
        else
        {
            exitCode = queue.State.Lifecycle == Lifecycle.ShuttingDown || finished != cancelled ? ServerLifetime.ExitOk : ServerLifetime.ExitWithoutShutdown;
            LogInputEnded(logger);
        }

        rpc.Dispose();
        await queue.StopAsync().ConfigureAwait(false);
        return exitCode;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "llmlsp serving LSP on stdio (test methods: {TestMethods}).")]
    private static partial void LogListening(ILogger logger, bool testMethods);

    [LoggerMessage(Level = LogLevel.Information, Message = "exit received; exiting with code {ExitCode}.")]
    private static partial void LogExit(ILogger logger, int exitCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Input ended; exiting.")]
    private static partial void LogInputEnded(ILogger logger);
}

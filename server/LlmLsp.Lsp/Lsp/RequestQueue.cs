using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace LlmLsp.Lsp;

/// <summary>Orders work like Roslyn's RequestExecutionQueue: items are taken in arrival order; a mutation runs alone
/// and its new <see cref="ServerState"/> is what later items see; reads start on the current state and run
/// concurrently with each other and with later items. Arrival order is kept because StreamJsonRpc invokes our
/// entry points one at a time, in order, on a non-concurrent synchronization context, and each one only enqueues.</summary>
internal sealed partial class RequestQueue
{
    private readonly Channel<WorkItem> _channel = Channel.CreateUnbounded<WorkItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger _logger;
    private ServerState _state = ServerState.Initial;
    private Task? _loop;

    public RequestQueue(ILogger logger)
    {
        _logger = logger;
    }

    public ServerState State => Volatile.Read(ref _state);

    public void Start(LspServices services) => _loop = Task.Run(() => RunAsync(services));

    public Task<JsonElement?> Enqueue(ILspHandler handler, JsonElement? parameters, object? requestId, CancellationToken cancellationToken)
    {
        var item = new WorkItem(handler, parameters, requestId, cancellationToken);
        if (!_channel.Writer.TryWrite(item))
        {
            item.Completion.TrySetCanceled(CancellationToken.None);
        }

        return item.Completion.Task;
    }

    /// <summary>Stops taking work; in-flight reads finish on their own.</summary>
    public async Task StopAsync()
    {
        _channel.Writer.TryComplete();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
    }

    private async Task RunAsync(LspServices services)
    {
        await foreach (var item in _channel.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (item.CancellationToken.IsCancellationRequested)
            {
                item.Completion.TrySetCanceled(item.CancellationToken);
                continue;
            }

            var state = _state;
            var handler = item.Handler;
            if (Refusal(state.Lifecycle, handler.Method, handler.AllowedBeforeInitialize, handler.AllowedAfterShutdown) is { } refusal)
            {
                item.Completion.TrySetException(refusal);
                continue;
            }

            var context = new RequestContext(state, handler.Kind, services);
            if (handler.Kind == HandlerKind.Mutation)
            {
                await ExecuteAsync(item, context).ConfigureAwait(false);
            }
            else
            {
                // Off the queue's thread, so a slow read never delays the next item.
                _ = Task.Run(() => ExecuteAsync(item, context));
            }
        }
    }

    /// <summary>Why a method no handler serves is refused now: before <c>initialize</c> -32002, after
    /// <c>shutdown</c> -32600; null while the server is running (StreamJsonRpc then answers -32601). It reads the
    /// state the last mutation published, which happens before that mutation's response is sent.</summary>
    public LocalRpcException? RefusalOfUnservedMethod(string method) =>
        Refusal(State.Lifecycle, method, allowedBeforeInitialize: false, allowedAfterShutdown: false);

    private static LocalRpcException? Refusal(Lifecycle lifecycle, string method, bool allowedBeforeInitialize, bool allowedAfterShutdown) =>
        lifecycle switch
        {
            Lifecycle.NotInitialized when !allowedBeforeInitialize => ErrorMapper.NotInitialized(method),
            Lifecycle.ShuttingDown when !allowedAfterShutdown => ErrorMapper.ShuttingDown(method),
            _ => null,
        };

    private async Task ExecuteAsync(WorkItem item, RequestContext context)
    {
        JsonElement? result = null;
        Exception? failure = null;
        try
        {
            result = await item.Handler.InvokeAsync(item.Parameters, context, item.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ErrorMapper.Map(ex, item.Handler.Method, item.RequestId, item.CancellationToken, _logger);
        }

        // A mutation's new state is published before its response: a client that sends its next message on the
        // response (initialized after initialize) must find the server in the new state.
        if (context.UpdatedState is { } updated)
        {
            Volatile.Write(ref _state, updated);
        }

        switch (failure)
        {
            case null:
                item.Completion.TrySetResult(result);
                break;
            case OperationCanceledException:
                item.Completion.TrySetCanceled(item.CancellationToken);
                break;
            default:
                item.Completion.TrySetException(failure);
                break;
        }
    }

    private sealed record WorkItem(ILspHandler Handler, JsonElement? Parameters, object? RequestId, CancellationToken CancellationToken)
    {
        public TaskCompletionSource<JsonElement?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

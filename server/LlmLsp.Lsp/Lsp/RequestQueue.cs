using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

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
            string method = item.Handler.Method;
            if (state.Lifecycle == Lifecycle.NotInitialized && !item.Handler.AllowedBeforeInitialize)
            {
                item.Completion.TrySetException(ErrorMapper.NotInitialized(method));
                continue;
            }

            if (state.Lifecycle == Lifecycle.ShuttingDown && !item.Handler.AllowedAfterShutdown)
            {
                item.Completion.TrySetException(ErrorMapper.ShuttingDown(method));
                continue;
            }

            var context = new RequestContext(state, item.Handler.Kind, services);
            if (item.Handler.Kind == HandlerKind.Mutation)
            {
                await ExecuteAsync(item, context).ConfigureAwait(false);
                if (context.UpdatedState is { } updated)
                {
                    Volatile.Write(ref _state, updated);
                }
            }
            else
            {
                // Off the queue's thread, so a slow read never delays the next item.
                _ = Task.Run(() => ExecuteAsync(item, context));
            }
        }
    }

    private async Task ExecuteAsync(WorkItem item, RequestContext context)
    {
        try
        {
            var result = await item.Handler.InvokeAsync(item.Parameters, context, item.CancellationToken).ConfigureAwait(false);
            item.Completion.TrySetResult(result);
        }
        catch (Exception ex)
        {
            var mapped = ErrorMapper.Map(ex, item.Handler.Method, item.RequestId, item.CancellationToken, _logger);
            if (mapped is OperationCanceledException)
            {
                item.Completion.TrySetCanceled(item.CancellationToken);
            }
            else
            {
                item.Completion.TrySetException(mapped);
            }
        }
    }

    private sealed record WorkItem(ILspHandler Handler, JsonElement? Parameters, object? RequestId, CancellationToken CancellationToken)
    {
        public TaskCompletionSource<JsonElement?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

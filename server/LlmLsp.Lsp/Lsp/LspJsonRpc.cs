using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace LlmLsp.Lsp;

/// <summary>Remembers which request is being dispatched so errors can be logged with their id.</summary>
internal sealed class LspJsonRpc(IJsonRpcMessageHandler messageHandler) : JsonRpc(messageHandler)
{
    private readonly AsyncLocal<object?> _currentRequestId = new();

    /// <summary>The id of the request whose entry point is running (null for notifications).</summary>
    public object? CurrentRequestId => _currentRequestId.Value;

    protected override ValueTask<JsonRpcMessage> DispatchRequestAsync(JsonRpcRequest request, TargetMethod targetMethod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _currentRequestId.Value = request.RequestId.IsEmpty ? null : request.RequestId.ToString();
        return base.DispatchRequestAsync(request, targetMethod, cancellationToken);
    }
}

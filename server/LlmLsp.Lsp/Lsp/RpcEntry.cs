using System.Reflection;
using System.Text.Json;
using StreamJsonRpc;

namespace LlmLsp.Lsp;

/// <summary>What StreamJsonRpc invokes for one method: takes the raw params and hands them to the queue. Params stay
/// raw JSON here so that conversion (and its -32602) happens in one place, with our source-generated contract.</summary>
internal sealed class RpcEntry(ILspHandler handler, RequestQueue queue, LspJsonRpc rpc)
{
    private static readonly MethodInfo s_invoke = typeof(RpcEntry).GetMethod(nameof(InvokeAsync))!;

    public static void Register(LspJsonRpc rpc, ILspHandler handler, RequestQueue queue) =>
        rpc.AddLocalRpcMethod(s_invoke, new RpcEntry(handler, queue, rpc), new JsonRpcMethodAttribute(handler.Method)
        {
            UseSingleObjectParameterDeserialization = true,
        });

    public Task<JsonElement?> InvokeAsync(JsonElement? parameters = null, CancellationToken cancellationToken = default) =>
        queue.Enqueue(handler, parameters, rpc.CurrentRequestId, cancellationToken);
}

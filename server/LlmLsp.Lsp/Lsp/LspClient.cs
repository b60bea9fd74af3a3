using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LlmLsp.Protocol;
using StreamJsonRpc;

namespace LlmLsp.Lsp;

/// <summary>Messages from the server to the client, serialised with our source-generated contract.</summary>
public sealed class LspClient
{
    private readonly JsonRpc _rpc;

    internal LspClient(JsonRpc rpc)
    {
        _rpc = rpc;
    }

    public Task NotifyAsync<TParams>(string method, TParams parameters, JsonTypeInfo<TParams> paramsInfo) =>
        _rpc.NotifyWithParameterObjectAsync(method, JsonSerializer.SerializeToElement(parameters, paramsInfo));

    public async Task<TResult?> RequestAsync<TParams, TResult>(
        string method, TParams parameters, JsonTypeInfo<TParams> paramsInfo, JsonTypeInfo<TResult> resultInfo, CancellationToken cancellationToken)
    {
        var result = await _rpc.InvokeWithParameterObjectAsync<JsonElement?>(
            method, JsonSerializer.SerializeToElement(parameters, paramsInfo), cancellationToken).ConfigureAwait(false);
        return result is { ValueKind: not JsonValueKind.Null } element ? element.Deserialize(resultInfo) : default;
    }

    public Task LogMessageAsync(MessageType type, string message) =>
        NotifyAsync(Methods.WindowLogMessage, new LogMessageParams(type, message), LspJsonContext.Default.LogMessageParams);

    public Task ShowMessageAsync(MessageType type, string message) =>
        NotifyAsync(Methods.WindowShowMessage, new ShowMessageParams(type, message), LspJsonContext.Default.ShowMessageParams);
}

using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace LlmLsp.Lsp;

/// <summary>Whether a handler changes <see cref="ServerState"/>. Mutations run one at a time in arrival order;
/// reads run concurrently against the state current when they start.</summary>
public enum HandlerKind
{
    Read,
    Mutation,
}

/// <summary>One LSP method. Implement <see cref="LspRequestHandler{TParams, TResult}"/> or
/// <see cref="LspNotificationHandler{TParams}"/> rather than this; register it in <see cref="HandlerCatalog"/>.</summary>
public interface ILspHandler
{
    string Method { get; }

    HandlerKind Kind { get; }

    /// <summary>Only <c>initialize</c> and <c>exit</c> may run before the server is initialized.</summary>
    bool AllowedBeforeInitialize { get; }

    /// <summary>Only <c>exit</c> may run after <c>shutdown</c>.</summary>
    bool AllowedAfterShutdown { get; }

    Task<JsonElement?> InvokeAsync(JsonElement? parameters, RequestContext context, CancellationToken cancellationToken);
}

/// <summary>Base for a request: converts JSON to <typeparamref name="TParams"/> (bad JSON → -32602), calls
/// <see cref="HandleAsync"/>, converts the result back. Keep implementations thin: convert, call Core, convert back.</summary>
public abstract class LspRequestHandler<TParams, TResult> : ILspHandler
{
    private readonly JsonTypeInfo<TParams> _paramsInfo;
    private readonly JsonTypeInfo<TResult> _resultInfo;

    protected LspRequestHandler(JsonTypeInfo<TParams> paramsInfo, JsonTypeInfo<TResult> resultInfo)
    {
        _paramsInfo = paramsInfo;
        _resultInfo = resultInfo;
    }

    public abstract string Method { get; }

    public virtual HandlerKind Kind => HandlerKind.Read;

    public virtual bool AllowedBeforeInitialize => false;

    public virtual bool AllowedAfterShutdown => false;

    /// <summary>When false, missing params are passed as <c>default</c> instead of failing with -32602.</summary>
    protected virtual bool ParamsRequired => true;

    public async Task<JsonElement?> InvokeAsync(JsonElement? parameters, RequestContext context, CancellationToken cancellationToken)
    {
        var typed = ParamsConverter.Read(parameters, _paramsInfo, ParamsRequired);
        var result = await HandleAsync(typed, context, cancellationToken).ConfigureAwait(false);
        return result is null ? null : JsonSerializer.SerializeToElement(result, _resultInfo);
    }

    protected abstract Task<TResult> HandleAsync(TParams parameters, RequestContext context, CancellationToken cancellationToken);
}

/// <summary>Base for a notification: like a request, without a result.</summary>
public abstract class LspNotificationHandler<TParams> : ILspHandler
{
    private readonly JsonTypeInfo<TParams> _paramsInfo;

    protected LspNotificationHandler(JsonTypeInfo<TParams> paramsInfo)
    {
        _paramsInfo = paramsInfo;
    }

    public abstract string Method { get; }

    public virtual HandlerKind Kind => HandlerKind.Read;

    public virtual bool AllowedBeforeInitialize => false;

    public virtual bool AllowedAfterShutdown => false;

    protected virtual bool ParamsRequired => true;

    public async Task<JsonElement?> InvokeAsync(JsonElement? parameters, RequestContext context, CancellationToken cancellationToken)
    {
        var typed = ParamsConverter.Read(parameters, _paramsInfo, ParamsRequired);
        await HandleAsync(typed, context, cancellationToken).ConfigureAwait(false);
        return null;
    }

    protected abstract Task HandleAsync(TParams parameters, RequestContext context, CancellationToken cancellationToken);
}

internal static class ParamsConverter
{
    public static T Read<T>(JsonElement? parameters, JsonTypeInfo<T> info, bool required)
    {
        // Methods without meaningful params (shutdown, exit, initialized) accept whatever a client sends.
        if (!required && parameters is not { ValueKind: JsonValueKind.Object })
        {
            return default!;
        }

        if (parameters is not { ValueKind: not JsonValueKind.Null } element)
        {
            return required ? throw new InvalidParamsException("params are required") : default!;
        }

        try
        {
            return JsonSerializer.Deserialize(element, info) ?? throw new InvalidParamsException("params are required");
        }
        catch (JsonException ex)
        {
            throw new InvalidParamsException(ex.Message);
        }
    }
}

/// <summary>The request's params do not match the method: answered with -32602.</summary>
public sealed class InvalidParamsException(string message) : Exception(message);

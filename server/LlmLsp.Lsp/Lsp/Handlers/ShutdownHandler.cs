using LlmLsp.Protocol;

namespace LlmLsp.Lsp.Handlers;

internal sealed class ShutdownHandler()
    : LspRequestHandler<InitializedParams, object>(LspJsonContext.Default.InitializedParams, LspJsonContext.Default.Object)
{
    public override string Method => Methods.Shutdown;

    public override HandlerKind Kind => HandlerKind.Mutation;

    protected override bool ParamsRequired => false;

    protected override Task<object> HandleAsync(InitializedParams parameters, RequestContext context, CancellationToken cancellationToken)
    {
        context.Update(context.State with { Lifecycle = Lifecycle.ShuttingDown });
        return Task.FromResult<object>(null!);
    }
}

using LlmLsp.Protocol;

namespace LlmLsp.Lsp.Handlers;

internal sealed class ExitHandler()
    : LspNotificationHandler<InitializedParams>(LspJsonContext.Default.InitializedParams)
{
    public override string Method => Methods.Exit;

    // A mutation so it runs after everything queued before it.
    public override HandlerKind Kind => HandlerKind.Mutation;

    protected override bool ParamsRequired => false;

    public override bool AllowedBeforeInitialize => true;

    public override bool AllowedAfterShutdown => true;

    protected override Task HandleAsync(InitializedParams parameters, RequestContext context, CancellationToken cancellationToken)
    {
        context.Services.Lifetime.RequestExit(
            context.State.Lifecycle == Lifecycle.ShuttingDown ? ServerLifetime.ExitOk : ServerLifetime.ExitWithoutShutdown);
        return Task.CompletedTask;
    }
}

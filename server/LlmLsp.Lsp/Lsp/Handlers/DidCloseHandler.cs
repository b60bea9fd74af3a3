using LlmLsp.Protocol;

namespace LlmLsp.Lsp.Handlers;

internal sealed class DidCloseHandler()
    : LspNotificationHandler<DidCloseTextDocumentParams>(LspJsonContext.Default.DidCloseTextDocumentParams)
{
    public override string Method => Methods.TextDocumentDidClose;

    public override HandlerKind Kind => HandlerKind.Mutation;

    protected override Task HandleAsync(DidCloseTextDocumentParams parameters, RequestContext context, CancellationToken cancellationToken)
    {
        context.Update(context.State with { Documents = context.State.Documents.Close(parameters.TextDocument.Uri) });
        return Task.CompletedTask;
    }
}

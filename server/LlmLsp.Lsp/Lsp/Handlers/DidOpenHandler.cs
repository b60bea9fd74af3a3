using LlmLsp.Documents;
using LlmLsp.Protocol;

namespace LlmLsp.Lsp.Handlers;

internal sealed class DidOpenHandler()
    : LspNotificationHandler<DidOpenTextDocumentParams>(LspJsonContext.Default.DidOpenTextDocumentParams)
{
    public override string Method => Methods.TextDocumentDidOpen;

    public override HandlerKind Kind => HandlerKind.Mutation;

    protected override Task HandleAsync(DidOpenTextDocumentParams parameters, RequestContext context, CancellationToken cancellationToken)
    {
        var item = parameters.TextDocument;
        var document = new TextDocumentSnapshot(item.Uri, item.LanguageId, item.Version, item.Text);
        context.Update(context.State with { Documents = context.State.Documents.Open(document) });
        return Task.CompletedTask;
    }
}

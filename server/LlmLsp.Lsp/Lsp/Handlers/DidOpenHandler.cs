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
        if (DocumentPaths.ToPath(item.Uri) is { } path)
        {
            // Open files are likely related to the work at hand: context for completions elsewhere.
            context.Features.NoteDocument(Path.GetFileName(path), item.Text);
        }
        return Task.CompletedTask;
    }
}

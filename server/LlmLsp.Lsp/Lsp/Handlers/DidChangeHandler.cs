using LlmLsp.Protocol;

namespace LlmLsp.Lsp.Handlers;

internal sealed class DidChangeHandler()
    : LspNotificationHandler<DidChangeTextDocumentParams>(LspJsonContext.Default.DidChangeTextDocumentParams)
{
    public override string Method => Methods.TextDocumentDidChange;

    public override HandlerKind Kind => HandlerKind.Mutation;

    protected override Task HandleAsync(DidChangeTextDocumentParams parameters, RequestContext context, CancellationToken cancellationToken)
    {
        var changes = parameters.ContentChanges.Select(c => c.ToCore()).ToArray();
        var documents = context.State.Documents.Change(parameters.TextDocument.Uri, parameters.TextDocument.Version, changes, context.State.PositionEncoding);
        context.Update(context.State with { Documents = documents });
        return Task.CompletedTask;
    }
}

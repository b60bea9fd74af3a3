using LlmLsp.Protocol;

namespace LlmLsp.Lsp.Handlers;

/// <summary>Accepted so clients may send it; nothing uses saves yet (indexing will).</summary>
internal sealed class DidSaveHandler()
    : LspNotificationHandler<DidSaveTextDocumentParams>(LspJsonContext.Default.DidSaveTextDocumentParams)
{
    public override string Method => Methods.TextDocumentDidSave;

    protected override Task HandleAsync(DidSaveTextDocumentParams parameters, RequestContext context, CancellationToken cancellationToken) =>
        Task.CompletedTask;
}

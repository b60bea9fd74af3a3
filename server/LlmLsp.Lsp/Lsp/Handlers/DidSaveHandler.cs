using LlmLsp.Protocol;

namespace LlmLsp.Lsp.Handlers;

/// <summary>A save refreshes the workspace index (debounced, only if one exists) and offers the file as context
/// to completions in other files.</summary>
internal sealed class DidSaveHandler()
    : LspNotificationHandler<DidSaveTextDocumentParams>(LspJsonContext.Default.DidSaveTextDocumentParams)
{
    public override string Method => Methods.TextDocumentDidSave;

    protected override Task HandleAsync(DidSaveTextDocumentParams parameters, RequestContext context, CancellationToken cancellationToken)
    {
        var features = context.Features;
        if (context.State.Documents.TryGet(parameters.TextDocument.Uri, out var document) && DocumentPaths.ToPath(document.Uri) is { } path)
        {
            features.NoteDocument(Path.GetFileName(path), document.Text);
        }
        if (DocumentPaths.WorkspaceFolder(context.State) is { } folder)
        {
            features.ScheduleReindex(folder);
        }
        return Task.CompletedTask;
    }
}

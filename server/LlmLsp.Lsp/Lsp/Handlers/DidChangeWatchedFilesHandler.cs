using LlmLsp.Protocol;

namespace LlmLsp.Lsp.Handlers;

/// <summary>Accepted and ignored for now; the indexer will subscribe to file changes here.</summary>
internal sealed class DidChangeWatchedFilesHandler()
    : LspNotificationHandler<DidChangeWatchedFilesParams>(LspJsonContext.Default.DidChangeWatchedFilesParams)
{
    public override string Method => Methods.WorkspaceDidChangeWatchedFiles;

    protected override Task HandleAsync(DidChangeWatchedFilesParams parameters, RequestContext context, CancellationToken cancellationToken) =>
        Task.CompletedTask;
}

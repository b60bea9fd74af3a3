using LlmLsp.Protocol;

namespace LlmLsp.Lsp.Handlers;

/// <summary>Files changed on disk (outside the editor too): refresh the workspace index, debounced, if one exists.</summary>
internal sealed class DidChangeWatchedFilesHandler()
    : LspNotificationHandler<DidChangeWatchedFilesParams>(LspJsonContext.Default.DidChangeWatchedFilesParams)
{
    public override string Method => Methods.WorkspaceDidChangeWatchedFiles;

    protected override Task HandleAsync(DidChangeWatchedFilesParams parameters, RequestContext context, CancellationToken cancellationToken)
    {
        if (DocumentPaths.WorkspaceFolder(context.State) is { } folder)
        {
            context.Features.ScheduleReindex(folder);
        }
        return Task.CompletedTask;
    }
}

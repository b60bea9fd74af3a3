using LlmLsp.Protocol;

namespace LlmLsp.Lsp.Handlers;

internal sealed class DidChangeWorkspaceFoldersHandler()
    : LspNotificationHandler<DidChangeWorkspaceFoldersParams>(LspJsonContext.Default.DidChangeWorkspaceFoldersParams)
{
    public override string Method => Methods.WorkspaceDidChangeWorkspaceFolders;

    public override HandlerKind Kind => HandlerKind.Mutation;

    protected override Task HandleAsync(DidChangeWorkspaceFoldersParams parameters, RequestContext context, CancellationToken cancellationToken)
    {
        var removed = parameters.Event.Removed.Select(f => f.Uri).ToHashSet(StringComparer.Ordinal);
        var folders = context.State.WorkspaceFolders.Where(f => !removed.Contains(f.Uri)).Concat(parameters.Event.Added).ToArray();
        context.Update(context.State with { WorkspaceFolders = [.. folders] });
        return Task.CompletedTask;
    }
}

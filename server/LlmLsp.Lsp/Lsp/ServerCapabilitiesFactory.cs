using LlmLsp.Documents;
using LlmLsp.Protocol;

namespace LlmLsp.Lsp;

/// <summary>What the server advertises: only what is implemented. A feature that adds a provider adds it here.</summary>
internal sealed class ServerCapabilitiesFactory
{
    public ServerCapabilities Create(PositionEncoding encoding) => new(
        PositionEncoding: encoding.ToLsp(),
        TextDocumentSync: new TextDocumentSyncOptions(OpenClose: true, Change: TextDocumentSyncKind.Incremental, Save: new SaveOptions(IncludeText: false)),
        ExecuteCommandProvider: new ExecuteCommandOptions([Methods.IndexFolderCommand]),
        InlineCompletionProvider: new InlineCompletionOptions(),
        CompletionProvider: new CompletionOptionsCapability(ResolveProvider: false),
        Workspace: new WorkspaceServerCapabilities(new WorkspaceFoldersServerCapabilities(Supported: true, ChangeNotifications: true)));
}

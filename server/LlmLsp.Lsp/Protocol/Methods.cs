namespace LlmLsp.Protocol;

/// <summary>Every method name the server handles or sends. Custom ones start with <c>llmlsp/</c> and are documented in
/// docs/lsp-extensions.md.</summary>
public static class Methods
{
    public const string Initialize = "initialize";
    public const string Initialized = "initialized";
    public const string Shutdown = "shutdown";
    public const string Exit = "exit";

    public const string TextDocumentDidOpen = "textDocument/didOpen";
    public const string TextDocumentDidChange = "textDocument/didChange";
    public const string TextDocumentDidClose = "textDocument/didClose";
    public const string TextDocumentDidSave = "textDocument/didSave";

    public const string WorkspaceDidChangeConfiguration = "workspace/didChangeConfiguration";
    public const string WorkspaceConfiguration = "workspace/configuration";
    public const string WorkspaceDidChangeWatchedFiles = "workspace/didChangeWatchedFiles";
    public const string WorkspaceDidChangeWorkspaceFolders = "workspace/didChangeWorkspaceFolders";
    public const string WorkspaceExecuteCommand = "workspace/executeCommand";

    public const string TextDocumentInlineCompletion = "textDocument/inlineCompletion";
    public const string TextDocumentCompletion = "textDocument/completion";

    /// <summary>Streamed chat; see docs/lsp-extensions.md.</summary>
    public const string Chat = "llmlsp/chat";

    /// <summary>Ask the indexed workspace, answer with citations.</summary>
    public const string Ask = "llmlsp/ask";

    /// <summary>The model catalogue with each model's local state.</summary>
    public const string Models = "llmlsp/models";

    /// <summary>Download a catalogue model with work-done progress.</summary>
    public const string PullModel = "llmlsp/pullModel";

    /// <summary>Search the workspace index.</summary>
    public const string Search = "llmlsp/search";

    /// <summary><c>workspace/executeCommand</c> command: index a folder (argument: its URI; default the workspace folders).</summary>
    public const string IndexFolderCommand = "llmlsp.indexFolder";

    public const string WindowWorkDoneProgressCreate = "window/workDoneProgress/create";
    public const string WindowWorkDoneProgressCancel = "window/workDoneProgress/cancel";
    public const string WindowLogMessage = "window/logMessage";
    public const string WindowShowMessage = "window/showMessage";

    public const string Progress = "$/progress";
    public const string CancelRequest = "$/cancelRequest";
    public const string SetTrace = "$/setTrace";
    public const string LogTrace = "$/logTrace";

    /// <summary>Test-only (enabled by <c>LLMLSP_TEST_METHODS=1</c>): waits, honouring cancellation.</summary>
    public const string TestSlow = "llmlsp/_slow";

    /// <summary>Test-only: the server's text of an open document.</summary>
    public const string TestDocumentText = "llmlsp/_documentText";

    /// <summary>Test-only: drives work-done and partial-result progress.</summary>
    public const string TestProgress = "llmlsp/_progress";

    /// <summary>Test-only: throws an unexpected exception, to observe the -32603 path.</summary>
    public const string TestCrash = "llmlsp/_crash";
}

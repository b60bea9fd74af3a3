using LlmLsp.Lsp.Handlers;

namespace LlmLsp.Lsp;

/// <summary>Every method the server handles. To add a feature: write one handler in Handlers/ (derive from
/// <see cref="LspRequestHandler{TParams, TResult}"/>), add it below, and advertise it in
/// <see cref="ServerCapabilitiesFactory"/>.</summary>
internal static class HandlerCatalog
{
    public static IReadOnlyList<ILspHandler> Create(ServerCapabilitiesFactory capabilities, bool includeTestMethods)
    {
        var handlers = new List<ILspHandler>
        {
            new InitializeHandler(capabilities),
            new InitializedHandler(),
            new ShutdownHandler(),
            new ExitHandler(),
            new DidOpenHandler(),
            new DidChangeHandler(),
            new DidCloseHandler(),
            new DidSaveHandler(),
            new DidChangeConfigurationHandler(),
            new DidChangeWatchedFilesHandler(),
            new DidChangeWorkspaceFoldersHandler(),
            new ExecuteCommandHandler(),
            new WorkDoneProgressCancelHandler(),
            new SetTraceHandler(),
            new InlineCompletionHandler(),
            new CompletionHandler(),
            new ChatHandler(),
            new AskHandler(),
            new SearchHandler(),
            new ModelsHandler(),
            new PullModelHandler(),
        };

        if (includeTestMethods)
        {
            handlers.Add(new TestSlowHandler());
            handlers.Add(new TestDocumentTextHandler());
            handlers.Add(new TestProgressHandler());
            handlers.Add(new TestCrashHandler());
        }

        return handlers;
    }
}

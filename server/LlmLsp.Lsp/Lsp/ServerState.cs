using System.Collections.Immutable;
using LlmLsp.Documents;
using LlmLsp.Options;
using LlmLsp.Protocol;

namespace LlmLsp.Lsp;

public enum Lifecycle
{
    /// <summary>Before <c>initialize</c>: only <c>initialize</c> and <c>exit</c> are accepted.</summary>
    NotInitialized,

    Initialized,

    /// <summary>After <c>shutdown</c>: only <c>exit</c> is accepted.</summary>
    ShuttingDown,
}

/// <summary>Everything a handler may read, as one immutable value. Mutating handlers produce a new one
/// (<see cref="RequestContext.Update"/>); reads see the value current when they were dequeued.</summary>
public sealed record ServerState
{
    public static readonly ServerState Initial = new();

    public Lifecycle Lifecycle { get; init; } = Lifecycle.NotInitialized;

    public PositionEncoding PositionEncoding { get; init; } = PositionEncoding.Utf16;

    public ClientCapabilities ClientCapabilities { get; init; } = new();

    public DocumentStore Documents { get; init; } = DocumentStore.Empty;

    public LlmLspOptions Options { get; init; } = LlmLspOptions.Default;

    /// <summary>Settings from <c>initializationOptions</c>; pulled configuration is layered on top of them.</summary>
    public ImmutableDictionary<string, object?> InitializationSettings { get; init; } = ImmutableDictionary<string, object?>.Empty;

    public ImmutableArray<WorkspaceFolder> WorkspaceFolders { get; init; } = [];

    public string Trace { get; init; } = TraceValue.Off;

    public bool ClientSupportsWorkDoneProgress => ClientCapabilities.Window?.WorkDoneProgress == true;

    public bool ClientSupportsConfiguration => ClientCapabilities.Workspace?.Configuration == true;
}

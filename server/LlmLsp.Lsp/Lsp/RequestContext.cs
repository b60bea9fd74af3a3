using LlmLsp.Features;
using Microsoft.Extensions.Logging;

namespace LlmLsp.Lsp;

/// <summary>What a handler gets besides its params: the state snapshot, the client, progress, logging, lifetime.</summary>
public sealed class RequestContext
{
    private readonly HandlerKind _kind;

    internal RequestContext(ServerState state, HandlerKind kind, LspServices services)
    {
        State = state;
        _kind = kind;
        Services = services;
    }

    /// <summary>The state when the request started; never changes under the handler.</summary>
    public ServerState State { get; }

    public LspClient Client => Services.Client;

    /// <summary>Progress for this request, aware of whether the client can create tokens.</summary>
    public ProgressSender Progress => new(Services.Client, Services.ProgressRegistry, State.ClientSupportsWorkDoneProgress);

    public ILoggerFactory LoggerFactory => Services.LoggerFactory;

    /// <summary>The features, with the options of this request's state applied.</summary>
    public FeatureHost Features
    {
        get
        {
            Services.Features.Apply(State.Options);
            return Services.Features;
        }
    }

    internal LspServices Services { get; }

    internal ServerState? UpdatedState { get; private set; }

    /// <summary>Replaces the server state when the handler finishes. Only mutating handlers may call it.</summary>
    public void Update(ServerState state)
    {
        if (_kind != HandlerKind.Mutation)
        {
            throw new InvalidOperationException("Only mutating handlers may update the server state.");
        }

        UpdatedState = state;
    }
}

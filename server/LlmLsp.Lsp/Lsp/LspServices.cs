using LlmLsp.Features;
using Microsoft.Extensions.Logging;

namespace LlmLsp.Lsp;

/// <summary>The per-connection services handlers reach through <see cref="RequestContext"/>.</summary>
internal sealed class LspServices(LspClient client, ProgressRegistry progressRegistry, ServerLifetime lifetime, RequestQueue queue, ClientLogForwarder logForwarder, ILoggerFactory loggerFactory, FeatureHost features)
{
    /// <summary>Models and features (completion, chat, ask, index), loaded on first use.</summary>
    public FeatureHost Features { get; } = features;

    public LspClient Client { get; } = client;

    public ProgressRegistry ProgressRegistry { get; } = progressRegistry;

    public ServerLifetime Lifetime { get; } = lifetime;

    public RequestQueue Queue { get; } = queue;

    public ClientLogForwarder LogForwarder { get; } = logForwarder;

    public ILoggerFactory LoggerFactory { get; } = loggerFactory;
}

using LlmLsp.Engine;
using LlmLsp.Remote;
using Microsoft.Extensions.AI;

namespace LlmLsp.Features.Docs;

/// <summary>A chat model as the features need it: a client to stream answers, its tokenizer to measure
/// prompts, and its context size to fit them.</summary>
public sealed record ChatModel(IChatClient Client, Func<string, int> CountTokens, int ContextSize, string Name)
{
    /// <param name="ignoreEndOfGeneration">Benchmark only: generate past end-of-generation tokens.</param>
    public static ChatModel FromEngine(LlamaEngine engine, bool ignoreEndOfGeneration = false)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return new ChatModel(new LlamaChatClient(engine, ignoreEndOfGeneration), engine.CountTokens, engine.ContextSize, Path.GetFileName(engine.Model.Path));
    }

    /// <summary>A chat model on a remote server. Its tokenizer is not at hand, so prompts are measured by an estimate that
    /// errs long (one token per three UTF-8 bytes), so the budget fits a context of <paramref name="contextSize"/>.</summary>
    /// <param name="ignoreEndOfGeneration">Benchmark only: asks the server to generate past end-of-generation tokens
    /// (llama-server's <c>ignore_eos</c>).</param>
    public static ChatModel FromRemote(RemoteServer server, int contextSize, bool ignoreEndOfGeneration = false)
    {
        ArgumentNullException.ThrowIfNull(server);
        return new ChatModel(ignoreEndOfGeneration ? new IgnoreEndOfGenerationChatClient(server.ChatClient) : server.ChatClient, text => (System.Text.Encoding.UTF8.GetByteCount(text) + 2) / 3, contextSize,
            server.Endpoint.Model ?? server.Endpoint.Display);
    }
}

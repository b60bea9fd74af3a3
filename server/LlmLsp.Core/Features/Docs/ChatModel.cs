using LlmLsp.Engine;
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
}

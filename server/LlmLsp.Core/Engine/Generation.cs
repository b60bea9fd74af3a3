namespace LlmLsp.Engine;

/// <summary>One text generation. Give either <see cref="Prompt"/> (tokenized with special tokens parsed,
/// so templates can contain them) or <see cref="PromptTokens"/>.</summary>
public sealed record GenerationRequest
{
    public string? Prompt { get; init; }
    public IReadOnlyList<int>? PromptTokens { get; init; }

    /// <summary>Add the model's BOS token when it asks for one (only for <see cref="Prompt"/>).</summary>
    public bool AddSpecialTokens { get; init; } = true;

    public int MaxTokens { get; init; } = 256;
    public IReadOnlyList<string> StopSequences { get; init; } = [];
    public TimeSpan? TimeBudget { get; init; }
    public SamplingOptions Sampling { get; init; } = SamplingOptions.Greedy;
    public ComputeLane Lane { get; init; } = ComputeLane.Background;

    /// <summary>Which of the engine's generation contexts (each with its own KV cache) to use.</summary>
    public GenerationSlot Slot { get; init; } = GenerationSlot.Default;

    /// <summary>Besides the common prefix, reuse cached runs of at least this many tokens found again later in
    /// the prompt, moving their KV entries (0 = common prefix only, exact). See <c>KvReusePlanner</c>.</summary>
    public int ReuseChunkMinimum { get; init; }

    /// <summary>Keep generating past end-of-generation tokens (benchmarks with random weights need this).</summary>
    public bool IgnoreEndOfGeneration { get; init; }

    /// <summary>Reuse the tokens the context already holds when the prompt starts with them (the default).
    /// False clears the generation context first and decodes the whole prompt: benchmarks need a fresh
    /// KV cache for every repetition, as llama-bench has. It is applied inside the job, on the scheduler.</summary>
    public bool ReuseCachedPrefix { get; init; } = true;
}

/// <summary>Generation contexts of one engine. Completion keeps its FIM prompt cached across keystrokes while
/// chat keeps its conversation.</summary>
public enum GenerationSlot
{
    Default,
    Chat,
    Completion,
}

public enum FinishReason
{
    EndOfGeneration,
    StopSequence,
    MaxTokens,
    ContextFull,
    TimeBudget,
}

/// <summary>What a finished generation did. <see cref="EvaluatedPromptTokens"/> counts the prompt tokens
/// actually decoded: the rest were reused from the context's cache.</summary>
public sealed record GenerationResult(
    string Text,
    FinishReason FinishReason,
    int PromptTokens,
    int EvaluatedPromptTokens,
    int GeneratedTokens,
    TimeSpan PromptTime,
    TimeSpan GenerationTime);

/// <summary>A streamed piece of generated text; the last update of a stream carries the result. Every piece
/// also tells how many prompt tokens were decoded (the rest came from the cache), for callers that stop
/// reading before the end.</summary>
public sealed record GenerationUpdate(string Text, GenerationResult? Result = null, int EvaluatedPromptTokens = 0);

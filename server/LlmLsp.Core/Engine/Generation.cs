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

    /// <summary>Keep generating past end-of-generation tokens (benchmarks with random weights need this).</summary>
    public bool IgnoreEndOfGeneration { get; init; }

    /// <summary>Reuse the tokens the context already holds when the prompt starts with them (the default).
    /// False clears the generation context first and decodes the whole prompt: benchmarks need a fresh
    /// KV cache for every repetition, as llama-bench has. It is applied inside the job, on the scheduler.</summary>
    public bool ReuseCachedPrefix { get; init; } = true;
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

/// <summary>A streamed piece of generated text; the last update of a stream carries the result.</summary>
public sealed record GenerationUpdate(string Text, GenerationResult? Result = null);

namespace LlmLsp.Engine;

/// <summary>How to load a model and size its contexts. Product defaults live in LlmLspOptions; these are
/// the engine's own fallbacks for direct use (CLI tools, tests).</summary>
public sealed record EngineOptions
{
    public required string ModelPath { get; init; }

    /// <summary>Tokens the generation context holds; clamped to the model's trained length. 0 = the trained length.</summary>
    public int ContextSize { get; init; } = 4096;

    /// <summary>Prompt tokens decoded per llama_decode call.</summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>Tokens per embedding batch (many short sequences packed together); longer texts are truncated to it.</summary>
    public int EmbeddingBatchSize { get; init; } = 512;

    /// <summary>Compute threads; null = the number of physical cores. Never more than the cores.</summary>
    public int? Threads { get; init; }

    /// <summary>Layers to offload to a GPU backend when one is loaded; 0 keeps everything on the CPU.</summary>
    public int GpuLayers { get; init; }

    /// <summary>Memory-map the weights (fast start, shares the page cache) instead of reading them into memory.</summary>
    public bool UseMmap { get; init; } = true;
}

/// <summary>Which queue a compute job waits in. Latency work (inline completion) always runs before
/// background work (chat, embeddings, indexing), which yields between decode steps.</summary>
public enum ComputeLane
{
    Latency,
    Background,
}

/// <summary>How token choice works for one generation. Temperature 0 is greedy and deterministic.</summary>
public sealed record SamplingOptions
{
    public static SamplingOptions Greedy { get; } = new();

    public float Temperature { get; init; }
    public int TopK { get; init; } = 40;
    public float TopP { get; init; } = 0.95f;
    public float MinP { get; init; } = 0.05f;
    public float RepeatPenalty { get; init; } = 1.0f;
    public int RepeatLastN { get; init; } = 64;
    public float FrequencyPenalty { get; init; }
    public float PresencePenalty { get; init; }

    /// <summary>Seed for random sampling; the same seed and prompt give the same text.</summary>
    public uint Seed { get; init; } = 42;
}

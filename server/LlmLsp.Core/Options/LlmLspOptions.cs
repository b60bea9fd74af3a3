namespace LlmLsp.Options;

/// <summary>Every setting the server understands, with its default. The defaults live here and nowhere else.</summary>
public sealed record LlmLspOptions
{
    public static readonly LlmLspOptions Default = new();

    public ModelOptions Model { get; init; } = new();

    public CompletionOptions Completion { get; init; } = new();

    public ChatOptions Chat { get; init; } = new();

    public IndexOptions Index { get; init; } = new();
}

/// <summary>Which GGUF files to load and how. Null paths mean "no model configured" for that feature.</summary>
public sealed record ModelOptions
{
    public string? CompletionModelPath { get; init; }

    public string? ChatModelPath { get; init; }

    public string? EmbeddingModelPath { get; init; }

    public int ContextSize { get; init; } = 4096;

    /// <summary>0 means "let the engine pick" (physical cores).</summary>
    public int Threads { get; init; }

    public int GpuLayers { get; init; }
}

public sealed record CompletionOptions
{
    public bool Enabled { get; init; } = true;

    /// <summary>Language ids to complete in; empty means all.</summary>
    public IReadOnlyList<string> Languages { get; init; } = [];

    /// <summary>Tokens to predict per completion (llama.cpp n_predict).</summary>
    public int MaxTokens { get; init; } = 64;

    public int TimeBudgetMs { get; init; } = 1500;

    public int PrefixTokens { get; init; } = 1024;

    public int SuffixTokens { get; init; } = 256;

    /// <summary>Milliseconds a completion that needs the model waits for a newer keystroke first.</summary>
    public int DebounceMs { get; init; } = 75;

    /// <summary>Benchmark only: generate exactly <see cref="MaxTokens"/> tokens, past end-of-generation tokens
    /// and the stop rules (random-weight benchmark models end at once otherwise). Never useful in an editor.</summary>
    public bool IgnoreEndOfGeneration { get; init; }
}

public sealed record ChatOptions
{
    public string SystemPrompt { get; init; } =
        "You are a careful programming assistant working inside the user's editor. Answer concisely and cite files you use.";

    public int MaxTokens { get; init; } = 1024;

    /// <summary>Benchmark only: answers run to <see cref="MaxTokens"/> (or the feature's cap) past
    /// end-of-generation tokens, so random-weight benchmark models stream a fixed length.</summary>
    public bool IgnoreEndOfGeneration { get; init; }
}

public sealed record IndexOptions
{
    public IReadOnlyList<string> Exclude { get; init; } = ["**/.git/**", "**/node_modules/**", "**/bin/**", "**/obj/**"];

    public long MaxFileSizeBytes { get; init; } = 1024 * 1024;

    /// <summary>Index and search without embeddings (no vectors are computed, no embedding model is loaded).</summary>
    public bool KeywordOnly { get; init; }
}

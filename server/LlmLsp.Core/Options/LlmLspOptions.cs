namespace LlmLsp.Options;

/// <summary>Every setting the server understands, with its default. The defaults live here and nowhere else.</summary>
public sealed record LlmLspOptions
{
    public static readonly LlmLspOptions Default = new();

    public ModelOptions Model { get; init; } = new();

    public CompletionOptions Completion { get; init; } = new();

    public ChatOptions Chat { get; init; } = new();

    public IndexOptions Index { get; init; } = new();

    public BackendOptions Backend { get; init; } = new();
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

/// <summary>Remote OpenAI-compatible servers (llama-server, vLLM, Ollama) that serve a role instead of a local model.
/// A role's own endpoint wins over <see cref="All"/>; a role with neither runs locally, as by default.</summary>
public sealed record BackendOptions
{
    public RemoteEndpointOptions? All { get; init; }

    public RemoteEndpointOptions? Chat { get; init; }

    public RemoteEndpointOptions? Completion { get; init; }

    public RemoteEndpointOptions? Embedding { get; init; }

    public RemoteEndpointOptions? For(Models.ModelRole role)
    {
        var own = role switch
        {
            Models.ModelRole.Chat => Chat,
            Models.ModelRole.Completion => Completion,
            Models.ModelRole.Embedding => Embedding,
            _ => null,
        };
        return own is { Url: not null } ? own : All is { Url: not null } ? All : null;
    }
}

/// <summary>How completion talks to a remote server: llama-server's <c>/infill</c>, or <c>/v1/completions</c> with the
/// model's fill-in-the-middle markers as text; <see cref="Auto"/> tries <c>/infill</c> first and remembers a 404.</summary>
public enum RemoteCompletionApi
{
    Auto,
    Infill,
    Completions,
}

/// <summary>One remote server. <see cref="ToString"/> never shows the API key.</summary>
public sealed record RemoteEndpointOptions
{
    public string? Url { get; init; }

    public string? ApiKey { get; init; }

    public string? Model { get; init; }

    /// <summary><c>http://</c> to a host other than loopback sends the key and the user's code in clear text: only when asked.</summary>
    public bool AllowInsecureHttp { get; init; }

    /// <summary>How long to wait for the first byte of an answer, and between streamed pieces.</summary>
    public int TimeoutMs { get; init; } = 30_000;

    public RemoteCompletionApi CompletionApi { get; init; } = RemoteCompletionApi.Auto;

    /// <summary>Fill-in-the-middle markers for <c>/v1/completions</c> (Qwen2.5-Coder's by default).</summary>
    public string FimPrefix { get; init; } = "<|fim_prefix|>";

    public string FimSuffix { get; init; } = "<|fim_suffix|>";

    public string FimMiddle { get; init; } = "<|fim_middle|>";

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Url = ").Append(Url).Append(", Model = ").Append(Model)
            .Append(", ApiKey = ").Append(ApiKey is null ? "(none)" : "(set)");
        return true;
    }
}

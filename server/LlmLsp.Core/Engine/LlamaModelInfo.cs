namespace LlmLsp.Engine;

/// <summary>Facts about a loaded model, read from its GGUF metadata through llama.cpp.</summary>
public sealed record LlamaModelInfo(
    string Path,
    string Architecture,
    string Description,
    string? ChatTemplate,
    int TrainedContextLength,
    int EmbeddingSize,
    int VocabularySize,
    bool IsEmbeddingModel,
    long FileSizeBytes,
    ulong ParameterCount,
    FimTokens Fim);

/// <summary>The model's own fill-in-the-middle token ids (-1 where the model has none).</summary>
public sealed record FimTokens(int Prefix, int Suffix, int Middle, int Pad, int Repo, int FileSeparator)
{
    public bool HasInfill => Prefix >= 0 && Suffix >= 0 && Middle >= 0;
}

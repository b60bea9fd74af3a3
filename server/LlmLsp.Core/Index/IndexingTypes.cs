using LlmLsp.Index.Chunking;

namespace LlmLsp.Index;

public enum IndexPhase
{
    Scanning,
    Indexing,
    Embedding,
    Done,
}

/// <summary>Progress of a run. <see cref="FilesDone"/> counts files processed in this run (new, changed
/// or re-embedded) out of <see cref="FilesTotal"/> that need work; unchanged files are not counted.</summary>
public sealed record IndexProgress(IndexPhase Phase, int FilesDone, int FilesTotal, string? CurrentPath = null);

public sealed record IndexRunSummary(
    string Root,
    string DatabasePath,
    int FilesSeen,
    int FilesIndexed,
    int FilesUnchanged,
    int FilesRemoved,
    int FilesReembedded,
    int ChunksWritten,
    int TotalChunks,
    IReadOnlyList<SkippedPath> Skipped,
    TimeSpan Elapsed,
    int? ReplacedSchema = null)
{
    /// <summary>The model the chunks were embedded with this run; null for a keyword-only index.</summary>
    public string? EmbeddingModel { get; init; }

    /// <summary>The model the index's vectors came from before this run, when it was another one.</summary>
    public string? PreviousEmbeddingModel { get; init; }

    /// <summary>Why embedding stopped part-way (the model failed to load or run); the keyword index is complete.</summary>
    public string? EmbeddingProblem { get; init; }
}

public sealed record IndexerOptions
{
    public WalkerOptions Walker { get; init; } = new();

    public ChunkingOptions Chunking { get; init; } = new();

    /// <summary>Files per transaction: small enough that a crash loses little, large enough that commit
    /// cost (an fsync each) does not dominate.</summary>
    public int BatchFiles { get; init; } = 64;

    public long BatchBytes { get; init; } = 8 * 1024 * 1024;

    public int EmbeddingBatchSize { get; init; } = 32;
}

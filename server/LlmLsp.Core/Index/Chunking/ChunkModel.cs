namespace LlmLsp.Index.Chunking;

/// <summary>One retrievable piece of a file. Lines are 1-based and inclusive; for PDF they count within
/// <see cref="Page"/>, for Word they count paragraphs. <see cref="Heading"/> is the heading or symbol
/// path that places the text, e.g. "Guide > Install" or "LlmLsp.Index.IndexStore.Open".</summary>
public sealed record ChunkDraft(string Text, int StartLine, int EndLine, string Heading, int? Page = null);

public sealed record ChunkingOptions
{
    /// <summary>The embedding model's context; no chunk is larger than this.</summary>
    public int MaxTokens { get; init; } = 512;

    /// <summary>Lines repeated at the start of the next piece when one block has to be split, so a
    /// sentence or statement cut at the boundary is still whole in one of them.</summary>
    public int OverlapLines { get; init; } = 2;

    /// <summary>The model's tokenizer when known; otherwise characters / 4.</summary>
    public Func<string, int>? CountTokens { get; init; }

    public int Count(string text) => CountTokens?.Invoke(text) ?? (text.Length + 3) / 4;
}

/// <summary>A structural unit a chunker found (a member, a section's paragraph, a page's paragraph).
/// Blocks with the same <see cref="GroupKey"/> that sit next to each other may share one chunk.</summary>
internal sealed record TextBlock(string Text, int StartLine, int EndLine, string Heading, int? Page = null, string? GroupKey = null, string? GroupHeading = null);

internal interface IChunker
{
    IReadOnlyList<ChunkDraft> Chunk(string relativePath, byte[] content, ChunkingOptions options);
}

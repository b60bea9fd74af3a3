namespace LlmLsp.Index.Chunking;

/// <summary>Prose without markup: paragraphs, packed up to the budget.</summary>
internal sealed class PlainTextChunker : IChunker
{
    public IReadOnlyList<ChunkDraft> Chunk(string relativePath, byte[] content, ChunkingOptions options)
    {
        if (!FileContentReader.TryDecodeUtf8(content, out var text))
        {
            throw new ChunkingException(SkipReason.InvalidUtf8, "not valid UTF-8");
        }

        return ChunkText(text, Path.GetFileName(relativePath), options);
    }

    public static IReadOnlyList<ChunkDraft> ChunkText(string text, string heading, ChunkingOptions options)
    {
        var lines = BlockPacker.SplitLines(text);
        var blocks = BlockPacker.Paragraphs(lines).Select(p => new TextBlock(p.Text, p.StartLine, p.EndLine, heading));
        return BlockPacker.Pack(blocks, options);
    }
}

/// <summary>Thrown by a chunker for content it cannot use; the file is skipped with this reason and the run goes on.</summary>
internal sealed class ChunkingException(SkipReason reason, string detail) : Exception(detail)
{
    public SkipReason Reason { get; } = reason;
}

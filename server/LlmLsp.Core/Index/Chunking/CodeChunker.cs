namespace LlmLsp.Index.Chunking;

/// <summary>Source in languages without a dedicated parser: a top-level construct starts at a
/// non-indented line after a blank line, and its indented or contiguous continuation stays with it.
/// The construct's first line is the heading, which is usually the declaration.</summary>
internal sealed class CodeChunker : IChunker
{
    public IReadOnlyList<ChunkDraft> Chunk(string relativePath, byte[] content, ChunkingOptions options)
    {
        if (!FileContentReader.TryDecodeUtf8(content, out var text))
        {
            throw new ChunkingException(SkipReason.InvalidUtf8, "not valid UTF-8");
        }

        var lines = BlockPacker.SplitLines(text);
        var fileName = Path.GetFileName(relativePath);
        var blocks = new List<TextBlock>();
        var constructStart = -1;
        var constructHeading = fileName;
        foreach (var paragraph in BlockPacker.Paragraphs(lines))
        {
            var firstLine = lines[paragraph.StartLine - 1];
            var startsConstruct = firstLine.Length > 0 && !char.IsWhiteSpace(firstLine[0]) && !IsClosingLine(firstLine);
            if (startsConstruct || constructStart < 0)
            {
                constructStart = paragraph.StartLine;
                constructHeading = Summarise(firstLine, fileName);
            }

            blocks.Add(new TextBlock(paragraph.Text, paragraph.StartLine, paragraph.EndLine, constructHeading, GroupKey: fileName));
        }

        // Adjacent small constructs share a chunk; the chunk is named after its first construct.
        var packed = BlockPacker.Pack(blocks, options);
        return packed;
    }

    private static bool IsClosingLine(string line)
    {
        var trimmed = line.TrimStart();
        return trimmed.StartsWith('}') || trimmed.StartsWith(')') || trimmed.StartsWith(']') || trimmed.StartsWith("end", StringComparison.Ordinal);
    }

    private static string Summarise(string line, string fileName)
    {
        var trimmed = line.Trim().TrimEnd('{', ':', '(').Trim();
        if (trimmed.Length == 0)
        {
            return fileName;
        }

        return trimmed.Length > 80 ? trimmed[..80] : trimmed;
    }
}

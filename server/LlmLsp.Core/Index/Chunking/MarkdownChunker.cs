using Markdig;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;

namespace LlmLsp.Index.Chunking;

/// <summary>Markdown by heading section: every top-level block belongs to the section of the heading
/// above it, and a section's blocks are packed together, so a chunk never straddles two headings.
/// The heading path ("Title > Section > Subsection") names the chunk; a front-matter title is its root.</summary>
internal sealed class MarkdownChunker : IChunker
{
    private static readonly MarkdownPipeline s_pipeline = new MarkdownPipelineBuilder().UseYamlFrontMatter().Build();

    public IReadOnlyList<ChunkDraft> Chunk(string relativePath, byte[] content, ChunkingOptions options)
    {
        if (!FileContentReader.TryDecodeUtf8(content, out var text))
        {
            throw new ChunkingException(SkipReason.InvalidUtf8, "not valid UTF-8");
        }

        var lines = BlockPacker.SplitLines(text);
        var document = Markdown.Parse(text, s_pipeline);
        var headings = new HeadingTrail();
        var fileName = Path.GetFileName(relativePath);
        string? documentTitle = null;
        var blocks = new List<TextBlock>();

        var starts = BlockStarts(document);
        for (var i = 0; i < starts.Count; i++)
        {
            var (block, start) = starts[i];
            var end = i + 1 < starts.Count ? starts[i + 1].Line - 1 : lines.Length - 1;
            if (block is LinkReferenceDefinition)
            {
                // "[label]: https://..." lines: no prose to search, and they belong to no section.
                continue;
            }

            end = Math.Min(end, lines.Length - 1);
            while (end > start && string.IsNullOrWhiteSpace(lines[end]))
            {
                end--;
            }

            if (start < 0 || start > end)
            {
                continue;
            }

            var blockText = string.Join("\n", lines[start..(end + 1)]);
            if (block is YamlFrontMatterBlock)
            {
                // Kept as text: front matter often holds the one-line summary (description, tags).
                documentTitle = FrontMatterTitle(lines[start..(end + 1)]);
            }

            if (block is HeadingBlock heading)
            {
                headings.Enter(heading.Level, lines[start].Trim().Trim('#').Trim());
            }

            var path = headings.Describe(fileName, documentTitle);
            blocks.Add(new TextBlock(blockText, start + 1, end + 1, path, GroupKey: path, GroupHeading: path));
        }

        return BlockPacker.Pack(blocks, options);
    }

    /// <summary>Top-level blocks by first line. Markdig gives a group of link reference definitions no line (0) and
    /// puts it last; taken as it came, it stretched from line 1 to the end and indexed the whole file again under
    /// the last heading, while the block before it got no lines at all. Its definitions do have lines.</summary>
    private static List<(Block Block, int Line)> BlockStarts(MarkdownDocument document)
    {
        var starts = new List<(Block Block, int Line)>(document.Count);
        foreach (var block in document)
        {
            if (block is LinkReferenceDefinitionGroup group)
            {
                starts.AddRange(group.Select(definition => (definition, definition.Line)));
            }
            else
            {
                starts.Add((block, block.Line));
            }
        }

        return [.. starts.OrderBy(s => s.Line)];
    }

    private static string? FrontMatterTitle(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            if (line.StartsWith("title:", StringComparison.OrdinalIgnoreCase))
            {
                var title = line["title:".Length..].Trim().Trim('"', '\'');
                return title.Length == 0 ? null : title;
            }
        }

        return null;
    }
}

using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace LlmLsp.Index.Chunking;

/// <summary>Word (.docx) by heading and paragraph. A .docx has no lines, so "line" numbers count the
/// document's paragraphs (1-based), which is what a reader can find again.</summary>
internal sealed class WordChunker : IChunker
{
    public IReadOnlyList<ChunkDraft> Chunk(string relativePath, byte[] content, ChunkingOptions options)
    {
        var blocks = new List<TextBlock>();
        try
        {
            using var stream = new MemoryStream(content, writable: false);
            using var document = WordprocessingDocument.Open(stream, isEditable: false);
            var body = document.MainDocumentPart?.Document?.Body;
            if (body is null)
            {
                return [];
            }

            var headings = new HeadingTrail();
            var fileName = Path.GetFileName(relativePath);
            var ordinal = 0;
            foreach (var paragraph in body.Descendants<Paragraph>())
            {
                ordinal++;
                var text = paragraph.InnerText.Trim();
                if (text.Length == 0)
                {
                    continue;
                }

                if (HeadingLevel(paragraph) is { } level)
                {
                    headings.Enter(level, text);
                }

                var path = headings.Describe(fileName);
                blocks.Add(new TextBlock(text, ordinal, ordinal, path, GroupKey: path, GroupHeading: path));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            // OpenXml throws packaging, XML and format exceptions for damaged files; all mean "cannot read this document".
            throw new ChunkingException(SkipReason.BrokenDocument, $"unreadable Word document: {ex.Message}");
        }

        return BlockPacker.Pack(blocks, options);
    }

    private static int? HeadingLevel(Paragraph paragraph)
    {
        var style = paragraph.ParagraphProperties?.ParagraphStyleId?.Val?.Value;
        if (style is null)
        {
            return null;
        }

        if (style.Equals("Title", StringComparison.OrdinalIgnoreCase))
        {
            return 0;
        }

        if (style.StartsWith("Heading", StringComparison.OrdinalIgnoreCase) && int.TryParse(style.AsSpan("Heading".Length), out var level))
        {
            return level;
        }

        return null;
    }
}

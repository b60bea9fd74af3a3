using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;

namespace LlmLsp.Index.Chunking;

/// <summary>PDF by page and paragraph (PdfPig, text in reading order). Line numbers count within the
/// page; a chunk never spans pages, so a citation is always "page N, lines a-b".</summary>
internal sealed class PdfChunker : IChunker
{
    public IReadOnlyList<ChunkDraft> Chunk(string relativePath, byte[] content, ChunkingOptions options)
    {
        var blocks = new List<TextBlock>();
        try
        {
            using var document = PdfDocument.Open(content);
            foreach (var page in document.GetPages())
            {
                var text = ContentOrderTextExtractor.GetText(page);
                var lines = BlockPacker.SplitLines(text);
                var heading = $"{Path.GetFileName(relativePath)} p.{page.Number}";
                foreach (var paragraph in BlockPacker.Paragraphs(lines))
                {
                    blocks.Add(new TextBlock(paragraph.Text, paragraph.StartLine, paragraph.EndLine, heading, page.Number, heading, heading));
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            // PdfPig reports malformed files with a variety of exception types; all mean "cannot read this PDF".
            throw new ChunkingException(SkipReason.BrokenDocument, $"unreadable PDF: {ex.Message}");
        }

        return BlockPacker.Pack(blocks, options);
    }
}

namespace LlmLsp.Index.Chunking;

/// <summary>The result of chunking one file: chunks, or why the file cannot be used.</summary>
public sealed record ChunkingResult(IReadOnlyList<ChunkDraft> Chunks, SkipReason? Skip = null, string? Detail = null);

/// <summary>Picks the chunker for a file by its kind and turns content problems into a skip reason.</summary>
public sealed class DocumentChunker
{
    private readonly ChunkingOptions _options;

    public DocumentChunker(ChunkingOptions? options = null)
    {
        _options = options ?? new ChunkingOptions();
    }

    public ChunkingOptions Options => _options;

    public ChunkingResult Chunk(string relativePath, byte[] content)
    {
        IChunker chunker = DocumentKinds.FromFileName(Path.GetFileName(relativePath)) switch
        {
            DocumentKind.CSharp => new CSharpChunker(),
            DocumentKind.Markdown => new MarkdownChunker(),
            DocumentKind.Pdf => new PdfChunker(),
            DocumentKind.Word => new WordChunker(),
            DocumentKind.Html => new HtmlChunker(),
            DocumentKind.Code => new CodeChunker(),
            _ => new PlainTextChunker(),
        };

        try
        {
            return new ChunkingResult(chunker.Chunk(relativePath, content, _options));
        }
        catch (ChunkingException ex)
        {
            return new ChunkingResult([], ex.Reason, ex.Message);
        }
    }
}

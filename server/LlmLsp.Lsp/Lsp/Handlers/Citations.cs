using LlmLsp.Protocol;

namespace LlmLsp.Lsp.Handlers;

/// <summary>Citations on the wire carry a file URI as well as the path, so clients can open them directly.</summary>
internal static class Citations
{
    public static CitationDto ToLsp(Features.Docs.Citation citation, string? root)
    {
        var absolute = Path.IsPathRooted(citation.Path) ? citation.Path : root is null ? null : Path.Combine(root, citation.Path);
        return new CitationDto(citation.Number, citation.Path, citation.StartLine, citation.EndLine, citation.Page,
            absolute is null ? null : DocumentPaths.ToUri(absolute));
    }
}

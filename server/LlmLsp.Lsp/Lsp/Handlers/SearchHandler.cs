using LlmLsp.Features.Indexing;
using LlmLsp.Protocol;

namespace LlmLsp.Lsp.Handlers;

/// <summary>llmlsp/search: the workspace index's best passages for a query.</summary>
internal sealed class SearchHandler()
    : LspRequestHandler<SearchParams, SearchResult>(LspJsonContext.Default.SearchParams, LspJsonContext.Default.SearchResult)
{
    public override string Method => Methods.Search;

    protected override async Task<SearchResult> HandleAsync(SearchParams parameters, RequestContext context, CancellationToken cancellationToken)
    {
        var folder = DocumentPaths.WorkspaceFolder(context.State);
        var index = context.Features.Index;
        var hits = await index.SearchAsync(new SearchRequest(parameters.Query, Math.Clamp(parameters.Top ?? 10, 1, 100), Directory: folder), cancellationToken).ConfigureAwait(false);
        var root = index.IndexedRoot ?? folder;
        return new SearchResult(hits.Select(h => new SearchHitDto(h.Path, h.StartLine, h.EndLine, h.Page, h.Heading, h.Score, h.Snippet,
            root is null ? null : DocumentPaths.ToUri(Path.Combine(root, h.Path)))).ToList());
    }
}

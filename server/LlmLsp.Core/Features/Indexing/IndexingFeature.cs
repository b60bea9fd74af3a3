using LlmLsp.Index;
using LlmLsp.Retrieval;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmLsp.Features.Indexing;

public sealed record IndexFolderRequest(string Folder, string? DatabasePath = null, bool Rebuild = false);

public sealed record SearchRequest(string Query, int Top = 10, string? DatabasePath = null, string? Directory = null,
    RetrievalMode Mode = RetrievalMode.Best);

/// <summary>Index and search for callers (CLI, LSP, the ask feature). It owns the open index: the index file is
/// opened exclusively, so one process holds it, and this feature keeps it open with its search
/// structures loaded between calls; calls are serialised. Indexing invalidates the loaded searcher.
/// The embedder is asked for on every call (settings may have changed); with none, both are keyword-only.</summary>
public sealed partial class IndexingFeature : IDisposable
{
    private readonly Func<EmbedderChoice?> _chooseEmbedder;
    private readonly IndexerOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IndexStore? _store;
    private WorkspaceSearcher? _searcher;
    private string? _searcherModel;

    public IndexingFeature(
        Func<EmbedderChoice?>? chooseEmbedder = null,
        IndexerOptions? options = null,
        ILoggerFactory? loggerFactory = null)
    {
        _chooseEmbedder = chooseEmbedder ?? (() => null);
        _options = options ?? new IndexerOptions();
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<IndexingFeature>();
    }

    public async Task<IndexRunSummary> IndexFolderAsync(IndexFolderRequest request, IProgress<IndexProgress>? progress, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(request.Folder))
        {
            throw new LlmLspException(ErrorKind.InvalidInput, $"folder not found: {request.Folder}");
        }

        var databasePath = Path.GetFullPath(request.DatabasePath ?? IndexLocation.DefaultDatabasePath(request.Folder));
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Close();
            _store = IndexStore.OpenForIndexing(databasePath, request.Folder, request.Rebuild);
            var embedder = _chooseEmbedder();
            var indexer = new WorkspaceIndexer(_store, _options, embedder?.Generator, embedder?.ModelId, _logger);
            return await indexer.RunAsync(progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IReadOnlyList<SearchHit>> SearchAsync(SearchRequest request, CancellationToken cancellationToken)
    {
        var databasePath = Path.GetFullPath(request.DatabasePath ?? IndexLocation.FindForDirectory(request.Directory ?? Environment.CurrentDirectory));
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_store is null || !string.Equals(_store.DatabasePath, databasePath, StringComparison.Ordinal))
            {
                Close();
                _store = IndexStore.OpenExisting(databasePath);
            }

            var embedder = _chooseEmbedder();
            if (_searcher is null || _searcherModel != embedder?.ModelId)
            {
                _searcher = WorkspaceSearcher.Load(_store, embedder?.Generator, embedder?.ModelId, _logger);
                _searcherModel = embedder?.ModelId;
                if (_searcher.Notice is { } notice)
                {
                    LogKeywordOnly(_logger, notice);
                }
            }
            return await _searcher.SearchAsync(request.Query, request.Top, cancellationToken, request.Mode).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The folder the open (or given) index covers, for turning hit paths into absolute ones.</summary>
    public string? IndexedRoot => _store?.Root;

    public void Dispose()
    {
        Close();
        _gate.Dispose();
    }

    private void Close()
    {
        _searcher = null;
        _searcherModel = null;
        _store?.Dispose();
        _store = null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Notice}")]
    private static partial void LogKeywordOnly(ILogger logger, string notice);
}

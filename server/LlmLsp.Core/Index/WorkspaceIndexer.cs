using System.Diagnostics;
using System.Security.Cryptography;
using LlmLsp.Index.Chunking;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmLsp.Index;

/// <summary>Brings an <see cref="IndexStore"/> up to date with its folder: new and changed files are
/// chunked, analysed and (with an embedding generator) embedded; unchanged files are skipped by
/// size+mtime and then by content hash; deleted or newly excluded files are removed; files embedded
/// with another model are re-embedded. Work is committed in batches of files, one transaction each, so
/// a killed run leaves a consistent index and the next run picks up where it stopped.</summary>
public sealed partial class WorkspaceIndexer
{
    private readonly IndexStore _store;
    private readonly IndexerOptions _options;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embedder;
    private readonly string? _embeddingModel;
    private readonly ILogger _logger;

    /// <summary>Set when the embedder failed: the rest of the run is keyword-only, and the files left without
    /// vectors are embedded by a later run.</summary>
    private string? _embeddingProblem;

    public WorkspaceIndexer(
        IndexStore store,
        IndexerOptions? options = null,
        IEmbeddingGenerator<string, Embedding<float>>? embedder = null,
        string? embeddingModelId = null,
        ILogger? logger = null)
    {
        if (embedder is not null && string.IsNullOrEmpty(embeddingModelId))
        {
            throw new ArgumentException("an embedding generator needs its model id, so vectors of different models are never mixed", nameof(embeddingModelId));
        }

        _store = store;
        _options = options ?? new IndexerOptions();
        _embedder = embedder;
        _embeddingModel = embedder is null ? null : embeddingModelId;
        _logger = logger ?? NullLogger.Instance;
    }

    public async Task<IndexRunSummary> RunAsync(IProgress<IndexProgress>? progress, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var root = _store.Root;
        var previousModel = _store.EmbeddingModel;
        progress?.Report(new IndexProgress(IndexPhase.Scanning, 0, 0));
        var walk = new WorkspaceWalker(_options.Walker).Walk(root, cancellationToken);
        var skipped = new List<SkippedPath>(walk.Skipped);
        var stored = _store.LoadFiles();
        var chunker = new DocumentChunker(_options.Chunking);

        var toRead = new List<WorkspaceFile>();
        var toReembed = new List<StoredFile>();
        var unchanged = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in walk.Files)
        {
            seen.Add(file.RelativePath);
            if (stored.TryGetValue(file.RelativePath, out var known) && known.Size == file.Size && known.ModifiedTicksUtc == file.ModifiedTicksUtc)
            {
                if (NeedsEmbedding(known))
                {
                    toReembed.Add(known);
                }
                else
                {
                    unchanged++;
                }
            }
            else
            {
                toRead.Add(file);
            }
        }

        var deletes = stored.Values.Where(f => !seen.Contains(f.Path)).ToList();
        var total = toRead.Count + toReembed.Count;
        var done = 0;
        var indexed = 0;
        var reembedded = 0;
        var chunksWritten = 0;
        var removed = deletes.Count;

        var writes = new List<FileWrite>();
        long batchBytes = 0;
        void Commit()
        {
            if (writes.Count == 0 && deletes.Count == 0)
            {
                return;
            }

            _store.Apply(new IndexBatch(writes.ToList(), deletes.ToList()));
            LogBatchCommitted(_logger, writes.Count, deletes.Count);
            writes.Clear();
            deletes.Clear();
            batchBytes = 0;
        }

        var firstNewId = _store.AllocateFileIds(toRead.Count(f => !stored.ContainsKey(f.RelativePath)));
        var nextNewId = firstNewId;
        progress?.Report(new IndexProgress(IndexPhase.Indexing, 0, total));

        foreach (var file in toRead)
        {
            cancellationToken.ThrowIfCancellationRequested();
            stored.TryGetValue(file.RelativePath, out var known);
            var maxBytes = DocumentKinds.IsPackagedDocument(file.RelativePath) ? _options.Walker.MaxDocumentFileBytes : _options.Walker.MaxTextFileBytes;
            var content = FileContentReader.Read(root, file, maxBytes);
            var write = await PrepareAsync(file, known, content, chunker, () => nextNewId++, skipped, cancellationToken).ConfigureAwait(false);
            done++;
            if (write is null)
            {
                if (known is not null)
                {
                    // It was indexed before and cannot be now: the old chunks must not linger.
                    deletes.Add(known);
                    removed++;
                }
            }
            else
            {
                writes.Add(write);
                if (write.Chunks is null)
                {
                    unchanged++;
                }
                else
                {
                    indexed++;
                    chunksWritten += write.Chunks.Count;
                }

                batchBytes += content.Bytes?.Length ?? 0;
            }

            if (writes.Count >= _options.BatchFiles || batchBytes >= _options.BatchBytes)
            {
                Commit();
            }

            progress?.Report(new IndexProgress(IndexPhase.Indexing, done, total, file.RelativePath));
        }

        Commit();

        foreach (var file in toReembed)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunks = _store.GetChunks(file.FileId);
            var vectors = await EmbedAsync(file.Path, chunks.Select(c => (c.Heading, c.Text)).ToList(), cancellationToken).ConfigureAwait(false);
            if (vectors is null)
            {
                break; // the embedder failed; the keyword index is already complete
            }
            writes.Add(new FileWrite(file with { EmbeddingModel = _embeddingModel }, null, null, vectors));
            reembedded++;
            done++;
            if (writes.Count >= _options.BatchFiles)
            {
                Commit();
            }

            progress?.Report(new IndexProgress(IndexPhase.Embedding, done, total, file.Path));
        }

        Commit();
        var totalChunks = _store.CountChunks();
        progress?.Report(new IndexProgress(IndexPhase.Done, done, total));
        return new IndexRunSummary(root, _store.DatabasePath, walk.Files.Count, indexed, unchanged, removed, reembedded, chunksWritten, totalChunks, skipped, stopwatch.Elapsed,
            _store.ReplacedSchema)
        {
            EmbeddingModel = _embeddingProblem is null ? _embeddingModel : null,
            PreviousEmbeddingModel = previousModel is not null && _embeddingModel is not null && previousModel != _embeddingModel ? previousModel : null,
            EmbeddingProblem = _embeddingProblem,
        };
    }

    private async Task<FileWrite?> PrepareAsync(
        WorkspaceFile file,
        StoredFile? known,
        FileContent content,
        DocumentChunker chunker,
        Func<int> newFileId,
        List<SkippedPath> skipped,
        CancellationToken cancellationToken)
    {
        if (content.Bytes is null)
        {
            skipped.Add(new SkippedPath(file.RelativePath, content.Skip ?? SkipReason.Unreadable, content.Detail));
            LogSkipped(_logger, file.RelativePath, content.Skip ?? SkipReason.Unreadable);
            return null;
        }

        var hash = Convert.ToHexString(SHA256.HashData(content.Bytes), 0, 16);
        if (known is not null && known.Hash == hash)
        {
            // Touched but not changed: record the new mtime so the fast path works next time.
            var touched = known with { Size = file.Size, ModifiedTicksUtc = file.ModifiedTicksUtc };
            if (!NeedsEmbedding(known))
            {
                return new FileWrite(touched, null, null, null);
            }

            var stored = _store.GetChunks(known.FileId);
            var vectors = await EmbedAsync(file.RelativePath, stored.Select(c => (c.Heading, c.Text)).ToList(), cancellationToken).ConfigureAwait(false);
            return vectors is null
                ? new FileWrite(touched, null, null, null)
                : new FileWrite(touched with { EmbeddingModel = _embeddingModel }, null, null, vectors);
        }

        var result = chunker.Chunk(file.RelativePath, content.Bytes);
        if (result.Skip is { } reason)
        {
            skipped.Add(new SkippedPath(file.RelativePath, reason, result.Detail));
            LogSkipped(_logger, file.RelativePath, reason);
            return null;
        }

        var chunks = result.Chunks.Count < (1 << ChunkIds.OrdinalBits) ? result.Chunks : result.Chunks.Take((1 << ChunkIds.OrdinalBits) - 1).ToList();
        var pairs = chunks.Select(c => (c.Heading, c.Text)).ToList();
        var postings = FilePostings.Build(file.RelativePath, pairs).Encode();
        var embedded = _embedder is null ? null : await EmbedAsync(file.RelativePath, pairs, cancellationToken).ConfigureAwait(false);
        var record = new StoredFile(file.RelativePath, known?.FileId ?? newFileId(), file.Size, file.ModifiedTicksUtc, hash, chunks.Count, embedded?.Model);
        return new FileWrite(record, chunks, postings, embedded);
    }

    private bool NeedsEmbedding(StoredFile file) =>
        _embeddingModel is not null && file.ChunkCount > 0 && !string.Equals(file.EmbeddingModel, _embeddingModel, StringComparison.Ordinal);

    private async Task<QuantizedVectors?> EmbedAsync(string path, IReadOnlyList<(string Heading, string Text)> chunks, CancellationToken cancellationToken)
    {
        if (_embedder is null || _embeddingModel is null || _embeddingProblem is not null)
        {
            return null;
        }

        try
        {
            return await EmbedAllAsync(path, chunks, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is LlmLspException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            // A model that cannot load or run must not cost the user the index: keep going on keywords.
            _embeddingProblem = ex.Message;
            LogEmbeddingFailed(_logger, _embeddingModel, ex.Message);
            return null;
        }
    }

    private async Task<QuantizedVectors> EmbedAllAsync(string path, IReadOnlyList<(string Heading, string Text)> chunks, CancellationToken cancellationToken)
    {

        var inputs = chunks.Select(c => EmbeddingInput(path, c.Heading, c.Text)).ToList();
        var dimension = 0;
        sbyte[] values = [];
        var scales = new float[inputs.Count];
        for (var start = 0; start < inputs.Count; start += _options.EmbeddingBatchSize)
        {
            var batch = inputs.Skip(start).Take(_options.EmbeddingBatchSize).ToList();
            var embeddings = await _embedder!.GenerateAsync(batch, cancellationToken: cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < embeddings.Count; i++)
            {
                var vector = embeddings[i].Vector.Span;
                if (dimension == 0)
                {
                    dimension = vector.Length;
                    values = new sbyte[inputs.Count * dimension];
                }
                else if (vector.Length != dimension)
                {
                    throw new InvalidOperationException($"the embedding generator returned vectors of {vector.Length} and {dimension} dimensions");
                }

                scales[start + i] = VectorQuantizer.Quantize(vector, values.AsSpan((start + i) * dimension, dimension));
            }
        }

        return new QuantizedVectors(_embeddingModel!, dimension, values, scales);
    }

    /// <summary>The path and heading are part of what a chunk means ("Install" under "Windows" in setup.md).</summary>
    public static string EmbeddingInput(string path, string heading, string text) => $"{path} | {heading}\n{text}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedding with {Model} failed, so this run indexes keywords only: {Reason}")]
    private static partial void LogEmbeddingFailed(ILogger logger, string model, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Skipped {Path}: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string path, SkipReason reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Committed {Writes} file updates and {Deletes} removals")]
    private static partial void LogBatchCommitted(ILogger logger, int writes, int deletes);
}

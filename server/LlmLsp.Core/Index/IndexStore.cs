using System.Runtime.InteropServices;
using LiteDB;
using LiteDB.Engine;
using LlmLsp.Index.Chunking;

namespace LlmLsp.Index;

/// <summary>The workspace index in one LiteDB file, held by one process: LiteDB works on file streams this store
/// opens exclusively (<see cref="IndexFileStream"/>).
/// Collections (schema v2):
/// <list type="bullet">
/// <item><c>meta</c>: one document <c>{_id:"index", schema, root, nextFileId, model, dim}</c>.</item>
/// <item><c>files</c>: <c>{_id: relative path, fid, size, mtime, hash, chunks, model}</c>.</item>
/// <item><c>chunks</c>: <c>{_id: fid, c: [{s, e, p, h, t}, ...]}</c>, a file's chunks in ordinal order (lines, page,
/// heading, text). One document per file, not per chunk: a file is always written and deleted whole, and 15x
/// fewer documents made inserting them 3.5x cheaper (schema v1 had one per chunk).</item>
/// <item><c>postings</c>: <c>{_id: fid, d: varint blob}</c>, see <see cref="FilePostings"/>.</item>
/// <item><c>vectors</c>: <c>{_id: fid, m: model, n: dimension, q: int8 blob, k: float32 scales}</c>.</item>
/// </list>
/// Every change goes through <see cref="Apply"/> as one transaction, so a crash leaves either the old or
/// the new state of a batch, never a mix; each committed batch is synced to disk once (see <see cref="IndexFileStream"/>).</summary>
public sealed class IndexStore : IDisposable
{
    public const int SchemaVersion = 2;

    private const string MetaId = "index";

    private readonly LiteDatabase _database;
    private readonly IndexFileStream _dataFile;
    private readonly IndexFileStream _logFile;
    private readonly ILiteCollection<BsonDocument> _meta;
    private readonly ILiteCollection<BsonDocument> _files;
    private readonly ILiteCollection<BsonDocument> _chunks;
    private readonly ILiteCollection<BsonDocument> _postings;
    private readonly ILiteCollection<BsonDocument> _vectors;
    private BsonDocument _metaDocument;
    private int _pendingNextFileId;

    private IndexStore(string databasePath, LiteDatabase database, IndexFileStream dataFile, IndexFileStream logFile, BsonDocument meta)
    {
        DatabasePath = databasePath;
        _database = database;
        _dataFile = dataFile;
        _logFile = logFile;
        _meta = database.GetCollection("meta");
        _files = database.GetCollection("files");
        _chunks = database.GetCollection("chunks");
        _postings = database.GetCollection("postings");
        _vectors = database.GetCollection("vectors");
        _metaDocument = meta;
    }

    public string DatabasePath { get; }

    /// <summary>The schema of an index an older llmlsp wrote for this folder, which this open discarded to build
    /// a current one; null when nothing was replaced.</summary>
    public int? ReplacedSchema { get; private set; }

    /// <summary>The absolute folder this index covers; hit paths are relative to it.</summary>
    public string Root => _metaDocument["root"].AsString;

    public string? EmbeddingModel => _metaDocument["model"].IsNull ? null : _metaDocument["model"].AsString;

    public int EmbeddingDimension => _metaDocument["dim"].AsInt32;

    /// <summary>Opens (creating when absent) the index of <paramref name="folder"/> for indexing.
    /// <paramref name="rebuild"/> deletes an existing file first. Otherwise an index is discarded only when an older
    /// llmlsp wrote it for this same folder: it holds nothing the folder's files cannot give again, and this build
    /// cannot read it (see <see cref="ReplacedSchema"/>). A newer, damaged or another folder's index is refused.</summary>
    public static IndexStore OpenForIndexing(string databasePath, string folder, bool rebuild)
    {
        var root = PathGuard.NormalizeRoot(folder);
        if (rebuild)
        {
            DeleteDatabaseFiles(databasePath);
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        IndexStore store;
        try
        {
            store = Open(databasePath, createRoot: root);
        }
        catch (OutdatedIndexException outdated)
        {
            DeleteDatabaseFiles(databasePath);
            store = Open(databasePath, createRoot: root);
            store.ReplacedSchema = outdated.Schema;
        }

        if (!string.Equals(store.Root, root, StringComparison.Ordinal))
        {
            var owner = store.Root;
            store.Dispose();
            throw new LlmLspException(ErrorKind.InvalidInput,
                $"the index {databasePath} belongs to {owner}, not {root}; pass another --db or run `llmlsp index {folder} --db {databasePath} --rebuild` to replace it");
        }

        return store;
    }

    /// <summary>Opens an existing index for searching.</summary>
    public static IndexStore OpenExisting(string databasePath)
    {
        if (!File.Exists(databasePath))
        {
            throw new LlmLspException(ErrorKind.IndexNotFound, $"no index at {databasePath}; run `llmlsp index <folder>` first");
        }

        return Open(databasePath, createRoot: null);
    }

    public static void DeleteDatabaseFiles(string databasePath)
    {
        File.Delete(databasePath);
        File.Delete(LogFilePath(databasePath));
    }

    /// <summary>LiteDB's write-ahead log lives next to the data file as "name-log.ext".</summary>
    public static string LogFilePath(string databasePath) =>
        Path.Combine(Path.GetDirectoryName(databasePath) ?? "", Path.GetFileNameWithoutExtension(databasePath) + "-log" + Path.GetExtension(databasePath));

    private static IndexStore Open(string databasePath, string? createRoot)
    {
        var rebuildHint = $"run `llmlsp index <folder> --rebuild` (or delete {databasePath}) to rebuild it";
        IndexFileStream? dataFile = null;
        IndexFileStream? logFile = null;
        LiteDatabase database;
        try
        {
            dataFile = IndexFileStream.Open(databasePath, syncOnFlush: true);
            logFile = IndexFileStream.Open(LogFilePath(databasePath), syncOnFlush: false);
            database = new LiteDatabase(new LiteEngine(new EngineSettings { DataStream = dataFile, LogStream = logFile }));
        }
        catch (Exception ex) when (ex is LiteException or InvalidDataException or IOException or ArgumentException or InvalidCastException or IndexOutOfRangeException)
        {
            CloseFiles(dataFile, logFile);
            if (ex is IOException io && IsSharingViolation(io))
            {
                throw new LlmLspException(ErrorKind.Busy, $"the index {databasePath} is in use by another llmlsp process", ex);
            }

            throw new LlmLspException(ErrorKind.IndexCorrupt, $"the index {databasePath} is not a readable llmlsp index ({ex.Message}); {rebuildHint}", ex);
        }

        try
        {
            var meta = database.GetCollection("meta").FindById(MetaId);
            if (meta is null)
            {
                if (createRoot is null || database.GetCollectionNames().Any(name => name != "meta"))
                {
                    throw new LlmLspException(ErrorKind.IndexCorrupt, $"the index {databasePath} has no schema record; {rebuildHint}");
                }

                meta = new BsonDocument
                {
                    ["_id"] = MetaId,
                    ["schema"] = SchemaVersion,
                    ["root"] = createRoot,
                    ["nextFileId"] = 1,
                    ["model"] = BsonValue.Null,
                    ["dim"] = 0,
                };
                database.GetCollection("meta").Upsert(meta);
                database.Checkpoint();
                logFile.SyncToDisk();
            }

            var schema = meta["schema"].IsInt32 ? meta["schema"].AsInt32 : -1;
            if (schema > SchemaVersion)
            {
                throw new LlmLspException(ErrorKind.IndexCorrupt,
                    $"the index {databasePath} was written by a newer llmlsp (schema v{schema}; this build reads v{SchemaVersion}); upgrade llmlsp or {rebuildHint}");
            }

            if (schema < SchemaVersion && schema > 0)
            {
                if (createRoot is not null && meta["root"].IsString && meta["root"].AsString == createRoot)
                {
                    throw new OutdatedIndexException(schema);
                }

                throw new LlmLspException(ErrorKind.IndexCorrupt,
                    $"the index {databasePath} was written by an older llmlsp (schema v{schema}; this build reads v{SchemaVersion}); " +
                    "index its folder again to rebuild it (`llmlsp index <folder>`, or Index This Folder in the editor)");
            }

            if (schema < SchemaVersion || !meta["root"].IsString)
            {
                throw new LlmLspException(ErrorKind.IndexCorrupt, $"the index {databasePath} has an unknown schema (v{schema}); {rebuildHint}");
            }

            return new IndexStore(databasePath, database, dataFile, logFile, meta);
        }
        catch (Exception ex) when (ex is not (LlmLspException or OutdatedIndexException))
        {
            database.Dispose();
            CloseFiles(dataFile, logFile);
            throw new LlmLspException(ErrorKind.IndexCorrupt, $"the index {databasePath} is damaged ({ex.Message}); {rebuildHint}", ex);
        }
        catch
        {
            database.Dispose();
            CloseFiles(dataFile, logFile);
            throw;
        }
    }

    /// <summary>Closes the files after LiteDB is done with them; the log is removed once a checkpoint has emptied it,
    /// as LiteDB does for the files it opens itself.</summary>
    private static void CloseFiles(IndexFileStream? dataFile, IndexFileStream? logFile)
    {
        dataFile?.Dispose();
        if (logFile is null)
        {
            return;
        }

        var emptyLog = logFile.Length == 0;
        logFile.Dispose();
        if (emptyLog)
        {
            File.Delete(logFile.Path);
        }
    }

    /// <summary>Open's signal to <see cref="OpenForIndexing"/> that the file is an older schema of this folder's index.</summary>
    private sealed class OutdatedIndexException(int schema) : Exception
    {
        public int Schema { get; } = schema;
    }

    private static bool IsSharingViolation(IOException ex) =>
        ex.Message.Contains("being used by another process", StringComparison.OrdinalIgnoreCase)
        || ex.HResult == unchecked((int)0x80070020);

    public Dictionary<string, StoredFile> LoadFiles()
    {
        var files = new Dictionary<string, StoredFile>(StringComparer.Ordinal);
        foreach (var doc in Guard(() => _files.FindAll().ToList()))
        {
            var file = ToStoredFile(doc);
            files[file.Path] = file;
        }

        return files;
    }

    public Dictionary<int, string> LoadFilePathsById()
    {
        var paths = new Dictionary<int, string>();
        foreach (var doc in Guard(() => _files.Query().Select("{_id, fid}").ToList()))
        {
            paths[doc["fid"].AsInt32] = doc["_id"].AsString;
        }

        return paths;
    }

    public IEnumerable<(int FileId, byte[] Postings)> ReadAllPostings()
    {
        foreach (var doc in _postings.FindAll())
        {
            yield return (doc["_id"].AsInt32, doc["d"].AsBinary);
        }
    }

    /// <summary>Vectors made with <paramref name="model"/>; vectors of an older model are ignored until re-embedded.</summary>
    public IEnumerable<(int FileId, QuantizedVectors Vectors)> ReadVectors(string model)
    {
        foreach (var doc in _vectors.Find(Query.EQ("m", model)))
        {
            yield return (doc["_id"].AsInt32, new QuantizedVectors(model, doc["n"].AsInt32, MemoryMarshal.Cast<byte, sbyte>(doc["q"].AsBinary).ToArray(), MemoryMarshal.Cast<byte, float>(doc["k"].AsBinary).ToArray()));
        }
    }

    /// <summary>The chunks of one file in ordinal order (empty when the file has none or is unknown).</summary>
    public List<StoredChunk> GetChunks(int fileId)
    {
        var doc = Guard(() => _chunks.FindById(fileId));
        if (doc is null)
        {
            return [];
        }

        return Guard(() =>
        {
            var array = doc["c"].AsArray;
            var chunks = new List<StoredChunk>(array.Count);
            for (var ordinal = 0; ordinal < array.Count; ordinal++)
            {
                var chunk = array[ordinal].AsDocument;
                chunks.Add(new StoredChunk(ChunkIds.Make(fileId, ordinal), fileId, chunk["s"].AsInt32, chunk["e"].AsInt32,
                    chunk["p"].IsNull ? null : chunk["p"].AsInt32, chunk["h"].AsString, chunk["t"].AsString));
            }

            return chunks;
        });
    }

    /// <summary>Applies a batch in one transaction: all of it is visible afterwards, or (after a crash
    /// or exception) none of it.</summary>
    public void Apply(IndexBatch batch)
    {
        // LiteDB transactions are per thread, so nothing in here may await.
        _database.BeginTrans();
        try
        {
            var nextFileId = _metaDocument["nextFileId"].AsInt32;
            foreach (var file in batch.Deletes)
            {
                _files.Delete(file.Path);
                _chunks.Delete(file.FileId);
                _postings.Delete(file.FileId);
                _vectors.Delete(file.FileId);
            }

            string? model = EmbeddingModel;
            var dimension = EmbeddingDimension;
            foreach (var write in batch.Writes)
            {
                var fileId = write.File.FileId;
                nextFileId = Math.Max(nextFileId, fileId + 1);
                if (write.Chunks is not null)
                {
                    if (write.Chunks.Count > 0)
                    {
                        _chunks.Upsert(ToDocument(fileId, write.Chunks));
                    }
                    else
                    {
                        _chunks.Delete(fileId);
                    }

                    _postings.Upsert(new BsonDocument { ["_id"] = fileId, ["d"] = write.Postings ?? [] });
                    if (write.Vectors is null)
                    {
                        _vectors.Delete(fileId);
                    }
                }

                if (write.Vectors is { } vectors)
                {
                    _vectors.Upsert(new BsonDocument
                    {
                        ["_id"] = fileId,
                        ["m"] = vectors.Model,
                        ["n"] = vectors.Dimension,
                        ["q"] = MemoryMarshal.AsBytes(vectors.Values.AsSpan()).ToArray(),
                        ["k"] = MemoryMarshal.AsBytes(vectors.Scales.AsSpan()).ToArray(),
                    });
                    model = vectors.Model;
                    dimension = vectors.Dimension;
                }

                _files.Upsert(ToDocument(write.File));
            }

            var meta = new BsonDocument(_metaDocument.ToDictionary(p => p.Key, p => p.Value))
            {
                ["nextFileId"] = nextFileId,
                ["model"] = model is null ? BsonValue.Null : model,
                ["dim"] = dimension,
            };
            _meta.Upsert(meta);
            _database.Commit();
            _logFile.SyncToDisk();
            _metaDocument = meta;
        }
        catch
        {
            _database.Rollback();
            throw;
        }
    }

    public int AllocateFileIds(int count)
    {
        // Ids are handed out in memory and persisted by the batch that first uses them; a crash before
        // that commit simply hands the same ids out again.
        var first = Math.Max(_metaDocument["nextFileId"].AsInt32, _pendingNextFileId);
        _pendingNextFileId = first + count;
        return first;
    }

    /// <summary>The chunks of all files, as recorded per file (<see cref="CheckConsistency"/> checks the records).</summary>
    public int CountChunks() => Guard(() => _files.Query().Select("{chunks}").ToEnumerable().Sum(d => d["chunks"].AsInt32));

    /// <summary>Checks the invariants a crash must not break: every chunk, postings and vectors
    /// document belongs to a file, and every file has exactly its chunks.</summary>
    public ConsistencyReport CheckConsistency()
    {
        var files = LoadFiles().Values.ToDictionary(f => f.FileId);
        var perFile = new Dictionary<int, int>();
        var chunks = 0;
        var orphanChunks = 0;
        foreach (var doc in _chunks.FindAll())
        {
            var fileId = doc["_id"].AsInt32;
            var count = doc["c"].AsArray.Count;
            chunks += count;
            if (files.ContainsKey(fileId))
            {
                perFile[fileId] = count;
            }
            else
            {
                orphanChunks += count;
            }
        }

        var orphanPostings = _postings.Query().Select("{_id}").ToEnumerable().Count(d => !files.ContainsKey(d["_id"].AsInt32));
        var orphanVectors = _vectors.Query().Select("{_id}").ToEnumerable().Count(d => !files.ContainsKey(d["_id"].AsInt32));
        var wrongCounts = files.Values.Count(f => perFile.GetValueOrDefault(f.FileId) != f.ChunkCount);
        return new ConsistencyReport(files.Count, chunks, orphanChunks, orphanPostings, orphanVectors, wrongCounts);
    }

    public void Dispose()
    {
        _database.Dispose();
        CloseFiles(_dataFile, _logFile);
    }

    private T Guard<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is LiteException or InvalidCastException or IndexOutOfRangeException or InvalidDataException)
        {
            throw new LlmLspException(ErrorKind.IndexCorrupt,
                $"the index {DatabasePath} is damaged ({ex.Message}); run `llmlsp index <folder> --rebuild` to rebuild it", ex);
        }
    }

    private static StoredFile ToStoredFile(BsonDocument doc) => new(
        doc["_id"].AsString,
        doc["fid"].AsInt32,
        doc["size"].AsInt64,
        doc["mtime"].AsInt64,
        doc["hash"].AsString,
        doc["chunks"].AsInt32,
        doc["model"].IsNull ? null : doc["model"].AsString);

    private static BsonDocument ToDocument(StoredFile file) => new()
    {
        ["_id"] = file.Path,
        ["fid"] = file.FileId,
        ["size"] = file.Size,
        ["mtime"] = file.ModifiedTicksUtc,
        ["hash"] = file.Hash,
        ["chunks"] = file.ChunkCount,
        ["model"] = file.EmbeddingModel is null ? BsonValue.Null : file.EmbeddingModel,
    };

    private static BsonDocument ToDocument(int fileId, IReadOnlyList<ChunkDraft> chunks)
    {
        var array = new BsonArray();
        foreach (var chunk in chunks)
        {
            array.Add(new BsonDocument
            {
                ["s"] = chunk.StartLine,
                ["e"] = chunk.EndLine,
                ["p"] = chunk.Page is { } page ? page : BsonValue.Null,
                ["h"] = chunk.Heading,
                ["t"] = chunk.Text,
            });
        }

        return new BsonDocument { ["_id"] = fileId, ["c"] = array };
    }
}

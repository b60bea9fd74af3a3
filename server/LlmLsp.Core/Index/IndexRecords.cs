using LlmLsp.Index.Chunking;

namespace LlmLsp.Index;

/// <summary>A file as the index knows it. <see cref="EmbeddingModel"/> is the model its chunk vectors
/// were made with (null: none), so a model change is noticed per file and survives a crash.</summary>
public sealed record StoredFile(string Path, int FileId, long Size, long ModifiedTicksUtc, string Hash, int ChunkCount, string? EmbeddingModel);

public sealed record StoredChunk(long Id, int FileId, int StartLine, int EndLine, int? Page, string Heading, string Text);

/// <summary>int8 vectors of one file's chunks (row-major, <see cref="Dimension"/> per chunk) with one
/// scale per chunk: value ≈ q * scale.</summary>
public sealed record QuantizedVectors(string Model, int Dimension, sbyte[] Values, float[] Scales);

/// <summary>One file's new state. <see cref="Chunks"/> null keeps the stored chunks and postings (only
/// metadata or vectors change); <see cref="Vectors"/> null with new chunks drops the old vectors.</summary>
public sealed record FileWrite(StoredFile File, IReadOnlyList<ChunkDraft>? Chunks, byte[]? Postings, QuantizedVectors? Vectors);

/// <summary>Everything applied in one transaction.</summary>
public sealed record IndexBatch(IReadOnlyList<FileWrite> Writes, IReadOnlyList<StoredFile> Deletes);

public sealed record ConsistencyReport(int Files, int Chunks, int OrphanChunks, int OrphanPostings, int OrphanVectors, int FilesWithWrongChunkCount)
{
    public bool IsConsistent => OrphanChunks == 0 && OrphanPostings == 0 && OrphanVectors == 0 && FilesWithWrongChunkCount == 0;
}

/// <summary>Chunk ids encode their file, so a file's chunks are one primary-key range that can be
/// deleted without a secondary index.</summary>
public static class ChunkIds
{
    public const int OrdinalBits = 20;

    public static long Make(int fileId, int ordinal) => ((long)fileId << OrdinalBits) | (uint)ordinal;

    public static int FileOf(long chunkId) => (int)(chunkId >> OrdinalBits);

    public static int OrdinalOf(long chunkId) => (int)(chunkId & ((1L << OrdinalBits) - 1));
}

using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using LlmLsp.Index;

namespace LlmLsp.Retrieval;

/// <summary>Brute-force cosine search over int8 vectors kept in one contiguous array (chunk-major), so
/// a query is a single linear scan that SIMD and the prefetcher handle well even at 200k chunks.</summary>
public sealed class VectorIndex
{
    private readonly sbyte[] _values;
    private readonly float[] _scales;
    private readonly long[] _chunkIds;

    public VectorIndex(string model, int dimension, sbyte[] values, float[] scales, long[] chunkIds)
    {
        if (values.Length != (long)dimension * chunkIds.Length || scales.Length != chunkIds.Length)
        {
            throw new ArgumentException("vector data does not match the chunk count and dimension");
        }

        Model = model;
        Dimension = dimension;
        _values = values;
        _scales = scales;
        _chunkIds = chunkIds;
    }

    public string Model { get; }

    public int Dimension { get; }

    public int Count => _chunkIds.Length;

    /// <summary>Loads the vectors of <paramref name="model"/>; null when there are none.</summary>
    public static VectorIndex? Load(IndexStore store, string model)
    {
        var files = store.ReadVectors(model).ToList();
        var dimension = files.Count == 0 ? 0 : files[0].Vectors.Dimension;
        files.RemoveAll(f => f.Vectors.Dimension != dimension);
        var count = files.Sum(f => f.Vectors.Scales.Length);
        if (count == 0)
        {
            return null;
        }

        var values = new sbyte[(long)count * dimension];
        var scales = new float[count];
        var chunkIds = new long[count];
        var slot = 0;
        foreach (var (fileId, vectors) in files)
        {
            vectors.Values.CopyTo(values, (long)slot * dimension);
            vectors.Scales.CopyTo(scales, slot);
            for (var ordinal = 0; ordinal < vectors.Scales.Length; ordinal++)
            {
                chunkIds[slot + ordinal] = ChunkIds.Make(fileId, ordinal);
            }

            slot += vectors.Scales.Length;
        }

        return new VectorIndex(model, dimension, values, scales, chunkIds);
    }

    public List<(long ChunkId, float Score)> Search(ReadOnlySpan<float> query, int count)
    {
        var results = new List<(long, float)>();
        if (query.Length != Dimension || count <= 0)
        {
            return results;
        }

        var quantized = new sbyte[Dimension];
        var queryScale = VectorQuantizer.Quantize(query, quantized);
        var heap = new PriorityQueue<int, float>(count + 1);
        var values = _values.AsSpan();
        for (var slot = 0; slot < _chunkIds.Length; slot++)
        {
            var score = Dot(quantized, values.Slice(slot * Dimension, Dimension)) * queryScale * _scales[slot];
            if (heap.Count < count)
            {
                heap.Enqueue(slot, score);
            }
            else if (heap.TryPeek(out _, out var worst) && score > worst)
            {
                heap.DequeueEnqueue(slot, score);
            }
        }

        while (heap.TryDequeue(out var slot, out var score))
        {
            results.Add((_chunkIds[slot], score));
        }

        results.Reverse();
        return results;
    }

    /// <summary>int8 dot product accumulated in int32 (127*127*dimension never overflows for real models).</summary>
    public static int Dot(ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b)
    {
        var i = 0;
        var sum = 0;
        if (Vector256.IsHardwareAccelerated && a.Length >= 32)
        {
            var accumulator = Vector256<int>.Zero;
            for (; i <= a.Length - 32; i += 32)
            {
                var (aLow, aHigh) = Vector256.Widen(Vector256.Create(a.Slice(i, 32)));
                var (bLow, bHigh) = Vector256.Widen(Vector256.Create(b.Slice(i, 32)));
                if (Avx2.IsSupported)
                {
                    accumulator += Avx2.MultiplyAddAdjacent(aLow, bLow) + Avx2.MultiplyAddAdjacent(aHigh, bHigh);
                }
                else
                {
                    var (p0, p1) = Vector256.Widen(aLow * bLow);
                    var (p2, p3) = Vector256.Widen(aHigh * bHigh);
                    accumulator += p0 + p1 + p2 + p3;
                }
            }

            sum = Vector256.Sum(accumulator);
        }

        for (; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }
}

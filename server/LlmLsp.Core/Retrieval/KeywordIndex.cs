using System.Buffers;
using System.Text;
using LlmLsp.Index;

namespace LlmLsp.Retrieval;

/// <summary>BM25F over three fields (path, heading/symbol, body), held in memory: the per-file postings
/// stored in LiteDB are merged into one term → postings map when the index is opened, so a query
/// touches only the posting lists of its terms.</summary>
public sealed class KeywordIndex
{
    // BM25F parameters: a term in the path or heading says more about the chunk than one in the body.
    private const float K1 = 1.2f;
    private const float PathWeight = 1.5f;
    private const float HeadingWeight = 1.5f;
    private const float BodyWeight = 1.0f;
    private const float PathB = 0.3f;
    private const float HeadingB = 0.5f;
    private const float BodyB = 0.5f;

    private readonly Dictionary<string, PostingList> _terms;
    private readonly long[] _chunkIds;
    private readonly float[] _pathNorm;
    private readonly float[] _headingNorm;
    private readonly float[] _bodyNorm;

    private KeywordIndex(Dictionary<string, PostingList> terms, long[] chunkIds, float[] pathNorm, float[] headingNorm, float[] bodyNorm)
    {
        _terms = terms;
        _chunkIds = chunkIds;
        _pathNorm = pathNorm;
        _headingNorm = headingNorm;
        _bodyNorm = bodyNorm;
    }

    public int ChunkCount => _chunkIds.Length;

    public int TermCount => _terms.Count;

    public static KeywordIndex Load(IEnumerable<(int FileId, byte[] Postings)> files)
    {
        var terms = new Dictionary<string, PostingList>(StringComparer.Ordinal);
        var lookup = terms.GetAlternateLookup<ReadOnlySpan<char>>();
        var chunkIds = new List<long>();
        var lengths = new List<ChunkFieldLengths>();
        var chars = new char[256];
        foreach (var (fileId, blob) in files)
        {
            var reader = new PostingsReader(blob);
            var slotBase = chunkIds.Count;
            var chunkCount = reader.ReadVarint();
            for (var i = 0; i < chunkCount; i++)
            {
                chunkIds.Add(ChunkIds.Make(fileId, reader.ReadVarint()));
                lengths.Add(new ChunkFieldLengths(reader.ReadVarint(), reader.ReadVarint(), reader.ReadVarint()));
            }

            var termCount = reader.ReadVarint();
            for (var t = 0; t < termCount; t++)
            {
                var bytes = reader.ReadBytes(reader.ReadVarint());
                if (chars.Length < bytes.Length)
                {
                    chars = new char[bytes.Length * 2];
                }

                var term = chars.AsSpan(0, Encoding.UTF8.GetChars(bytes, chars));
                if (!lookup.TryGetValue(term, out var list))
                {
                    list = new PostingList();
                    lookup[term] = list;
                }

                var postingCount = reader.ReadVarint();
                for (var p = 0; p < postingCount; p++)
                {
                    var slot = slotBase + reader.ReadVarint();
                    list.Add(slot, reader.ReadVarint(), reader.ReadVarint(), reader.ReadVarint());
                }
            }
        }

        var n = chunkIds.Count;
        double pathTotal = 0, headingTotal = 0, bodyTotal = 0;
        foreach (var l in lengths)
        {
            pathTotal += l.Path;
            headingTotal += l.Heading;
            bodyTotal += l.Body;
        }

        var averagePath = (float)Math.Max(1, pathTotal / Math.Max(1, n));
        var averageHeading = (float)Math.Max(1, headingTotal / Math.Max(1, n));
        var averageBody = (float)Math.Max(1, bodyTotal / Math.Max(1, n));
        var pathNorm = new float[n];
        var headingNorm = new float[n];
        var bodyNorm = new float[n];
        for (var i = 0; i < n; i++)
        {
            pathNorm[i] = PathWeight / (1 - PathB + (PathB * lengths[i].Path / averagePath));
            headingNorm[i] = HeadingWeight / (1 - HeadingB + (HeadingB * lengths[i].Heading / averageHeading));
            bodyNorm[i] = BodyWeight / (1 - BodyB + (BodyB * lengths[i].Body / averageBody));
        }

        return new KeywordIndex(terms, [.. chunkIds], pathNorm, headingNorm, bodyNorm);
    }

    /// <summary>The best <paramref name="count"/> chunks for the query terms, best first.</summary>
    public List<(long ChunkId, float Score)> Search(IReadOnlyCollection<string> queryTerms, int count)
    {
        var n = _chunkIds.Length;
        var results = new List<(long, float)>();
        if (n == 0 || count <= 0)
        {
            return results;
        }

        // The shared pool hands out arrays as their last renter left them, in any process-wide component: start clean.
        var scores = ArrayPool<float>.Shared.Rent(n);
        scores.AsSpan(0, n).Clear();
        var touched = new List<int>();
        try
        {
            foreach (var term in queryTerms)
            {
                if (!_terms.TryGetValue(term, out var list))
                {
                    continue;
                }

                var df = list.Count;
                var idf = (float)Math.Log(1 + ((n - df + 0.5) / (df + 0.5)));
                var slots = list.Slots;
                var frequencies = list.Frequencies;
                for (var i = 0; i < df; i++)
                {
                    var slot = slots[i];
                    var f = i * 3;
                    var tf = (frequencies[f] * _pathNorm[slot]) + (frequencies[f + 1] * _headingNorm[slot]) + (frequencies[f + 2] * _bodyNorm[slot]);
                    if (scores[slot] == 0f)
                    {
                        touched.Add(slot);
                    }

                    scores[slot] += idf * tf * (K1 + 1) / (K1 + tf);
                }
            }

            var heap = new PriorityQueue<int, float>(count + 1);
            foreach (var slot in touched)
            {
                heap.Enqueue(slot, scores[slot]);
                if (heap.Count > count)
                {
                    heap.Dequeue();
                }
            }

            while (heap.TryDequeue(out var slot, out var score))
            {
                results.Add((_chunkIds[slot], score));
            }

            results.Reverse();
            return results;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scores);
        }
    }

    /// <summary>A growable posting list: chunk slots plus (path, heading, body) frequencies, three per slot.</summary>
    private sealed class PostingList
    {
        public int[] Slots = new int[2];
        public ushort[] Frequencies = new ushort[6];
        public int Count;

        public void Add(int slot, int path, int heading, int body)
        {
            if (Count == Slots.Length)
            {
                Array.Resize(ref Slots, Count * 2);
                Array.Resize(ref Frequencies, Count * 6);
            }

            Slots[Count] = slot;
            Frequencies[Count * 3] = (ushort)Math.Min(path, ushort.MaxValue);
            Frequencies[(Count * 3) + 1] = (ushort)Math.Min(heading, ushort.MaxValue);
            Frequencies[(Count * 3) + 2] = (ushort)Math.Min(body, ushort.MaxValue);
            Count++;
        }
    }
}

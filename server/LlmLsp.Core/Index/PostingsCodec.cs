using System.Buffers;
using System.Text;

namespace LlmLsp.Index;

/// <summary>Per-field statistics of one chunk: how long each field is in terms.</summary>
public readonly record struct ChunkFieldLengths(int Path, int Heading, int Body);

/// <summary>One chunk's occurrences of one term, per field.</summary>
public readonly record struct FieldFrequencies(int Path, int Heading, int Body);

/// <summary>The keyword postings of one file as stored in LiteDB: for each chunk its field lengths,
/// then for each term the chunks containing it with per-field frequencies, varint-encoded. A file's
/// postings live and die with the file, so a replaced or deleted file can never leave orphan postings.</summary>
public sealed class FilePostings
{
    public FilePostings(IReadOnlyList<int> chunkOrdinals, IReadOnlyList<ChunkFieldLengths> lengths, IReadOnlyDictionary<string, List<(int ChunkIndex, FieldFrequencies Frequencies)>> terms)
    {
        ChunkOrdinals = chunkOrdinals;
        Lengths = lengths;
        Terms = terms;
    }

    public IReadOnlyList<int> ChunkOrdinals { get; }

    public IReadOnlyList<ChunkFieldLengths> Lengths { get; }

    public IReadOnlyDictionary<string, List<(int ChunkIndex, FieldFrequencies Frequencies)>> Terms { get; }

    /// <summary>Analyzes the chunks of one file into postings.</summary>
    public static FilePostings Build(string relativePath, IReadOnlyList<(string Heading, string Text)> chunks)
    {
        var pathTerms = TermAnalyzer.Analyze(relativePath);
        var terms = new Dictionary<string, List<(int, FieldFrequencies)>>(StringComparer.Ordinal);
        var lengths = new List<ChunkFieldLengths>(chunks.Count);
        var counts = new Dictionary<string, (int Path, int Heading, int Body)>(StringComparer.Ordinal);
        for (var index = 0; index < chunks.Count; index++)
        {
            counts.Clear();
            foreach (var term in pathTerms)
            {
                var c = counts.GetValueOrDefault(term);
                counts[term] = (c.Path + 1, c.Heading, c.Body);
            }

            var headingLength = 0;
            TermAnalyzer.Analyze(chunks[index].Heading, term =>
            {
                headingLength++;
                var c = counts.GetValueOrDefault(term);
                counts[term] = (c.Path, c.Heading + 1, c.Body);
            });
            var bodyLength = 0;
            TermAnalyzer.Analyze(chunks[index].Text, term =>
            {
                bodyLength++;
                var c = counts.GetValueOrDefault(term);
                counts[term] = (c.Path, c.Heading, c.Body + 1);
            });

            lengths.Add(new ChunkFieldLengths(pathTerms.Count, headingLength, bodyLength));
            foreach (var (term, c) in counts)
            {
                if (!terms.TryGetValue(term, out var list))
                {
                    list = [];
                    terms[term] = list;
                }

                list.Add((index, new FieldFrequencies(c.Path, c.Heading, c.Body)));
            }
        }

        return new FilePostings(Enumerable.Range(0, chunks.Count).ToArray(), lengths, terms);
    }

    public byte[] Encode()
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        WriteVarint(buffer, ChunkOrdinals.Count);
        for (var i = 0; i < ChunkOrdinals.Count; i++)
        {
            WriteVarint(buffer, ChunkOrdinals[i]);
            WriteVarint(buffer, Lengths[i].Path);
            WriteVarint(buffer, Lengths[i].Heading);
            WriteVarint(buffer, Lengths[i].Body);
        }

        WriteVarint(buffer, Terms.Count);
        foreach (var (term, postings) in Terms)
        {
            var byteCount = Encoding.UTF8.GetByteCount(term);
            WriteVarint(buffer, byteCount);
            Encoding.UTF8.GetBytes(term, buffer.GetSpan(byteCount));
            buffer.Advance(byteCount);
            WriteVarint(buffer, postings.Count);
            foreach (var (chunkIndex, f) in postings)
            {
                WriteVarint(buffer, chunkIndex);
                WriteVarint(buffer, f.Path);
                WriteVarint(buffer, f.Heading);
                WriteVarint(buffer, f.Body);
            }
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteVarint(ArrayBufferWriter<byte> buffer, int value)
    {
        var span = buffer.GetSpan(5);
        var written = 0;
        var v = (uint)value;
        while (v >= 0x80)
        {
            span[written++] = (byte)(v | 0x80);
            v >>= 7;
        }

        span[written++] = (byte)v;
        buffer.Advance(written);
    }
}

/// <summary>Reads <see cref="FilePostings.Encode"/> output without materialising it, for loading the
/// whole index into memory quickly.</summary>
public ref struct PostingsReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public PostingsReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public int ReadVarint()
    {
        uint result = 0;
        var shift = 0;
        while (true)
        {
            if (_position >= _data.Length || shift > 28)
            {
                throw new InvalidDataException("truncated postings");
            }

            var b = _data[_position++];
            result |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return (int)result;
            }

            shift += 7;
        }
    }

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0 || _position + count > _data.Length)
        {
            throw new InvalidDataException("truncated postings");
        }

        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }
}

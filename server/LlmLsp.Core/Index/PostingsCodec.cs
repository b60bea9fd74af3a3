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
    private readonly List<ChunkFieldLengths> _lengths;
    private readonly List<string> _terms;
    private readonly List<List<(int ChunkIndex, FieldFrequencies Frequencies)>> _postings;

    private FilePostings(List<ChunkFieldLengths> lengths, List<string> terms, List<List<(int, FieldFrequencies)>> postings)
    {
        _lengths = lengths;
        _terms = terms;
        _postings = postings;
    }

    /// <summary>Analyzes the chunks of one file into postings.</summary>
    public static FilePostings Build(string relativePath, IReadOnlyList<(string Heading, string Text)> chunks)
    {
        var counter = new ChunkTermCounter();
        // Every chunk of the file shares the path: analysed once, counted per chunk.
        var pathTerms = counter.TermIds(relativePath);
        var lengths = new List<ChunkFieldLengths>(chunks.Count);
        for (var index = 0; index < chunks.Count; index++)
        {
            counter.Count(pathTerms, Field.Path);
            var headingLength = counter.Count(chunks[index].Heading, Field.Heading);
            var bodyLength = counter.Count(chunks[index].Text, Field.Body);
            lengths.Add(new ChunkFieldLengths(pathTerms.Length, headingLength, bodyLength));
            counter.EndChunk(index);
        }

        return new FilePostings(lengths, counter.Terms, counter.Postings);
    }

    public byte[] Encode()
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        WriteVarint(buffer, _lengths.Count);
        for (var i = 0; i < _lengths.Count; i++)
        {
            WriteVarint(buffer, i);
            WriteVarint(buffer, _lengths[i].Path);
            WriteVarint(buffer, _lengths[i].Heading);
            WriteVarint(buffer, _lengths[i].Body);
        }

        WriteVarint(buffer, _terms.Count);
        for (var t = 0; t < _terms.Count; t++)
        {
            var byteCount = Encoding.UTF8.GetByteCount(_terms[t]);
            WriteVarint(buffer, byteCount);
            Encoding.UTF8.GetBytes(_terms[t], buffer.GetSpan(byteCount));
            buffer.Advance(byteCount);
            WriteVarint(buffer, _postings[t].Count);
            foreach (var (chunkIndex, f) in _postings[t])
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

    private enum Field
    {
        Path,
        Heading,
        Body,
    }

    /// <summary>Counts one chunk's terms per field. Terms get a number the first time the file uses them, so
    /// each occurrence costs a span lookup and an array increment instead of a string and a tuple per term.</summary>
    private sealed class ChunkTermCounter : ITermSink
    {
        private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _idsBySpan;
        private readonly List<int> _touched = [];
        private readonly List<int> _collected = [];
        private FieldFrequencies[] _counts = new FieldFrequencies[256];
        private Field? _countInto;
        private int _counted;

        public ChunkTermCounter() => _idsBySpan = _ids.GetAlternateLookup<ReadOnlySpan<char>>();

        public List<string> Terms { get; } = [];

        public List<List<(int, FieldFrequencies)>> Postings { get; } = [];

        /// <summary>The ids of the terms of <paramref name="text"/>, in order, without counting them.</summary>
        public int[] TermIds(string text)
        {
            _countInto = null;
            _collected.Clear();
            TermAnalyzer.Analyze(text, this);
            return [.. _collected];
        }

        /// <summary>Counts the terms of <paramref name="text"/> in <paramref name="field"/> of the current chunk;
        /// returns the field's length in terms.</summary>
        public int Count(string text, Field field)
        {
            _countInto = field;
            _counted = 0;
            TermAnalyzer.Analyze(text, this);
            return _counted;
        }

        /// <summary>Counts already-analysed terms in <paramref name="field"/> of the current chunk.</summary>
        public void Count(int[] termIds, Field field)
        {
            foreach (var id in termIds)
            {
                Count(id, field);
            }
        }

        public void Add(ReadOnlySpan<char> term)
        {
            if (!_idsBySpan.TryGetValue(term, out var id))
            {
                id = Terms.Count;
                var text = new string(term);
                _ids.Add(text, id);
                Terms.Add(text);
                Postings.Add([]);
                if (id == _counts.Length)
                {
                    Array.Resize(ref _counts, _counts.Length * 2);
                }
            }

            if (_countInto is { } field)
            {
                Count(id, field);
                _counted++;
            }
            else
            {
                _collected.Add(id);
            }
        }

        public void EndChunk(int chunkIndex)
        {
            foreach (var id in _touched)
            {
                Postings[id].Add((chunkIndex, _counts[id]));
                _counts[id] = default;
            }

            _touched.Clear();
        }

        private void Count(int id, Field field)
        {
            ref var c = ref _counts[id];
            if (c == default)
            {
                _touched.Add(id);
            }

            c = field switch
            {
                Field.Path => c with { Path = c.Path + 1 },
                Field.Heading => c with { Heading = c.Heading + 1 },
                _ => c with { Body = c.Body + 1 },
            };
        }
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

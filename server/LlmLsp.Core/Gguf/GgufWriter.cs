using System.Buffers.Binary;
using System.Text;

namespace LlmLsp.Gguf;

/// <summary>
/// Builds a GGUF v3 file: metadata and tensor directory are collected first, then everything is
/// streamed out in insertion order. Tensor contents are produced by callbacks at write time, so a
/// model of hundreds of MB never has to sit in memory. The same inputs always give the same bytes.
/// </summary>
public sealed class GgufWriter
{
    public const uint FormatVersion = 3;

    private readonly List<GgufMetadataEntry> _metadata = [];
    private readonly Dictionary<string, int> _metadataIndex = new(StringComparer.Ordinal);
    private readonly List<PendingTensor> _tensors = [];
    private readonly HashSet<string> _tensorNames = new(StringComparer.Ordinal);

    /// <summary>Adds a metadata entry. Keys are unique; use <see cref="Set"/> to replace one.</summary>
    public GgufWriter Add(string key, GgufValue value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        if (_metadataIndex.ContainsKey(key))
        {
            throw new ArgumentException($"Metadata key '{key}' was already added.", nameof(key));
        }
        if (key == GgufFile.AlignmentKey)
        {
            ValidateAlignment(value);
        }
        _metadataIndex.Add(key, _metadata.Count);
        _metadata.Add(new GgufMetadataEntry(key, value));
        return this;
    }

    /// <summary>Adds or replaces a metadata entry (a replaced entry keeps its position).</summary>
    public GgufWriter Set(string key, GgufValue value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        if (!_metadataIndex.TryGetValue(key, out int index))
        {
            return Add(key, value);
        }
        if (key == GgufFile.AlignmentKey)
        {
            ValidateAlignment(value);
        }
        _metadata[index] = new GgufMetadataEntry(key, value);
        return this;
    }

    public GgufWriter Add(GgufMetadataEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return Add(entry.Key, entry.Value);
    }

    /// <summary>Copies entries (e.g. a tokenizer from a vocab-only GGUF: <c>source.MetadataWithPrefix("tokenizer.")</c>).</summary>
    public GgufWriter AddRange(IEnumerable<GgufMetadataEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var entry in entries)
        {
            Add(entry);
        }
        return this;
    }

    public GgufWriter Add(string key, string value) => Add(key, GgufValue.FromString(value));
    public GgufWriter Add(string key, uint value) => Add(key, GgufValue.FromUInt32(value));
    public GgufWriter Add(string key, int value) => Add(key, GgufValue.FromInt32(value));
    public GgufWriter Add(string key, float value) => Add(key, GgufValue.FromFloat32(value));
    public GgufWriter Add(string key, bool value) => Add(key, GgufValue.FromBool(value));
    public GgufWriter Add(string key, string[] values) => Add(key, GgufValue.FromArray(values));
    public GgufWriter Add(string key, int[] values) => Add(key, GgufValue.FromArray(values));
    public GgufWriter Add(string key, float[] values) => Add(key, GgufValue.FromArray(values));

    /// <summary>
    /// Declares a tensor whose content <paramref name="writeContent"/> produces at write time.
    /// <paramref name="shape"/> is in ggml order (fastest-varying dimension first).
    /// The callback must write exactly the tensor's byte size; the writer checks.
    /// </summary>
    public GgufWriter AddTensor(string name, GgmlType type, IReadOnlyList<long> shape, Action<GgufTensorSink> writeContent)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(writeContent);
        if (Encoding.UTF8.GetByteCount(name) > GgufReader.MaxTensorNameBytes)
        {
            throw new ArgumentException($"Tensor name '{name}' is longer than {GgufReader.MaxTensorNameBytes} bytes.", nameof(name));
        }
        if (!_tensorNames.Add(name))
        {
            throw new ArgumentException($"Tensor '{name}' was already added.", nameof(name));
        }
        if (shape.Count is 0 or > GgufReader.MaxDimensions || shape.Any(d => d <= 0))
        {
            throw new ArgumentException($"Tensor '{name}' needs 1 to {GgufReader.MaxDimensions} positive dimensions, got [{string.Join(", ", shape)}].", nameof(shape));
        }
        var layout = GgmlTypeLayout.Of(type)
            ?? throw new ArgumentException($"Unknown ggml type {type}.", nameof(type));
        if (shape[0] % layout.ElementsPerBlock != 0)
        {
            throw new ArgumentException($"Tensor '{name}': rows of {shape[0]} elements are not a multiple of {type}'s block size {layout.ElementsPerBlock}.", nameof(shape));
        }
        long elements = shape.Aggregate(1L, (product, d) => checked(product * d));
        long byteSize = checked(elements / layout.ElementsPerBlock * layout.BytesPerBlock);
        _tensors.Add(new PendingTensor(name, type, [.. shape], byteSize, writeContent));
        return this;
    }

    /// <summary>Declares an F32 or F16 tensor from values already in memory.</summary>
    public GgufWriter AddTensor(string name, GgmlType type, IReadOnlyList<long> shape, float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        long expected = shape.Aggregate(1L, (product, d) => checked(product * d));
        if (values.Length != expected)
        {
            throw new ArgumentException($"Tensor '{name}' has shape [{string.Join(", ", shape)}] ({expected} elements) but {values.Length} values were given.", nameof(values));
        }
        return AddTensor(name, type, shape, sink => sink.WriteFloats(values));
    }

    /// <summary>
    /// Writes the file atomically: to a temporary file next to <paramref name="path"/>, then renamed
    /// over it, so readers (and parallel writers of the same content) never see a partial file.
    /// </summary>
    public void WriteFile(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 20))
            {
                WriteTo(stream, cancellationToken);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>Writes the whole file to <paramref name="destination"/>, which need not be seekable.</summary>
    public void WriteTo(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        uint alignment = _metadataIndex.TryGetValue(GgufFile.AlignmentKey, out int alignmentIndex)
            && _metadata[alignmentIndex].Value.TryGet(out uint declared) ? declared : GgufFile.DefaultAlignment;

        var output = new CountingStream(destination);
        Span<byte> scratch = stackalloc byte[8];

        BinaryPrimitives.WriteUInt32LittleEndian(scratch, GgufReader.Magic);
        output.Write(scratch[..4]);
        WriteUInt32(output, FormatVersion);
        WriteUInt64(output, (ulong)_tensors.Count);
        WriteUInt64(output, (ulong)_metadata.Count);

        foreach (var entry in _metadata)
        {
            WriteString(output, entry.Key);
            WriteUInt32(output, (uint)entry.Value.Type);
            WriteValue(output, entry.Value);
        }

        long dataOffset = 0;
        foreach (var tensor in _tensors)
        {
            WriteString(output, tensor.Name);
            WriteUInt32(output, (uint)tensor.Shape.Length);
            foreach (long dimension in tensor.Shape)
            {
                WriteUInt64(output, (ulong)dimension);
            }
            WriteUInt32(output, (uint)tensor.Type);
            WriteUInt64(output, (ulong)dataOffset);
            // llama.cpp requires each tensor to start exactly where the previous one's padded data ends.
            dataOffset += AlignUp(tensor.ByteSize, alignment);
        }

        WritePadding(output, alignment);
        foreach (var tensor in _tensors)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long start = output.Position;
            var sink = new GgufTensorSink(output, tensor.Type, tensor.ByteSize, cancellationToken);
            tensor.WriteContent(sink);
            long written = output.Position - start;
            if (written != tensor.ByteSize)
            {
                throw new InvalidOperationException($"Tensor '{tensor.Name}' must be {tensor.ByteSize} bytes but its content callback wrote {written}.");
            }
            WritePadding(output, alignment);
        }
        output.Flush();
    }

    private static void ValidateAlignment(GgufValue value)
    {
        if (!value.TryGet(out uint alignment) || alignment == 0 || (alignment & (alignment - 1)) != 0)
        {
            throw new ArgumentException($"{GgufFile.AlignmentKey} must be a UInt32 power of two, got {value.Type} {value}.", nameof(value));
        }
    }

    private static long AlignUp(long value, uint alignment) => (value + alignment - 1) / alignment * alignment;

    private static void WritePadding(CountingStream output, uint alignment)
    {
        long padding = AlignUp(output.Position, alignment) - output.Position;
        Span<byte> zeros = stackalloc byte[256];
        zeros.Clear();
        while (padding > 0)
        {
            int chunk = (int)Math.Min(padding, zeros.Length);
            output.Write(zeros[..chunk]);
            padding -= chunk;
        }
    }

    private static void WriteValue(Stream output, GgufValue value)
    {
        switch (value.Value)
        {
            case byte v: output.WriteByte(v); break;
            case sbyte v: output.WriteByte((byte)v); break;
            case bool v: output.WriteByte(v ? (byte)1 : (byte)0); break;
            case ushort v: WriteUInt16(output, v); break;
            case short v: WriteUInt16(output, (ushort)v); break;
            case uint v: WriteUInt32(output, v); break;
            case int v: WriteUInt32(output, (uint)v); break;
            case ulong v: WriteUInt64(output, v); break;
            case long v: WriteUInt64(output, (ulong)v); break;
            case float v: WriteUInt32(output, BitConverter.SingleToUInt32Bits(v)); break;
            case double v: WriteUInt64(output, BitConverter.DoubleToUInt64Bits(v)); break;
            case string v: WriteString(output, v); break;
            case Array array:
                WriteUInt32(output, (uint)value.ElementType!.Value);
                WriteUInt64(output, (ulong)array.Length);
                foreach (object element in array)
                {
                    WriteValue(output, ElementAsValue(element));
                }
                break;
            default:
                throw new InvalidOperationException($"Cannot write a value of CLR type {value.Value.GetType()}.");
        }
    }

    // Arrays are written element by element through the scalar path so both share one encoding.
    private static GgufValue ElementAsValue(object element) => element switch
    {
        byte v => GgufValue.FromUInt8(v),
        sbyte v => GgufValue.FromInt8(v),
        bool v => GgufValue.FromBool(v),
        ushort v => GgufValue.FromUInt16(v),
        short v => GgufValue.FromInt16(v),
        uint v => GgufValue.FromUInt32(v),
        int v => GgufValue.FromInt32(v),
        ulong v => GgufValue.FromUInt64(v),
        long v => GgufValue.FromInt64(v),
        float v => GgufValue.FromFloat32(v),
        double v => GgufValue.FromFloat64(v),
        string v => GgufValue.FromString(v),
        _ => throw new InvalidOperationException($"Cannot write an array element of CLR type {element.GetType()}."),
    };

    private static void WriteString(Stream output, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        WriteUInt64(output, (ulong)bytes.Length);
        output.Write(bytes);
    }

    private static void WriteUInt16(Stream output, ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        output.Write(bytes);
    }

    private static void WriteUInt32(Stream output, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        output.Write(bytes);
    }

    private static void WriteUInt64(Stream output, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        output.Write(bytes);
    }

    private sealed record PendingTensor(string Name, GgmlType Type, long[] Shape, long ByteSize, Action<GgufTensorSink> WriteContent);
}

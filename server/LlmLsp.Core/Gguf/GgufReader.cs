using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace LlmLsp.Gguf;

/// <summary>
/// Parses the header, metadata and tensor directory of a GGUF file. Every count and length read
/// from the file is checked against the bytes that remain before anything is allocated, so a
/// truncated or random file fails fast with a message instead of an OutOfMemoryException.
/// </summary>
public static class GgufReader
{
    /// <summary>"GGUF" as the little-endian uint32 at the start of every file.</summary>
    internal const uint Magic = 0x46554747;

    /// <summary>Longest tensor name ggml accepts (GGML_MAX_NAME is 64 including the terminator).</summary>
    internal const int MaxTensorNameBytes = 63;

    /// <summary>ggml tensors have at most four dimensions.</summary>
    internal const int MaxDimensions = 4;

    private const int HeaderBytes = 4 + 4 + 8 + 8;

    public static GgufFile Read(string path) => Read(path, readArrays: true);

    /// <param name="readArrays">False skips (but still bounds-checks) array values such as a 150k-token vocabulary
    /// and leaves them out of <see cref="GgufFile.Metadata"/>: enough to validate a model before loading it,
    /// without the memory and time of materialising its tokenizer.</param>
    public static GgufFile Read(string path, bool readArrays)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new GgufFormatException(path, Directory.Exists(path)
                ? "is a directory, not a GGUF file"
                : "file not found");
        }

        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GgufFormatException(path, $"cannot be opened: {e.Message}", e);
        }

        using (stream)
        {
            return new Parser(path, stream, readArrays).Parse();
        }
    }

    private sealed class Parser(string path, FileStream stream, bool readArrays)
    {
        private readonly bool _readArrays = readArrays;
        private readonly string _path = path;
        private readonly Stream _stream = stream;
        private readonly long _fileSize = stream.Length;
        private readonly byte[] _scratch = new byte[8];
        private long _position;

        public GgufFile Parse()
        {
            if (_fileSize < 4)
            {
                throw Fail($"is too short to be a GGUF file ({_fileSize} bytes)");
            }
            Span<byte> head = stackalloc byte[(int)Math.Min(_fileSize, 16)];
            _stream.ReadExactly(head);
            _stream.Position = 0;
            if (BinaryPrimitives.ReadUInt32LittleEndian(head) != Magic)
            {
                throw Fail($"is not a GGUF file: it starts with {DescribeStart(head)}");
            }
            if (_fileSize < HeaderBytes)
            {
                throw Fail($"is too short for a GGUF header ({_fileSize} bytes, the header alone takes {HeaderBytes})");
            }

            ReadUInt32(); // magic, checked above
            uint version = ReadUInt32();
            CheckVersion(version);

            ulong tensorCount = ReadUInt64();
            ulong metadataCount = ReadUInt64();
            // Smallest possible entries: a KV is an empty key (8) + type (4) + a one-byte value;
            // a tensor info is an empty name (8) + n_dims (4) + type (4) + offset (8).
            CheckCount(metadataCount, 8 + 4 + 1, "metadata entries");
            CheckCount(tensorCount, 8 + 4 + 4 + 8, "tensors");

            var metadata = new List<GgufMetadataEntry>((int)metadataCount);
            var keys = new HashSet<string>(StringComparer.Ordinal);
            for (ulong i = 0; i < metadataCount; i++)
            {
                string key = ReadString($"key of metadata entry {i}");
                if (key.Length == 0)
                {
                    throw Fail($"metadata entry {i} has an empty key");
                }
                if (!keys.Add(key))
                {
                    throw Fail($"metadata key '{key}' appears more than once");
                }
                var type = ReadValueType($"metadata key '{key}'");
                if (type == GgufValueType.Array && !_readArrays)
                {
                    SkipArray(key);
                    continue;
                }
                metadata.Add(new GgufMetadataEntry(key, ReadValue(type, key)));
            }

            uint alignment = ReadAlignment(metadata);

            var tensors = new List<GgufTensorInfo>((int)tensorCount);
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (ulong i = 0; i < tensorCount; i++)
            {
                var tensor = ReadTensorInfo(i, alignment);
                if (!names.Add(tensor.Name))
                {
                    throw Fail($"tensor name '{tensor.Name}' appears more than once");
                }
                tensors.Add(tensor);
            }

            long dataSectionOffset = AlignUp(_position, alignment);
            var placed = new List<GgufTensorInfo>(tensors.Count);
            foreach (var tensor in tensors)
            {
                long fileOffset = dataSectionOffset + tensor.DataOffset;
                long end = fileOffset + tensor.ByteSize;
                if (fileOffset < 0 || end < 0 || end > _fileSize)
                {
                    throw Fail($"is truncated: tensor '{tensor.Name}' needs bytes {fileOffset}..{end} " +
                        $"but the file ends at {_fileSize}");
                }
                placed.Add(tensor with { FileOffset = fileOffset });
            }

            return new GgufFile(_path, version, _fileSize, dataSectionOffset, metadata, placed);
        }

        private void CheckVersion(uint version)
        {
            if (version is 2 or 3)
            {
                return;
            }
            if (version == 1)
            {
                throw Fail("is GGUF version 1, which is no longer supported (only versions 2 and 3 are)");
            }
            if (BinaryPrimitives.ReverseEndianness(version) is 2 or 3)
            {
                throw Fail($"is a big-endian GGUF file (version reads as {version}); only little-endian files are supported");
            }
            throw Fail($"has unsupported GGUF version {version} (only versions 2 and 3 are supported)");
        }

        private void CheckCount(ulong count, int minimumBytesEach, string what)
        {
            long remaining = Remaining;
            if (count > int.MaxValue || (long)count * minimumBytesEach > remaining)
            {
                throw Fail($"claims {count} {what}, which cannot fit in the {remaining} bytes that remain " +
                    "(the file is truncated, damaged or not really GGUF)");
            }
        }

        private uint ReadAlignment(List<GgufMetadataEntry> metadata)
        {
            var entry = metadata.Find(e => e.Key == GgufFile.AlignmentKey);
            if (entry is null)
            {
                return GgufFile.DefaultAlignment;
            }
            if (!entry.Value.TryGet(out uint alignment))
            {
                throw Fail($"'{GgufFile.AlignmentKey}' must be a UInt32 but is {entry.Value.Type}");
            }
            if (alignment == 0 || (alignment & (alignment - 1)) != 0)
            {
                throw Fail($"'{GgufFile.AlignmentKey}' is {alignment}, which is not a power of two");
            }
            return alignment;
        }

        private GgufTensorInfo ReadTensorInfo(ulong index, uint alignment)
        {
            string name = ReadString($"name of tensor {index}");
            if (name.Length == 0)
            {
                throw Fail($"tensor {index} has an empty name");
            }
            if (Encoding.UTF8.GetByteCount(name) > MaxTensorNameBytes)
            {
                throw Fail($"tensor name '{name}' is longer than ggml's limit of {MaxTensorNameBytes} bytes");
            }

            uint dimensionCount = ReadUInt32();
            if (dimensionCount > MaxDimensions)
            {
                throw Fail($"tensor '{name}' has {dimensionCount} dimensions; ggml allows at most {MaxDimensions}");
            }
            var shape = new long[dimensionCount];
            long elements = 1;
            for (int d = 0; d < shape.Length; d++)
            {
                ulong dimension = ReadUInt64();
                if (dimension > long.MaxValue)
                {
                    throw Fail($"tensor '{name}' has an absurd dimension {d} of {dimension}");
                }
                shape[d] = (long)dimension;
                try
                {
                    elements = checked(elements * shape[d]);
                }
                catch (OverflowException)
                {
                    throw Fail($"tensor '{name}' has shape [{string.Join(", ", shape.Take(d + 1))}], whose element count overflows");
                }
            }

            uint rawType = ReadUInt32();
            var type = (GgmlType)rawType;
            if (!Enum.IsDefined(type) || GgmlTypeLayout.Of(type) is not { } layout)
            {
                throw Fail($"tensor '{name}' has unknown ggml type {rawType}");
            }
            if (shape.Length > 0 && shape[0] % layout.ElementsPerBlock != 0)
            {
                throw Fail($"tensor '{name}' of type {type} has rows of {shape[0]} elements, " +
                    $"not a multiple of the block size {layout.ElementsPerBlock}");
            }

            ulong offset = ReadUInt64();
            if (offset % alignment != 0)
            {
                throw Fail($"tensor '{name}' has data offset {offset}, which is not a multiple of the alignment {alignment}");
            }
            if (offset > (ulong)_fileSize)
            {
                throw Fail($"is truncated: tensor '{name}' starts at data offset {offset} but the file has only {_fileSize} bytes");
            }

            long byteSize;
            try
            {
                byteSize = checked(elements / layout.ElementsPerBlock * layout.BytesPerBlock);
            }
            catch (OverflowException)
            {
                throw Fail($"tensor '{name}' is absurdly large ({elements} elements of {type})");
            }
            if (byteSize > _fileSize)
            {
                throw Fail($"is truncated: tensor '{name}' needs {byteSize} bytes but the whole file has {_fileSize}");
            }
            return new GgufTensorInfo(name, type, shape, (long)offset, byteSize);
        }

        private GgufValueType ReadValueType(string owner)
        {
            uint raw = ReadUInt32();
            var type = (GgufValueType)raw;
            if (!Enum.IsDefined(type))
            {
                throw Fail($"{owner} has unknown value type {raw}");
            }
            return type;
        }

        private GgufValue ReadValue(GgufValueType type, string key) => type switch
        {
            GgufValueType.UInt8 => GgufValue.FromUInt8(ReadBytes(1)[0]),
            GgufValueType.Int8 => GgufValue.FromInt8((sbyte)ReadBytes(1)[0]),
            GgufValueType.UInt16 => GgufValue.FromUInt16(BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))),
            GgufValueType.Int16 => GgufValue.FromInt16(BinaryPrimitives.ReadInt16LittleEndian(ReadBytes(2))),
            GgufValueType.UInt32 => GgufValue.FromUInt32(ReadUInt32()),
            GgufValueType.Int32 => GgufValue.FromInt32(BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))),
            GgufValueType.UInt64 => GgufValue.FromUInt64(ReadUInt64()),
            GgufValueType.Int64 => GgufValue.FromInt64(BinaryPrimitives.ReadInt64LittleEndian(ReadBytes(8))),
            GgufValueType.Float32 => GgufValue.FromFloat32(BinaryPrimitives.ReadSingleLittleEndian(ReadBytes(4))),
            GgufValueType.Float64 => GgufValue.FromFloat64(BinaryPrimitives.ReadDoubleLittleEndian(ReadBytes(8))),
            GgufValueType.Bool => GgufValue.FromBool(ReadBool(key)),
            GgufValueType.String => GgufValue.FromString(ReadString($"value of '{key}'")),
            GgufValueType.Array => ReadArray(key),
            _ => throw Fail($"metadata key '{key}' has unknown value type {(uint)type}"),
        };

        /// <summary>Reads an array's element type and count, checking they can fit in what remains of the file.</summary>
        private (GgufValueType ElementType, int Count, int MinimumBytesEach) ReadArrayHeader(string key)
        {
            var elementType = ReadValueType($"array '{key}'");
            if (elementType == GgufValueType.Array)
            {
                throw Fail($"metadata key '{key}' is an array of arrays, which GGUF readers do not support");
            }
            ulong count = ReadUInt64();
            int minimumBytesEach = elementType == GgufValueType.String ? 8 : FixedSize(elementType);
            if (count > (ulong)Array.MaxLength || (long)count * minimumBytesEach > Remaining)
            {
                throw Fail($"array '{key}' claims {count} elements of {elementType}, which cannot fit in the {Remaining} bytes that remain " +
                    "(the file is truncated or damaged)");
            }
            return (elementType, (int)count, minimumBytesEach);
        }

        private GgufValue ReadArray(string key)
        {
            var (elementType, n, minimumBytesEach) = ReadArrayHeader(key);
            switch (elementType)
            {
                case GgufValueType.String:
                    var strings = new string[n];
                    for (int i = 0; i < n; i++)
                    {
                        strings[i] = Encoding.UTF8.GetString(ReadBytes((int)ReadElementStringLength(key, i)));
                    }
                    return GgufValue.FromArray(strings);
                case GgufValueType.Bool:
                    var bools = new bool[n];
                    for (int i = 0; i < n; i++)
                    {
                        bools[i] = ReadBool(key);
                    }
                    return GgufValue.FromArray(bools);
                default:
                    byte[] raw = ReadBytes(checked(n * minimumBytesEach));
                    return DecodeNumericArray(elementType, raw, n);
            }
        }

        /// <summary>Moves past an array with the same checks as reading it, without keeping its elements.</summary>
        private void SkipArray(string key)
        {
            var (elementType, count, minimumBytesEach) = ReadArrayHeader(key);
            if (elementType != GgufValueType.String)
            {
                Skip((long)count * minimumBytesEach);
                return;
            }
            for (int i = 0; i < count; i++)
            {
                Skip(ReadElementStringLength(key, i));
            }
        }

        private void Skip(long count)
        {
            _stream.Seek(count, SeekOrigin.Current);
            _position += count;
        }

        private static GgufValue DecodeNumericArray(GgufValueType elementType, byte[] raw, int n)
        {
            // GGUF is little-endian, as is every platform .NET runs this on; MemoryMarshal would
            // do the same, but an explicit decode keeps the format independent of the host.
            switch (elementType)
            {
                case GgufValueType.UInt8:
                    return GgufValue.FromArray(raw);
                case GgufValueType.Int8:
                    return GgufValue.FromArray(Array.ConvertAll(raw, b => (sbyte)b));
                case GgufValueType.UInt16:
                    return GgufValue.FromArray(Decode(raw, n, 2, s => BinaryPrimitives.ReadUInt16LittleEndian(s)));
                case GgufValueType.Int16:
                    return GgufValue.FromArray(Decode(raw, n, 2, s => BinaryPrimitives.ReadInt16LittleEndian(s)));
                case GgufValueType.UInt32:
                    return GgufValue.FromArray(Decode(raw, n, 4, s => BinaryPrimitives.ReadUInt32LittleEndian(s)));
                case GgufValueType.Int32:
                    return GgufValue.FromArray(Decode(raw, n, 4, s => BinaryPrimitives.ReadInt32LittleEndian(s)));
                case GgufValueType.UInt64:
                    return GgufValue.FromArray(Decode(raw, n, 8, s => BinaryPrimitives.ReadUInt64LittleEndian(s)));
                case GgufValueType.Int64:
                    return GgufValue.FromArray(Decode(raw, n, 8, s => BinaryPrimitives.ReadInt64LittleEndian(s)));
                case GgufValueType.Float32:
                    return GgufValue.FromArray(Decode(raw, n, 4, s => BinaryPrimitives.ReadSingleLittleEndian(s)));
                case GgufValueType.Float64:
                    return GgufValue.FromArray(Decode(raw, n, 8, s => BinaryPrimitives.ReadDoubleLittleEndian(s)));
                default:
                    throw new InvalidOperationException($"{elementType} is not a numeric type.");
            }
        }

        private delegate T ElementDecoder<T>(ReadOnlySpan<byte> source);

        private static T[] Decode<T>(byte[] raw, int n, int size, ElementDecoder<T> decode)
        {
            var result = new T[n];
            for (int i = 0; i < n; i++)
            {
                result[i] = decode(raw.AsSpan(i * size, size));
            }
            return result;
        }

        internal static int FixedSize(GgufValueType type) => type switch
        {
            GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
            GgufValueType.UInt16 or GgufValueType.Int16 => 2,
            GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
            GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 => 8,
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a fixed-size type"),
        };

        private bool ReadBool(string key)
        {
            byte b = ReadBytes(1)[0];
            return b switch
            {
                0 => false,
                1 => true,
                _ => throw Fail($"metadata key '{key}' has a bool of value {b}; only 0 and 1 are valid"),
            };
        }

        private string ReadString(string what)
        {
            // Lossy decoding: token lists may hold invalid UTF-8 in rare vocabularies, and
            // failing the whole file for one odd token would be worse than a replacement char.
            return Encoding.UTF8.GetString(ReadBytes((int)ReadStringLength(what)));
        }

        private long ReadStringLength(string what) => CheckStringLength(ReadUInt64(), what);

        /// <summary>For the elements of a string array (a vocabulary has 150k): the description of the element is
        /// only built for an error message, not for every element (that was 30 MB of garbage per model load).</summary>
        private long ReadElementStringLength(string key, int element)
        {
            ulong length = ReadUInt64();
            return length <= (ulong)Remaining ? (long)length : CheckStringLength(length, $"element {element} of '{key}'");
        }

        private long CheckStringLength(ulong length, string what)
        {
            if (length > (ulong)Remaining)
            {
                throw Fail($"{what} claims a string of {length} bytes but only {Remaining} bytes remain " +
                    "(the file is truncated or damaged)");
            }
            return (long)length;
        }

        private uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4));

        private ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8));

        private long Remaining => _fileSize - _position;

        /// <summary>Reads <paramref name="count"/> bytes; small reads share a scratch buffer.</summary>
        private byte[] ReadBytes(int count)
        {
            if (count > Remaining)
            {
                throw Fail($"is truncated: needed {count} more bytes at offset {_position} but the file ends at {_fileSize}");
            }
            byte[] buffer = count <= _scratch.Length && count != 0 ? _scratch : new byte[count];
            try
            {
                _stream.ReadExactly(buffer, 0, count);
            }
            catch (EndOfStreamException e)
            {
                throw new GgufFormatException(_path, $"is truncated: ended while reading at offset {_position}", e);
            }
            _position += count;
            return count == buffer.Length ? buffer : buffer[..count];
        }

        private GgufFormatException Fail(string problem) => new(_path, problem);

        private static long AlignUp(long value, uint alignment) => (value + alignment - 1) / alignment * alignment;

        /// <summary>Says what a non-GGUF file looks like, so "wrong file" errors are actionable.</summary>
        private static string DescribeStart(ReadOnlySpan<byte> head)
        {
            string hex = Convert.ToHexString(head[..Math.Min(head.Length, 8)]);
            string ascii = new(head[..Math.Min(head.Length, 8)].ToArray()
                .Select(b => b is >= 0x20 and < 0x7F ? (char)b : '.').ToArray());
            string text = Encoding.ASCII.GetString(head);
            string guess =
                text.StartsWith("version https://git-lfs", StringComparison.Ordinal) || text.StartsWith("version ", StringComparison.Ordinal)
                    ? "; it looks like a Git LFS pointer, not the model itself (run git lfs pull)"
                : text.TrimStart().StartsWith('<') ? "; it looks like HTML or XML (a download error page?)"
                : text.TrimStart().StartsWith('{') ? "; it looks like JSON"
                : head is [0x50, 0x4B, ..] ? "; it looks like a ZIP archive (a PyTorch checkpoint?)"
                : head.Length >= 9 && head[8] == (byte)'{' ? "; it looks like a safetensors file"
                : head is [(byte)'G', (byte)'G', (byte)'M', (byte)'L', ..] or [(byte)'l', (byte)'m', (byte)'g', (byte)'g', ..]
                    ? "; it looks like a legacy GGML/GGJT file, which must be converted to GGUF"
                : "";
            return string.Create(CultureInfo.InvariantCulture, $"0x{hex} (\"{ascii}\") instead of \"GGUF\"{guess}");
        }
    }
}

namespace LlmLsp.Onnx;

/// <summary>One protobuf field: a varint, or (for length-delimited fields) a slice of the buffer.</summary>
internal readonly record struct ProtoField(int Number, ulong Varint, ReadOnlyMemory<byte>? Bytes);

/// <summary>
/// Walks the fields of one protobuf message (wire format only: no schema). Fixed-width fields are
/// skipped; groups, which ONNX never uses, are refused. Lengths are checked against the buffer.
/// </summary>
internal sealed class ProtoReader(ReadOnlyMemory<byte> data)
{
    public IEnumerable<ProtoField> Fields()
    {
        var position = 0;
        while (position < data.Length)
        {
            var key = ReadVarint(data.Span, ref position);
            var number = (int)(key >> 3);
            switch ((int)(key & 7))
            {
                case 0:
                    yield return new ProtoField(number, ReadVarint(data.Span, ref position), null);
                    break;
                case 1:
                    position = Skip(position, 8);
                    break;
                case 2:
                    var length = ReadVarint(data.Span, ref position);
                    if (length > (ulong)(data.Length - position))
                    {
                        throw new InvalidDataException($"protobuf field {number} runs past the end of its message");
                    }
                    yield return new ProtoField(number, 0, data.Slice(position, (int)length));
                    position += (int)length;
                    break;
                case 5:
                    position = Skip(position, 4);
                    break;
                default:
                    throw new InvalidDataException($"protobuf wire type {key & 7} at byte {position} is not supported");
            }
        }
    }

    /// <summary>The values of a packed repeated varint field.</summary>
    public IEnumerable<ulong> PackedVarints()
    {
        var position = 0;
        while (position < data.Length)
        {
            yield return ReadVarint(data.Span, ref position);
        }
    }

    private int Skip(int position, int count) =>
        count <= data.Length - position ? position + count
            : throw new InvalidDataException("protobuf fixed-width field runs past the end of its message");

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int position)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= span.Length)
            {
                throw new InvalidDataException("protobuf varint runs past the end of its message");
            }
            var b = span[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }
        throw new InvalidDataException("protobuf varint is longer than 10 bytes");
    }
}

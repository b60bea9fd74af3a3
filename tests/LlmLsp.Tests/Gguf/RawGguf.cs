using System.Buffers.Binary;
using System.Text;

namespace LlmLsp.Tests.Gguf;

/// <summary>
/// Hand-assembles GGUF bytes field by field, so tests can produce files that GgufWriter
/// (rightly) refuses to write: absurd counts, bad types, misaligned offsets.
/// </summary>
internal sealed class RawGguf
{
    private readonly MemoryStream _bytes = new();

    public RawGguf Header(uint version = 3, ulong tensorCount = 0, ulong metadataCount = 0) =>
        Bytes("GGUF"u8).UInt32(version).UInt64(tensorCount).UInt64(metadataCount);

    public RawGguf UInt32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return Bytes(b);
    }

    public RawGguf UInt64(ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        return Bytes(b);
    }

    public RawGguf String(string value)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(value);
        return UInt64((ulong)utf8.Length).Bytes(utf8);
    }

    /// <summary>A metadata entry holding a UInt32.</summary>
    public RawGguf UInt32Entry(string key, uint value) => String(key).UInt32(4).UInt32(value);

    /// <summary>A tensor info: name, dims, ggml type, data offset.</summary>
    public RawGguf TensorInfo(string name, ulong[] shape, uint type, ulong offset)
    {
        String(name).UInt32((uint)shape.Length);
        foreach (ulong d in shape)
        {
            UInt64(d);
        }
        return UInt32(type).UInt64(offset);
    }

    public RawGguf Zeros(int count) => Bytes(new byte[count]);

    public RawGguf Bytes(ReadOnlySpan<byte> bytes)
    {
        _bytes.Write(bytes);
        return this;
    }

    public string WriteTo(string directory)
    {
        string path = Path.Combine(directory, $"raw-{Guid.NewGuid():N}.gguf");
        File.WriteAllBytes(path, _bytes.ToArray());
        return path;
    }
}

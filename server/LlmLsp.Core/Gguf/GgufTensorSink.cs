using System.Buffers.Binary;

namespace LlmLsp.Gguf;

/// <summary>
/// Receives one tensor's content while a <see cref="GgufWriter"/> streams the file. Call the write
/// methods as often as convenient (e.g. one row at a time); values are converted to the tensor's type.
/// </summary>
public sealed class GgufTensorSink
{
    private const int ChunkElements = 4096;

    private readonly Stream _output;
    private readonly CancellationToken _cancellationToken;
    private long _remaining;

    internal GgufTensorSink(Stream output, GgmlType type, long byteSize, CancellationToken cancellationToken)
    {
        _output = output;
        Type = type;
        _remaining = byteSize;
        _cancellationToken = cancellationToken;
    }

    /// <summary>The element type the file stores for this tensor.</summary>
    public GgmlType Type { get; }

    /// <summary>Bytes still expected.</summary>
    public long RemainingBytes => _remaining;

    /// <summary>Writes values as F32 or F16 (rounded to nearest via <see cref="Half"/>).</summary>
    public void WriteFloats(ReadOnlySpan<float> values)
    {
        int elementSize = Type switch
        {
            GgmlType.F32 => 4,
            GgmlType.F16 => 2,
            _ => throw new InvalidOperationException($"WriteFloats supports F32 and F16 tensors, not {Type}; use WriteBytes for pre-encoded data."),
        };
        Span<byte> buffer = stackalloc byte[ChunkElements * 4];
        while (!values.IsEmpty)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            int n = Math.Min(values.Length, ChunkElements);
            for (int i = 0; i < n; i++)
            {
                if (Type == GgmlType.F32)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(buffer[(i * 4)..], values[i]);
                }
                else
                {
                    BinaryPrimitives.WriteHalfLittleEndian(buffer[(i * 2)..], (Half)values[i]);
                }
            }
            WriteBytes(buffer[..(n * elementSize)]);
            values = values[n..];
        }
    }

    /// <summary>Writes already-encoded bytes of the tensor's type.</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > _remaining)
        {
            throw new InvalidOperationException($"Tensor content overruns its size by {bytes.Length - _remaining} bytes.");
        }
        _output.Write(bytes);
        _remaining -= bytes.Length;
    }
}

namespace LlmLsp.Gguf;

/// <summary>
/// Where one tensor lives in a GGUF file. <see cref="Shape"/> is in ggml order: the first
/// dimension is the fastest-varying one (a [n_embd, n_vocab] matrix has rows of n_embd).
/// </summary>
public sealed record GgufTensorInfo(string Name, GgmlType Type, IReadOnlyList<long> Shape, long DataOffset, long ByteSize)
{
    /// <summary>Product of the dimensions.</summary>
    public long ElementCount => Shape.Aggregate(1L, (product, dimension) => product * dimension);

    /// <summary>Absolute position of the first data byte in the file.</summary>
    public long FileOffset { get; init; }
}

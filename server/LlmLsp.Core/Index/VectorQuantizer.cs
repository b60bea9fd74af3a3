using System.Numerics.Tensors;

namespace LlmLsp.Index;

/// <summary>Symmetric int8 quantisation with one scale per vector: a quarter of float32's size and,
/// for L2-normalised embeddings, ranking that is practically the same.</summary>
public static class VectorQuantizer
{
    public static float Quantize(ReadOnlySpan<float> vector, Span<sbyte> destination)
    {
        var maxMagnitude = vector.Length == 0 ? 0f : MathF.Abs(TensorPrimitives.MaxMagnitude(vector));
        if (maxMagnitude == 0f || !float.IsFinite(maxMagnitude))
        {
            destination.Clear();
            return 0f;
        }

        var scale = maxMagnitude / 127f;
        var inverse = 1f / scale;
        for (var i = 0; i < vector.Length; i++)
        {
            destination[i] = (sbyte)Math.Clamp(MathF.Round(vector[i] * inverse), -127f, 127f);
        }

        return scale;
    }
}

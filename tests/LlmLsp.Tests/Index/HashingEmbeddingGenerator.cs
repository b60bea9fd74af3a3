using LlmLsp.Index;
using Microsoft.Extensions.AI;

namespace LlmLsp.Tests.Index;

/// <summary>A real (if simple) embedding function for tests: feature hashing of the analysed terms into
/// <c>dimension</c> buckets, L2-normalised. Deterministic, so vector-store behaviour can be checked
/// without a model; the seed stands in for "a different model".</summary>
internal sealed class HashingEmbeddingGenerator(int dimension, int seed) : IEmbeddingGenerator<string, Embedding<float>>
{
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var value in values)
        {
            var vector = new float[dimension];
            foreach (var term in TermAnalyzer.Analyze(value))
            {
                vector[(int)((uint)HashCode.Combine(seed, StableHash(term)) % (uint)dimension)] += 1f;
            }

            var norm = MathF.Sqrt(vector.Sum(v => v * v));
            if (norm > 0)
            {
                for (var i = 0; i < vector.Length; i++)
                {
                    vector[i] /= norm;
                }
            }

            result.Add(new Embedding<float>(vector));
        }

        return Task.FromResult(result);
    }

    private static int StableHash(string text)
    {
        var hash = 17;
        foreach (var c in text)
        {
            hash = (hash * 31) + c;
        }

        return hash;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}

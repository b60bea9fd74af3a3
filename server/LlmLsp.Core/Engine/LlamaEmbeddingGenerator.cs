using Microsoft.Extensions.AI;

namespace LlmLsp.Engine;

/// <summary>The engine as a Microsoft.Extensions.AI embedding generator: batched, pooled, L2-normalised.</summary>
public sealed class LlamaEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly LlamaEngine _engine;
    private readonly EmbeddingGeneratorMetadata _metadata;

    public LlamaEmbeddingGenerator(LlamaEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _engine = engine;
        _metadata = new EmbeddingGeneratorMetadata("llama.cpp", providerUri: null,
            defaultModelId: Path.GetFileName(engine.Model.Path), defaultModelDimensions: engine.Model.EmbeddingSize);
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var inputs = values as IReadOnlyList<string> ?? values.ToList();
        var vectors = await _engine.EmbedAsync(inputs, cancellationToken).ConfigureAwait(false);
        var created = DateTimeOffset.UtcNow;
        var embeddings = new GeneratedEmbeddings<Embedding<float>>(vectors.Length);
        foreach (var vector in vectors)
        {
            embeddings.Add(new Embedding<float>(vector) { CreatedAt = created, ModelId = _metadata.DefaultModelId });
        }
        return embeddings;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType.IsInstanceOfType(_engine) ? _engine
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <summary>The engine is owned by whoever created it.</summary>
    public void Dispose()
    {
    }
}

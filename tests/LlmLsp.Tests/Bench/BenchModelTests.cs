using System.Text.Json;
using LlmLsp.Bench;
using LlmLsp.Engine;
using LlmLsp.Gguf;
using LlmLsp.Tests.EndToEnd;
using LlmLsp.Tests.Fixtures;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmLsp.Tests.Bench;

/// <summary>Benchmark models (tiny shape only: no download, seconds) and `bench engine --json`.</summary>
public sealed class BenchModelTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "llmlsp-tests", "bench-" + Guid.NewGuid().ToString("N"));

    public BenchModelTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(ModelFileType.F16)]
    [InlineData(ModelFileType.Q8_0)]
    [InlineData(ModelFileType.Q4_K_M)]
    public async Task A_tiny_bench_model_is_quantised_by_llama_cpp_and_generates(ModelFileType type)
    {
        var path = Path.Combine(_directory, $"tiny-{type}.gguf");
        BenchModels.Make(BenchModelShapes.TinyTest, type, TinyModels.Decoder(), path, threads: 2, NullLogger.Instance);

        var file = GgufFile.Read(path);
        Assert.Equal("qwen2", file.Architecture);
        Assert.Equal((long)type, file.GetIntegerOrNull("general.file_type"));
        Assert.NotNull(file.FindTensor("blk.0.attn_q.bias"));
        Assert.Null(file.FindTensor("output.weight")); // tied embeddings, like Qwen2.5-Coder

        using var engine = LlamaEngine.Load(new EngineOptions { ModelPath = path, ContextSize = 256, Threads = 2 });
        var result = await engine.GenerateTextAsync(new GenerationRequest
        {
            PromptTokens = [1, 2, 3],
            MaxTokens = 5,
            IgnoreEndOfGeneration = true,
        });
        Assert.Equal(5, result.GeneratedTokens);
    }

    [Theory]
    [InlineData("qwen3")]
    [InlineData("gemma3")]
    public async Task Qwen3_and_Gemma3_layouts_load_in_llama_cpp_and_generate(string architecture)
    {
        // The real shapes' quirks at tiny sizes: a head wider than hidden / heads, per-head query and key norms, and for
        // gemma3 post-norms, local sliding-window layers and the tokenizer relabelled as SentencePiece.
        var shape = BenchModelShapes.TinyTest with
        {
            Architecture = architecture,
            Layers = 6,
            HeadDim = 32,
            SlidingWindow = architecture == "gemma3" ? 64 : 0,
            RopeThetaLocal = architecture == "gemma3" ? 1e4f : 0f,
            TokenizerModel = architecture == "gemma3" ? "llama" : null,
        };
        var path = Path.Combine(_directory, $"tiny-{architecture}.gguf");
        BenchModels.Make(shape, ModelFileType.Q8_0, TinyModels.Decoder(), path, threads: 2, NullLogger.Instance);

        var file = GgufFile.Read(path);
        Assert.Equal(architecture, file.Architecture);
        Assert.Equal(32, file.GetIntegerOrNull($"{architecture}.attention.key_length"));
        Assert.Equal(new long[] { 32 }, file.FindTensor("blk.0.attn_q_norm.weight")!.Shape);
        Assert.Equal(new long[] { 64, 4 * 32 }, file.FindTensor("blk.0.attn_q.weight")!.Shape);
        Assert.Null(file.FindTensor("blk.0.attn_q.bias"));
        Assert.Equal(architecture == "gemma3", file.FindTensor("blk.0.post_ffw_norm.weight") is not null);
        if (architecture == "gemma3")
        {
            Assert.Equal("llama", file.Get<string>("tokenizer.ggml.model"));
            Assert.False(file.Contains("tokenizer.ggml.merges"));
        }

        using var engine = LlamaEngine.Load(new EngineOptions { ModelPath = path, ContextSize = 256, Threads = 2 });
        var prompt = engine.Tokenize("function add(a, b) { return a + b; }");
        Assert.NotEmpty(prompt);
        Assert.Equal("function add(a, b) { return a + b; }", engine.Detokenize(prompt).Trim());
        var result = await engine.GenerateTextAsync(new GenerationRequest
        {
            PromptTokens = [.. prompt],
            MaxTokens = 5,
            IgnoreEndOfGeneration = true,
        });
        Assert.Equal(5, result.GeneratedTokens);
    }

    [Fact]
    public void Added_tokens_and_padding_follow_the_shape()
    {
        var source = GgufFile.Read(TinyModels.Decoder());
        var count = source.Get<string[]>("tokenizer.ggml.tokens").Length;
        var shape = BenchModelShapes.TinyTest with
        {
            VocabSize = count + 16,
            AddedTokens = [new AddedToken(count + 2, "<|fim_prefix|>", 4)],
            TokenIds = new Dictionary<string, uint> { ["tokenizer.ggml.fim_pre_token_id"] = (uint)(count + 2) },
        };
        var path = Path.Combine(_directory, "padded.gguf");
        BenchModelWriter.Build(shape, TinyModels.Decoder()).WriteFile(path);

        var file = GgufFile.Read(path);
        var tokens = file.Get<string[]>("tokenizer.ggml.tokens");
        var types = file.Get<int[]>("tokenizer.ggml.token_type");
        Assert.Equal(count + 16, tokens.Length);
        Assert.Equal(tokens.Length, types.Length);
        Assert.Equal("<|fim_prefix|>", tokens[count + 2]);
        Assert.Equal(4, types[count + 2]);
        Assert.Equal($"[PAD{count}]", tokens[count]);
        Assert.Equal(5, types[count]);
        Assert.Equal(count + 2, file.GetIntegerOrNull("tokenizer.ggml.fim_pre_token_id"));
        Assert.Equal(new long[] { 64, count + 16 }, file.FindTensor("token_embd.weight")!.Shape);
    }

    [Fact]
    public void Real_shapes_match_the_published_models()
    {
        var coder = BenchModelShapes.Find("qwen2.5-coder-0.5b")!;
        Assert.Equal((896, 24, 14, 2, 4864, 151936), (coder.Hidden, coder.Layers, coder.Heads, coder.KvHeads, coder.FeedForward, coder.VocabSize));
        Assert.Equal(22, BenchModelShapes.Qwen25AddedTokens.Count);
        Assert.Equal(new AddedToken(151659, "<|fim_prefix|>", 4), BenchModelShapes.Qwen25AddedTokens.Single(t => t.Id == 151659));
        Assert.Equal("<|file_sep|>", BenchModelShapes.Qwen25AddedTokens[^1].Text);
        Assert.Equal(151664, BenchModelShapes.Qwen25AddedTokens[^1].Id);

        var qwen3 = BenchModelShapes.Find("qwen3-0.6b")!;
        Assert.Equal((1024, 28, 16, 8, 128, 3072), (qwen3.Hidden, qwen3.Layers, qwen3.Heads, qwen3.KvHeads, qwen3.HeadDimension, qwen3.FeedForward));
        var gemma3 = BenchModelShapes.Find("gemma3-1b")!;
        Assert.Equal((1152, 26, 4, 1, 256, 6912, 262144), (gemma3.Hidden, gemma3.Layers, gemma3.Heads, gemma3.KvHeads, gemma3.HeadDimension,
            gemma3.FeedForward, gemma3.VocabSize));
        Assert.Equal(512, gemma3.SlidingWindow);
    }

    [Fact]
    public void Replay_keystrokes_type_the_lines_with_auto_indent()
    {
        var text = "function f() {\n  let a = 1;\n  return a;\n}\n";
        var keys = CompletionReplay.Keystrokes("f.js", text, startLine: 2, lineCount: 2);

        // "let a = 1;" (10 keys), a newline carrying the next line's indent, "return a;" (9 keys).
        Assert.Equal(10 + 1 + 9, keys.Count);
        Assert.Equal("function f() {\n  l", keys[0].Before);
        Assert.Equal("function f() {\n  let a = 1;\n  ", keys[10].Before);
        Assert.Equal("function f() {\n  let a = 1;\n  return a;", keys[^1].Before);
        Assert.All(keys, k => Assert.Equal("\n}\n", k.After));
        Assert.Throws<LlmLspException>(() => CompletionReplay.Keystrokes("f.js", text, startLine: 4, lineCount: 9));
    }

    [Fact]
    public async Task Bench_replay_reuses_the_kv_cache_and_writes_the_prompts()
    {
        var source = Path.Combine(_directory, "typed.js");
        await File.WriteAllTextAsync(source, "function add(a, b) {\n  const sum = a + b;\n  return sum;\n}\n");
        var prompts = Path.Combine(_directory, "prompts.jsonl");
        var result = await CliProcess.RunAsync(["bench", "replay", "--model", TinyModels.Decoder(), "--threads", "2", "--file", source,
            "--start", "2", "--count", "2", "--max-tokens", "4", "--prompts-out", prompts], timeout: TimeSpan.FromMinutes(3));

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal(CompletionReplay.Keystrokes(source, await File.ReadAllTextAsync(source), 2, 2).Count, root.GetProperty("requests").GetInt32());
        Assert.True(root.GetProperty("replay_p50_ms").GetDouble() > 0, result.Stdout);
        // One keystroke changes a few tokens of the prompt: most of it must come from the KV cache.
        Assert.True(root.GetProperty("replay_evaluated_tokens").GetDouble() < root.GetProperty("replay_prompt_tokens").GetDouble() / 2, result.Stdout);

        var written = (await File.ReadAllLinesAsync(prompts)).Select(l => JsonSerializer.Deserialize<int[]>(l)!).ToList();
        Assert.Equal(root.GetProperty("requests").GetInt32(), written.Count);
        Assert.Equal(root.GetProperty("replay_prompt_tokens").GetDouble(), written.Average(p => p.Length), precision: 1);
        Assert.True(written.Distinct(new TokenSequenceComparer()).Count() == written.Count, "every keystroke's prompt differs");
    }

    [Fact]
    public async Task Bench_replay_of_lines_outside_the_file_is_a_clear_error()
    {
        var source = Path.Combine(_directory, "short.js");
        await File.WriteAllTextAsync(source, "let a = 1;\n");
        var result = await CliProcess.RunAsync(["bench", "replay", "--model", TinyModels.Decoder(), "--file", source, "--start", "5"],
            timeout: TimeSpan.FromMinutes(1));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("outside short.js", result.Stderr);
    }

    private sealed class TokenSequenceComparer : IEqualityComparer<int[]>
    {
        public bool Equals(int[]? x, int[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(int[] obj) => obj.Length;
    }

    [Fact]
    public async Task Bench_engine_json_prints_its_fields()
    {
        var result = await CliProcess.RunAsync(["bench", "engine", "--model", TinyModels.Decoder(), "--threads", "2", "--json",
            "--repetitions", "1", "--embeddings", "on"], timeout: TimeSpan.FromMinutes(3));

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        foreach (var field in new[] { "pp_tps", "tg_tps", "embd_tps", "load_ms", "load_wall_ms", "peak_rss_mb" })
        {
            Assert.True(json.RootElement.GetProperty(field).GetDouble() > 0, $"{field} in {result.Stdout}");
        }

        // llama.cpp's load counter starts after the metadata read and ends with the first evaluation, inside our wall time.
        Assert.True(json.RootElement.GetProperty("load_ms").GetDouble() <= json.RootElement.GetProperty("load_wall_ms").GetDouble(), result.Stdout);
    }

    [Fact]
    public async Task Make_model_writes_the_tiny_shape_through_the_cli()
    {
        var path = Path.Combine(_directory, "cli.gguf");
        var result = await CliProcess.RunAsync(["bench", "make-model", "--shape", "tiny-test", "--quant", "q8_0",
            "--vocab", TinyModels.Decoder(), "--out", path, "--threads", "2"]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(path, result.Stdout.Trim());
        Assert.Equal(7, GgufFile.Read(path).GetIntegerOrNull("general.file_type"));
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LlmLsp.Bench;
using LLama;
using LLama.Common;
using LLama.Native;

// LLamaSharp 0.30.0 measured like `llmlsp bench engine` (server/LlmLsp.Core/Bench/EngineBenchmark.cs): same token counts
// (pp512 in 512-token batches on a cleared KV cache, tg128 after a 1-token context, end-of-generation ignored, greedy),
// one warm-up each, the mean of N repetitions, load = llama.cpp's own load counter, peak RSS = VmHWM. Prints one JSON line.
//   LlamaSharpBench <model.gguf> [threads] [repetitions] [ctx]
//   LlamaSharpBench --replay <prompts.jsonl> <model.gguf> [threads] [max-tokens]   (see Replay.cs)
if (args.Length > 0 && args[0] == "--replay")
{
    Console.WriteLine(LlmLsp.LlamaSharpBench.Replay.Run(args[1], args[2],
        args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 2,
        args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 16));
    return;
}
var model = args[0];
var threads = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2;
var reps = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
var ctxSize = args.Length > 3 ? uint.Parse(args[3], CultureInfo.InvariantCulture) : 4096u;

NativeLibraryConfig.All.WithLogCallback((level, message) => { if (level >= LLamaLogLevel.Error) { Console.Error.Write(message); } });
var stopwatch = Stopwatch.StartNew();
var embedding = model.Contains("bge", StringComparison.OrdinalIgnoreCase);
var parameters = new ModelParams(model)
{
    ContextSize = embedding ? 512 : ctxSize,
    BatchSize = 512,
    UBatchSize = 512,
    Threads = threads,
    BatchThreads = threads,
    GpuLayerCount = 0,
    Embeddings = embedding,
};
using var weights = LLamaWeights.LoadFromFile(parameters);
using var context = weights.CreateContext(parameters);
var handle = context.NativeHandle;
var vocab = weights.Vocab;
var batch = new LLamaBatch();
var random = new Random(42);
LLamaToken[] RandomTokens(int count)
{
    var tokens = new LLamaToken[count];
    for (var i = 0; i < count; i++) { tokens[i] = random.Next(vocab.Count); }
    if (vocab.BOS is { } bos && count > 0) { tokens[0] = bos; }
    return tokens;
}
void Decode(ReadOnlySpan<LLamaToken> tokens, int start, bool lastLogits)
{
    for (var offset = 0; offset < tokens.Length; offset += 512)
    {
        batch.Clear();
        var n = Math.Min(512, tokens.Length - offset);
        for (var i = 0; i < n; i++) { batch.Add(tokens[offset + i], start + offset + i, LLamaSeqId.Zero, lastLogits && offset + i == tokens.Length - 1); }
        var rc = embedding ? handle.Encode(batch) : handle.Decode(batch);
        if (rc != 0 && rc != DecodeResult.Ok) { throw new InvalidOperationException($"decode failed: {rc}"); }
    }
}
// First evaluation closes llama.cpp's load span, as on our side.
Decode(RandomTokens(1), 0, true);
var loadWallMs = stopwatch.Elapsed.TotalMilliseconds;
var loadMs = handle.GetTimings().Loading.TotalMilliseconds;
handle.MemoryClear();

double? pp = null, tg = null, embd = null;
if (!embedding)
{
    random = new Random(42);
    var prompt = RandomTokens(512);
    double PromptOnce()
    {
        handle.MemoryClear();
        var sw = Stopwatch.StartNew();
        Decode(prompt, 0, true);
        return sw.Elapsed.TotalSeconds;
    }
    PromptOnce();
    pp = Enumerable.Range(0, reps).Select(_ => prompt.Length / PromptOnce()).Average();

    random = new Random(42);
    var start = RandomTokens(2)[1];
    using var sampler = SafeLLamaSamplerChainHandle.Create(LLamaSamplerChainParams.Default());
    sampler.AddGreedySampler();
    double GenerateOnce(int count)
    {
        handle.MemoryClear();
        Decode([start], 0, true);
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var next = sampler.Sample(handle, -1);
            batch.Clear();
            batch.Add(next, 1 + i, LLamaSeqId.Zero, true);
            handle.Decode(batch);
        }
        return count / sw.Elapsed.TotalSeconds;
    }
    GenerateOnce(1);
    tg = Enumerable.Range(0, reps).Select(_ => GenerateOnce(128)).Average();
}
else
{
    // The corpus `llmlsp bench engine` embeds by default: 16 code-like chunks, packed into 512-token batches, one
    // sequence each, CLS pooling read per sequence.
    var texts = EngineBenchmark.CorpusLines(16).ToList();
    var tokenized = texts.Select(t => context.Tokenize(t, addBos: true, special: true).Take(512).ToArray()).ToList();
    var total = tokenized.Sum(t => t.Length);
    void EmbedAll()
    {
        var i = 0;
        while (i < tokenized.Count)
        {
            batch.Clear();
            var used = 0;
            var seq = 0;
            var first = i;
            while (i < tokenized.Count && used + tokenized[i].Length <= 512)
            {
                for (var p = 0; p < tokenized[i].Length; p++) { batch.Add(tokenized[i][p], p, (LLamaSeqId)seq, true); }
                used += tokenized[i].Length;
                seq++;
                i++;
            }
            handle.MemoryClear();
            var rc = handle.Encode(batch);
            if (rc != 0 && rc != DecodeResult.Ok) { throw new InvalidOperationException($"encode failed: {rc}"); }
            for (var s = 0; s < seq; s++) { _ = handle.GetEmbeddingsSeq((LLamaSeqId)s).ToArray(); }
        }
    }
    EmbedAll();
    embd = Enumerable.Range(0, reps).Select(_ => { var sw = Stopwatch.StartNew(); EmbedAll(); return total / sw.Elapsed.TotalSeconds; }).Average();
}

var peak = EngineBenchmark.PeakResidentMegabytes();
Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
{
    ["pp_tps"] = pp, ["tg_tps"] = tg, ["embd_tps"] = embd, ["load_ms"] = loadMs, ["load_wall_ms"] = loadWallMs, ["peak_rss_mb"] = peak,
    
}));

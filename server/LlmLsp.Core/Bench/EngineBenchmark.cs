using System.Diagnostics;
using System.Globalization;
using LlmLsp.Engine;
using LlmLsp.Engine.Native;
using Microsoft.Extensions.Logging;

namespace LlmLsp.Bench;

/// <summary>What `llmlsp bench engine` measures. Null throughput = not applicable to this model (an
/// encoder cannot generate; embeddings of a decoder are only measured when asked for). <see cref="LoadMs"/> is
/// llama.cpp's own load counter, the one its tools print (weights load to end of first evaluation; the metadata read
/// before it is not counted); <see cref="LoadWallMs"/> is everything the caller waits for, our file check included.</summary>
public sealed record EngineBenchResult(double? PpTps, double? TgTps, double? EmbdTps, double LoadMs, double LoadWallMs, double PeakRssMb);

public sealed record EngineBenchSettings
{
    public int PromptTokens { get; init; } = 512;
    public int GeneratedTokens { get; init; } = 128;

    /// <summary>Tokens already in the KV cache when generation starts (llama-bench's -d): generation slows as the
    /// context grows, so a chat answer after a 1,500-token prompt is compared with tg at that depth.</summary>
    public int Depth { get; init; }
    public int Repetitions { get; init; } = 5;

    /// <summary>Null = only for embedding models.</summary>
    public bool? Embeddings { get; init; }

    /// <summary>Texts to embed; null = a built-in corpus of ~256-token chunks.</summary>
    public IReadOnlyList<string>? EmbeddingTexts { get; init; }
}

/// <summary>Measures the engine the way llama.cpp's tools measure themselves, through the public engine API
/// (the compute scheduler included, so the figures are what features get):
/// pp = a fresh KV cache, N random tokens decoded in n_batch = n_ubatch = 512 chunks (llama-bench pp512);
/// tg = 128 tokens generated one by one after a 1-token context (or a <see cref="EngineBenchSettings.Depth"/>-token
/// one, not timed), end-of-generation ignored (llama-bench tg128, tg128 @ dN);
/// both after one warm-up run, averaged over repetitions like llama-bench's avg t/s.
/// embd = pooled embeddings of ~256-token chunks packed into 512-token batches (llama-embedding's packing).</summary>
public static class EngineBenchmark
{
    public static async Task<EngineBenchResult> RunAsync(EngineOptions options, EngineBenchSettings settings,
        ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        // The libraries load once per process; llama.cpp's own load time covers the model only, so does the wall time.
        NativeLibraryLoader.Load(loggerFactory.CreateLogger("LlmLsp.Native"));
        var stopwatch = Stopwatch.StartNew();
        using var engine = LlamaEngine.Load(options, loggerFactory);
        // Like llama.cpp's perf "load time": from the start of the model load to the end of the first
        // evaluation, so it includes creating the context (ours makes it lazily on first use).
        if (engine.Model.IsEmbeddingModel)
        {
            await engine.EmbedAsync(["hello"], cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await engine.GenerateTextAsync(new GenerationRequest { PromptTokens = RandomTokens(engine, 1), MaxTokens = 0 }, cancellationToken).ConfigureAwait(false);
        }
        var loadWallMs = stopwatch.Elapsed.TotalMilliseconds;
        var loadMs = engine.LlamaLoadMilliseconds ?? loadWallMs;

        double? pp = null, tg = null, embd = null;
        if (!engine.Model.IsEmbeddingModel)
        {
            pp = await PromptAsync(engine, settings, cancellationToken).ConfigureAwait(false);
            tg = await GenerationAsync(engine, settings, cancellationToken).ConfigureAwait(false);
        }
        if (settings.Embeddings ?? engine.Model.IsEmbeddingModel)
        {
            embd = await EmbeddingsAsync(engine, settings, cancellationToken).ConfigureAwait(false);
        }
        return new EngineBenchResult(pp, tg, embd, loadMs, loadWallMs, PeakResidentMegabytes());
    }

    private static async Task<double> PromptAsync(LlamaEngine engine, EngineBenchSettings settings, CancellationToken ct)
    {
        var prompt = RandomTokens(engine, settings.PromptTokens);
        await PromptOnceAsync(engine, prompt, ct).ConfigureAwait(false); // warm-up
        var rates = new List<double>();
        for (var rep = 0; rep < settings.Repetitions; rep++)
        {
            var seconds = await PromptOnceAsync(engine, prompt, ct).ConfigureAwait(false);
            rates.Add(prompt.Length / seconds);
        }
        return rates.Average();
    }

    private static async Task<double> PromptOnceAsync(LlamaEngine engine, int[] prompt, CancellationToken ct)
    {
        var result = await engine.GenerateTextAsync(new GenerationRequest
        {
            PromptTokens = prompt,
            MaxTokens = 0,
            ReuseCachedPrefix = false,
        }, ct).ConfigureAwait(false);
        return result.PromptTime.TotalSeconds;
    }

    private static async Task<double> GenerationAsync(LlamaEngine engine, EngineBenchSettings settings, CancellationToken ct)
    {
        int[] start = settings.Depth > 0 ? RandomTokens(engine, settings.Depth) : [RandomTokens(engine, 2)[1]];
        await GenerateOnceAsync(engine, start, 1, ct).ConfigureAwait(false); // warm-up: one token, like llama-bench
        var rates = new List<double>();
        for (var rep = 0; rep < settings.Repetitions; rep++)
        {
            var result = await GenerateOnceAsync(engine, start, settings.GeneratedTokens, ct).ConfigureAwait(false);
            rates.Add(result.GeneratedTokens / result.GenerationTime.TotalSeconds);
        }
        return rates.Average();
    }

    private static Task<GenerationResult> GenerateOnceAsync(LlamaEngine engine, int[] start, int tokens, CancellationToken ct)
        => engine.GenerateTextAsync(new GenerationRequest
        {
            PromptTokens = start,
            MaxTokens = tokens,
            IgnoreEndOfGeneration = true,
            // A deep context is decoded once (untimed) and kept; only the generated tokens are measured.
            ReuseCachedPrefix = start.Length > 1,
        }, ct);

    private static async Task<double> EmbeddingsAsync(LlamaEngine engine, EngineBenchSettings settings, CancellationToken ct)
    {
        var texts = settings.EmbeddingTexts ?? DefaultCorpus();
        // Count what the engine evaluates: tokens with the model's special tokens, truncated to the batch.
        var tokens = texts.Sum(t => Math.Min(engine.Tokenize(t, addSpecial: true).Count, 512));
        await engine.EmbedAsync(texts.Take(2).ToList(), ct).ConfigureAwait(false); // warm-up
        var rates = new List<double>();
        for (var rep = 0; rep < settings.Repetitions; rep++)
        {
            var stopwatch = Stopwatch.StartNew();
            await engine.EmbedAsync(texts, ct).ConfigureAwait(false);
            rates.Add(tokens / stopwatch.Elapsed.TotalSeconds);
        }
        return rates.Average();
    }

    /// <summary>16 chunks of about 250 tokens of code-like text (what the indexer embeds). The same text as
    /// `bench/engine.sh` feeds llama-embedding comes from <see cref="CorpusLines"/>.</summary>
    private static List<string> DefaultCorpus() => [.. CorpusLines(16)];

    /// <summary>Deterministic code-like lines (one chunk each), ~250 tokens with BERT and BPE vocabularies.</summary>
    public static IEnumerable<string> CorpusLines(int count)
    {
        string[] words = ["public", "static", "int", "value", "return", "if", "else", "for", "var", "index", "count",
            "string", "name", "list", "add", "result", "null", "true", "false", "await", "async", "task", "engine", "token"];
        var state = 0x2545F4914F6CDD1DUL;
        for (var line = 0; line < count; line++)
        {
            var parts = new List<string>(200);
            for (var i = 0; i < 200; i++)
            {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                parts.Add(words[(int)(state % (ulong)words.Length)] + ((state >> 20) % 7 == 0 ? "(" + (state >> 40) % 100 + ");" : ""));
            }
            yield return string.Join(' ', parts);
        }
    }

    /// <summary>Random ids over the whole vocabulary like llama-bench's (BOS first when the model has one).</summary>
    private static int[] RandomTokens(LlamaEngine engine, int count)
    {
        var random = new Random(42);
        var tokens = new int[count];
        var vocab = engine.Model.VocabularySize;
        for (var i = 0; i < count; i++)
        {
            tokens[i] = random.Next(vocab);
        }
        if (engine.BosToken >= 0 && count > 0)
        {
            tokens[0] = engine.BosToken;
        }
        return tokens;
    }

    /// <summary>VmHWM: the process's peak resident set, in MiB (Linux; 0 elsewhere).</summary>
    public static double PeakResidentMegabytes()
    {
        const string StatusFile = "/proc/self/status";
        if (!File.Exists(StatusFile))
        {
            return 0;
        }
        foreach (var line in File.ReadLines(StatusFile))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                var kb = long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                return kb / 1024.0;
            }
        }
        return 0;
    }
}

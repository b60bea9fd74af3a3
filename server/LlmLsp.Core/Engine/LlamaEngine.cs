using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using LlmLsp.Engine.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmLsp.Engine;

/// <summary>One loaded model and the llama contexts made from it. Every native compute call goes through
/// the shared <see cref="ComputeScheduler"/>, so each context has exactly one user at a time.
/// Tokenization only reads the vocabulary and runs on the caller's thread.</summary>
public sealed partial class LlamaEngine : IDisposable
{
    private const int GenerationSequence = 0;

    /// <summary>Holds reused KV chunks while the tokens before them are decoded (see KvReusePlanner).</summary>
    private const int StagingSequence = 1;

    private readonly SafeLlamaModelHandle _model;
    private readonly LlamaVocab _vocab;
    private readonly ComputeScheduler _scheduler;
    private readonly bool _ownsScheduler;
    private readonly ILogger _logger;
    private readonly EngineOptions _options;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Lock _contextLock = new();
    private readonly CountdownEvent _activeJobs = new(1);
    private readonly Dictionary<GenerationSlot, (SafeLlamaContextHandle Context, GenerationCache Cache)> _generationSlots = [];
    private SafeLlamaContextHandle? _embeddingContext;
    private int _disposed;
    private long _evaluatedTokens;
    private double _llamaLoadMilliseconds = double.NaN;

    private LlamaEngine(EngineOptions options, SafeLlamaModelHandle model, LlamaModelInfo info, int threads,
        ComputeScheduler scheduler, bool ownsScheduler, ILogger logger)
    {
        _options = options;
        _model = model;
        _vocab = model.Vocab;
        Model = info;
        Threads = threads;
        _scheduler = scheduler;
        _ownsScheduler = ownsScheduler;
        _logger = logger;
    }

    public LlamaModelInfo Model { get; }

    public int Threads { get; }

    /// <summary>Tokens decoded by generations since load (prompt and generated): what prefix reuse saves,
    /// and how much work ran after a cancellation.</summary>
    public long EvaluatedTokenCount => Interlocked.Read(ref _evaluatedTokens);

    /// <summary>Tokens the generation context holds (llama.cpp may round the requested size up).</summary>
    public int ContextSize => GenerationContext(GenerationSlot.Default).Context.ContextSize;

    public ComputeScheduler Scheduler => _scheduler;

    /// <summary>llama.cpp's own "load time", as its tools print it: from loading the weights to the end of the first
    /// evaluation of any context (null before one). Benchmarks compare it with llama.cpp's like for like.</summary>
    public double? LlamaLoadMilliseconds => Volatile.Read(ref _llamaLoadMilliseconds) is var ms && double.IsNaN(ms) ? null : ms;

    /// <summary>On the compute thread, after a job's last step.</summary>
    private void NoteEvaluated(SafeLlamaContextHandle context)
    {
        if (double.IsNaN(_llamaLoadMilliseconds))
        {
            Volatile.Write(ref _llamaLoadMilliseconds, context.LlamaLoadMilliseconds());
        }
    }

    /// <summary>Loads a model. Validates the file in managed code first: llama.cpp aborts the process on
    /// some malformed files instead of returning an error.</summary>
    public static LlamaEngine Load(EngineOptions options, ILoggerFactory? loggerFactory = null, ComputeScheduler? scheduler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        loggerFactory ??= NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger<LlamaEngine>();
        var header = ModelFile.Validate(options.ModelPath);
        NativeLibraryLoader.Load(loggerFactory.CreateLogger("LlmLsp.Native"));

        var stopwatch = Stopwatch.StartNew();
        var model = SafeLlamaModelHandle.Load(header.Path, options.GpuLayers, options.UseMmap, out var errors)
            ?? throw new LlmLspException(ErrorKind.InvalidModel,
                $"llama.cpp could not load {header.Path} (architecture '{header.Architecture}')" +
                (errors.Count > 0 ? ": " + errors[0] : ". The file may use an architecture or tensor layout this llama.cpp release does not support."));
        try
        {
            var vocab = model.Vocab;
            var info = new LlamaModelInfo(
                header.Path,
                header.Architecture,
                model.Description,
                model.ChatTemplate,
                model.TrainedContextLength,
                model.EmbeddingSize,
                vocab.TokenCount,
                IsEmbeddingModel: model.HasEncoder && !model.HasDecoder || model.GetMetadata($"{header.Architecture}.pooling_type") is not null,
                header.FileSize,
                model.ParameterCount,
                new FimTokens(vocab.FimPrefix, vocab.FimSuffix, vocab.FimMiddle, vocab.FimPad, vocab.FimRepo, vocab.FimFileSeparator));
            var threads = Math.Clamp(options.Threads ?? CpuTopology.PhysicalCoreCount(), 1, Environment.ProcessorCount);
            var ownsScheduler = scheduler is null;
            scheduler ??= new ComputeScheduler(loggerFactory.CreateLogger<ComputeScheduler>());
            LogModelLoaded(logger, info.Path, info.Architecture, info.Description, stopwatch.ElapsedMilliseconds, threads);
            return new LlamaEngine(options, model, info, threads, scheduler, ownsScheduler, logger);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public static Task<LlamaEngine> LoadAsync(EngineOptions options, ILoggerFactory? loggerFactory = null,
        ComputeScheduler? scheduler = null, CancellationToken cancellationToken = default)
        => Task.Run(() => Load(options, loggerFactory, scheduler), cancellationToken);

    // ---- Vocabulary (thread-safe reads) ----

    public IReadOnlyList<int> Tokenize(string text, bool addSpecial = false, bool parseSpecial = false)
        => _vocab.Tokenize(text, addSpecial, parseSpecial);

    public string Detokenize(IReadOnlyList<int> tokens, bool renderSpecial = false)
        => _vocab.Detokenize(tokens is int[] array ? array : tokens.ToArray(), removeSpecial: false, unparseSpecial: renderSpecial);

    public int CountTokens(string text) => _vocab.Tokenize(text, addSpecial: false, parseSpecial: true).Length;

    public bool IsEndOfGeneration(int token) => _vocab.IsEndOfGeneration(token);

    public int BosToken => _vocab.Bos;
    public bool AddsBos => _vocab.AddsBos;

    /// <summary>Whether a token is a control/special token (a marker, not text).</summary>
    public bool IsControlOrSpecial(int token) => _vocab.IsControl(token) || _vocab.IsEndOfGeneration(token);
    public int EosToken => _vocab.Eos;
    public int EotToken => _vocab.Eot;

    /// <summary>Formats a conversation with the model's chat template (ChatML when it has none or llama.cpp
    /// does not recognise it).</summary>
    public string FormatChat(IReadOnlyList<(string Role, string Content)> messages, bool addAssistantPrompt = true)
    {
        if (Model.ChatTemplate is { } template && LlamaChatTemplate.Apply(template, messages, addAssistantPrompt) is { } formatted)
        {
            return formatted;
        }
        return LlamaChatTemplate.Apply("chatml", messages, addAssistantPrompt)
            ?? throw new InvalidOperationException("llama.cpp does not know the ChatML template.");
    }

    // ---- Generation ----

    /// <summary>Streams generated text. A prompt that shares a prefix with the tokens already in the context
    /// decodes only the rest. Cancelling stops within one decode step (the native abort callback interrupts
    /// a long prompt decode) and throws <see cref="OperationCanceledException"/>.</summary>
    public IAsyncEnumerable<GenerationUpdate> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default)
        => GenerateCoreAsync(request, streamPieces: true, cancellationToken);

    /// <summary>Runs a generation to the end and returns the whole text with its statistics.</summary>
    public async Task<GenerationResult> GenerateTextAsync(GenerationRequest request, CancellationToken cancellationToken = default)
    {
        // No piece-by-piece updates: each one would wake a thread-pool thread per token, which then competes with
        // llama.cpp's threads for the cores (tg128 +1.5% without them, four pairs out of four).
        await foreach (var update in GenerateCoreAsync(request, streamPieces: false, cancellationToken).ConfigureAwait(false))
        {
            if (update.Result is { } result)
            {
                return result;
            }
        }
        throw new InvalidOperationException("The generation ended without a result.");
    }

    private async IAsyncEnumerable<GenerationUpdate> GenerateCoreAsync(GenerationRequest request, bool streamPieces,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var prompt = request.PromptTokens?.ToArray()
            ?? (request.Prompt is { } text
                ? _vocab.Tokenize(text, request.AddSpecialTokens, parseSpecial: true)
                : throw new LlmLspException(ErrorKind.InvalidInput, "A generation needs a prompt."));
        if (prompt.Length == 0)
        {
            throw new LlmLspException(ErrorKind.InvalidInput, "The prompt is empty.");
        }
        if (request.MaxTokens < 0)
        {
            throw new LlmLspException(ErrorKind.InvalidInput, "MaxTokens must not be negative.");
        }
        var vocabSize = Model.VocabularySize;
        if (prompt.Any(t => t < 0 || t >= vocabSize))
        {
            throw new LlmLspException(ErrorKind.InvalidInput, $"The prompt holds token ids outside the vocabulary (0..{vocabSize - 1}).");
        }
        var (context, cache) = GenerationContext(request.Slot);
        if (prompt.Length >= context.ContextSize)
        {
            throw new LlmLspException(ErrorKind.InvalidInput,
                $"The prompt is {prompt.Length} tokens; the context holds {context.ContextSize}. Shorten it or raise the context size.");
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
        var channel = Channel.CreateUnbounded<GenerationUpdate>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var job = new GenerationJob(this, context, cache, prompt, request, channel.Writer, streamPieces, linked.Token);
        Submit(job);
        await using var abortOnCancel = linked.Token.Register(job.RequestAbort).ConfigureAwait(false);
        var finished = false;
        try
        {
            await foreach (var update in channel.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                // Pieces the job produced before it saw the cancellation are not handed out after it.
                linked.Token.ThrowIfCancellationRequested();
                finished = update.Result is not null;
                if (update.Result is { } result)
                {
                    LogGenerationFinished(_logger, request.Slot, result.PromptTokens, result.EvaluatedPromptTokens, result.GeneratedTokens,
                        result.PromptTime.TotalMilliseconds, result.GenerationTime.TotalMilliseconds, result.FinishReason);
                }
                yield return update;
            }
        }
        finally
        {
            if (!finished)
            {
                // The caller stopped reading early (break, exception): stop the job as if cancelled.
                await linked.CancelAsync().ConfigureAwait(false);
            }
        }
        // The job completes the channel with the cancellation exception when it was cancelled.
    }

    // ---- Embeddings ----

    /// <summary>Pooled, L2-normalised embeddings, packing many texts into each batch. Texts longer than the
    /// embedding batch are truncated to it.</summary>
    public async Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0)
        {
            return [];
        }
        var context = EmbeddingContext();
        var sequences = texts.Select(t => TruncateForEmbedding(_vocab.Tokenize(t ?? "", addSpecial: true, parseSpecial: false), context.BatchSize)).ToArray();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
        var job = new EmbeddingJob(this, context, sequences, linked.Token);
        Submit(job);
        await using var abortOnCancel = linked.Token.Register(job.RequestAbort).ConfigureAwait(false);
        return await job.Completion.ConfigureAwait(false);
    }

    private static int[] TruncateForEmbedding(int[] tokens, int limit)
    {
        if (tokens.Length == 0)
        {
            return tokens;
        }
        return tokens.Length <= limit ? tokens : tokens[..limit];
    }

    private void Submit(ComputeJob job)
    {
        if (!_activeJobs.TryAddCount())
        {
            throw new ObjectDisposedException(nameof(LlamaEngine));
        }
        try
        {
            _scheduler.Enqueue(job);
        }
        catch
        {
            _activeJobs.Signal();
            throw;
        }
    }

    private void JobFinished() => _activeJobs.Signal();

    /// <summary>Each slot has its own context and KV cache, so chat and completion neither evict each other's
    /// cached prompt nor wait for each other's whole job: the scheduler interleaves their steps.</summary>
    private (SafeLlamaContextHandle Context, GenerationCache Cache) GenerationContext(GenerationSlot slot)
    {
        lock (_contextLock)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            if (!_generationSlots.TryGetValue(slot, out var entry))
            {
                var size = _options.ContextSize <= 0 ? Model.TrainedContextLength : Math.Min(_options.ContextSize, Model.TrainedContextLength);
                var batch = Math.Clamp(_options.BatchSize, 1, size);
                // Two sequences in one unified KV cache: the second parks reused chunks during a prompt decode.
                var context = SafeLlamaContextHandle.Create(_model,
                    new ContextSettings(size, batch, batch, Threads, MaxSequences: 2, UnifiedKvCache: true));
                entry = (context, new GenerationCache());
                _generationSlots[slot] = entry;
            }
            return entry;
        }
    }

    private SafeLlamaContextHandle EmbeddingContext()
    {
        lock (_contextLock)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            if (_embeddingContext is null)
            {
                var size = Math.Clamp(_options.EmbeddingBatchSize, 8, Model.TrainedContextLength);
                var settings = new ContextSettings(size, size, size, Threads, MaxSequences: EmbeddingJob.MaxSequencesPerBatch,
                    Embeddings: true, UnifiedKvCache: true);
                var context = SafeLlamaContextHandle.Create(_model, settings);
                if (context.PoolingType == (int)PoolingKind.None)
                {
                    // Decoder models have no pooling of their own: average their token states.
                    context.Dispose();
                    context = SafeLlamaContextHandle.Create(_model, settings with { PoolingType = (int)PoolingKind.Mean });
                }
                _embeddingContext = context;
            }
            return _embeddingContext;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _lifetime.Cancel();
        _activeJobs.Signal();
        _activeJobs.Wait();
        lock (_contextLock)
        {
            foreach (var (context, _) in _generationSlots.Values)
            {
                context.Dispose();
            }
            _embeddingContext?.Dispose();
        }
        _model.Dispose();
        if (_ownsScheduler)
        {
            _scheduler.Dispose();
        }
        _lifetime.Dispose();
        _activeJobs.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Path}: {Architecture} ({Description}) in {ElapsedMs} ms; {Threads} threads")]
    private static partial void LogModelLoaded(ILogger logger, string path, string architecture, string description, long elapsedMs, int threads);

    // Debug only; bench/chat.sh parses this line (keep its shape).
    [LoggerMessage(Level = LogLevel.Debug, Message = "Generation finished: slot={Slot} promptTokens={PromptTokens} evaluatedTokens={EvaluatedTokens} generatedTokens={GeneratedTokens} promptMs={PromptMs:F1} generationMs={GenerationMs:F1} finish={Finish}")]
    private static partial void LogGenerationFinished(ILogger logger, GenerationSlot slot, int promptTokens, int evaluatedTokens, int generatedTokens,
        double promptMs, double generationMs, FinishReason finish);

    private enum PoolingKind
    {
        None = 0,
        Mean = 1,
    }

    /// <summary>The tokens currently in the generation context's KV cache, in position order.</summary>
    private sealed class GenerationCache
    {
        public List<int> Tokens { get; } = [];
    }
}

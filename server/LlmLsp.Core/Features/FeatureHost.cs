using LlmLsp.Engine;
using LlmLsp.Features.Chat;
using LlmLsp.Features.Completion;
using LlmLsp.Features.Docs;
using LlmLsp.Features.Indexing;
using LlmLsp.Index;
using LlmLsp.Models;
using LlmLsp.Options;
using LlmLsp.Remote;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmLsp.Features;

/// <summary>The features a long-running server offers, built from the current options. Models load on first
/// use (one engine per model file, all sharing one compute scheduler) and are swapped only when the model
/// settings change. Which file serves a role: the setting for that role, else the server's --model, else the
/// model chosen with `llmlsp models use` (or the recommended one, if downloaded).</summary>
public sealed partial class FeatureHost : IDisposable
{
    private readonly string? _modelOverride;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly ComputeScheduler _scheduler;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, LlamaEngine> _engines = new(StringComparer.Ordinal);
    private readonly RemoteServers _remotes = new();
    private readonly HashSet<string> _reported = [];
    private LlmLspOptions _options = LlmLspOptions.Default;
    private CompletionFeature? _completion;
    private IInfillModel? _completionModel;
    private CompletionSettings? _completionSettings;
    private readonly RecentSnippets _snippets = new();
    private CancellationTokenSource? _pendingReindex;
    private readonly CancellationTokenSource _disposed = new();
    private readonly EmbeddingSource _embeddings;

    public FeatureHost(string? modelOverride = null, ILoggerFactory? loggerFactory = null)
    {
        _modelOverride = modelOverride is null ? null : Path.GetFullPath(modelOverride);
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<FeatureHost>();
        _scheduler = new ComputeScheduler(_loggerFactory.CreateLogger<ComputeScheduler>());
        _embeddings = new EmbeddingSource(UserDirectories.FromEnvironment(), _loggerFactory, _scheduler);
        Index = new IndexingFeature(() => _embeddings.Choose(_options.Model, _options.Index.KeywordOnly,
            _options.Backend.For(ModelRole.Embedding) is { } remote ? _remotes.Get(remote, ModelRole.Embedding).Server : null), loggerFactory: _loggerFactory);
    }

    public IndexingFeature Index { get; }

    /// <summary>How long saves are collected before an index refresh runs.</summary>
    public TimeSpan ReindexDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Remembers a document the user opened or saved, as context for completions in other files.</summary>
    public void NoteDocument(string path, string text) => _snippets.Note(path, text);

    /// <summary>Refreshes the folder's index in the background after a quiet moment, if it has one: keeping an
    /// index fresh is cheap (unchanged files are skipped), creating one is the user's choice. Saves that come
    /// in quick succession restart the wait.</summary>
    public void ScheduleReindex(string folder)
    {
        if (!File.Exists(IndexLocation.DefaultDatabasePath(folder)))
        {
            return;
        }
        var mine = new CancellationTokenSource();
        Interlocked.Exchange(ref _pendingReindex, mine)?.Cancel();
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(ReindexDelay, mine.Token).ConfigureAwait(false);
                var summary = await Index.IndexFolderAsync(new IndexFolderRequest(folder), null, mine.Token).ConfigureAwait(false);
                LogReindexed(_logger, folder, summary.FilesIndexed, summary.FilesRemoved);
            }
            catch (OperationCanceledException)
            {
                // A newer save restarted the wait, or the server is shutting down.
            }
            catch (Exception ex) when (ex is LlmLspException or IOException)
            {
                LogReindexFailed(_logger, folder, ex.Message);
            }
        }, CancellationToken.None);
    }

    public ComputeScheduler Scheduler => _scheduler;

    /// <summary>Takes new options; engines whose model is no longer wanted are unloaded on the next use.</summary>
    public void Apply(LlmLspOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Interlocked.Exchange(ref _options, options);
    }

    /// <summary>Loads the configured completion and chat models in the background, so that the first keystroke or
    /// question after start-up does not wait for a model load. Failures are only logged: the request that needs the
    /// model reports them.</summary>
    public void WarmUpInBackground() => _ = Task.Run(async () =>
    {
        try
        {
            // Without a model there is nothing to load; the feature that needs one says so when it is used.
            if (CompletionModelPath(_options) is not null && _options.Backend.For(ModelRole.Completion) is null)
            {
                await GetCompletionAsync(_disposed.Token).ConfigureAwait(false);
            }
            await GetChatModelAsync(_disposed.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (_disposed.IsCancellationRequested && e is OperationCanceledException or ObjectDisposedException)
        {
        }
        catch (Exception e) when (e is LlmLspException or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            LogWarmUpFailed(_logger, e.Message);
        }
    });

    /// <summary>The completion feature, or null when no completion model is configured (reported once).</summary>
    public async Task<CompletionFeature?> GetCompletionAsync(CancellationToken cancellationToken)
    {
        var options = _options;
        var remote = options.Backend.For(ModelRole.Completion);
        var path = remote is null ? CompletionModelPath(options) : null;
        if (remote is null && path is null)
        {
            ReportOnce("completion", "Inline completion is off. " + ModelGuidance.NoModelConfigured(ModelRole.Completion, ModelCatalogue.BuiltIn()).Message);
            return null;
        }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            IInfillModel model = remote is null ? EngineModelLocked(path!, options.Model) : _remotes.Get(remote, ModelRole.Completion).InfillModel;
            if (_completion is null || !ReferenceEquals(_completionModel, model) || _completionSettings != ToSettings(options.Completion))
            {
                _completion?.Dispose();
                _completionSettings = ToSettings(options.Completion);
                _completion = new CompletionFeature(model, _completionSettings, _snippets);
                _completionModel = model;
            }
            return _completion;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The chat model, or null when none is configured.</summary>
    public async Task<ChatModel?> GetChatModelAsync(CancellationToken cancellationToken)
    {
        var options = _options;
        if (options.Backend.For(ModelRole.Chat) is { } remote)
        {
            return ChatModel.FromRemote(_remotes.Get(remote, ModelRole.Chat).Server, options.Model.ContextSize, options.Chat.IgnoreEndOfGeneration);
        }
        var path = ResolvePath(options.Model.ChatModelPath, ModelRole.Chat);
        if (path is null)
        {
            return null;
        }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return ChatModel.FromEngine(LoadLocked(path, options.Model), options.Chat.IgnoreEndOfGeneration);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Chat over the configured model, grounded in the workspace index when asked.</summary>
    public async Task<ChatFeature> GetChatAsync(CancellationToken cancellationToken)
    {
        var model = await GetChatModelAsync(cancellationToken).ConfigureAwait(false);
        return new ChatFeature(model, Index, new ChatFeatureOptions { SystemPrompt = _options.Chat.SystemPrompt, AnswerTokens = _options.Chat.MaxTokens });
    }

    public async Task<AskFeature> GetAskAsync(CancellationToken cancellationToken)
    {
        var model = await GetChatModelAsync(cancellationToken).ConfigureAwait(false);
        return new AskFeature(Index, model, new AskOptions { AnswerTokens = Math.Min(_options.Chat.MaxTokens, 1024) });
    }

    /// <summary>Completion uses its own model when one is configured, else the chat model.</summary>
    private string? CompletionModelPath(LlmLspOptions options) =>
        ResolvePath(options.Model.CompletionModelPath, ModelRole.Completion) ?? ResolvePath(options.Model.ChatModelPath, ModelRole.Chat);

    private string? ResolvePath(string? configured, ModelRole role)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }
        if (_modelOverride is not null)
        {
            return _modelOverride;
        }
        using var manager = new ModelManager(UserDirectories.FromEnvironment());
        return manager.TryResolve(role)?.Path;
    }

    /// <summary>One infill model per engine, so the completion feature is rebuilt only when the engine changes.</summary>
    private readonly Dictionary<LlamaEngine, EngineInfillModel> _infillModels = [];

    private EngineInfillModel EngineModelLocked(string path, ModelOptions model)
    {
        var engine = LoadLocked(path, model);
        if (!_infillModels.TryGetValue(engine, out var infill))
        {
            infill = new EngineInfillModel(engine);
            _infillModels[engine] = infill;
        }
        return infill;
    }

    private LlamaEngine LoadLocked(string path, ModelOptions model)
    {
        if (_engines.TryGetValue(path, out var engine))
        {
            return engine;
        }
        engine = LlamaEngine.Load(new EngineOptions
        {
            ModelPath = path,
            ContextSize = model.ContextSize,
            Threads = model.Threads > 0 ? model.Threads : null,
            GpuLayers = model.GpuLayers,
        }, _loggerFactory, _scheduler);
        _engines[path] = engine;
        LogModelReady(_logger, path);
        return engine;
    }

    private static CompletionSettings ToSettings(Options.CompletionOptions options) => new()
    {
        MaxTokens = options.MaxTokens,
        TimeBudgetMs = options.TimeBudgetMs,
        PrefixTokens = options.PrefixTokens,
        SuffixTokens = options.SuffixTokens,
        Languages = options.Languages,
        Enabled = options.Enabled,
        IgnoreEndOfGeneration = options.IgnoreEndOfGeneration,
        DebounceMs = options.DebounceMs,
    };

    private void ReportOnce(string key, string message)
    {
        lock (_reported)
        {
            if (!_reported.Add(key))
            {
                return;
            }
        }
        LogUnavailable(_logger, message);
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _gate.Wait(); // a model load in progress (the warm-up's, say) finishes before its engine is disposed
        _pendingReindex?.Cancel();
        _completion?.Dispose();
        Index.Dispose();
        _embeddings.Dispose();
        _remotes.Dispose();
        foreach (var engine in _engines.Values)
        {
            engine.Dispose();
        }
        _scheduler.Dispose();
        _gate.Dispose();
        _disposed.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Index of {Folder} refreshed: {Indexed} files re-indexed, {Removed} removed")]
    private static partial void LogReindexed(ILogger logger, string folder, int indexed, int removed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing the index of {Folder} failed: {Reason}")]
    private static partial void LogReindexFailed(ILogger logger, string folder, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model ready: {Path}")]
    private static partial void LogModelReady(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Message}")]
    private static partial void LogUnavailable(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loading the models ahead of use failed; the first request that needs them will report why: {Message}")]
    private static partial void LogWarmUpFailed(ILogger logger, string message);
}

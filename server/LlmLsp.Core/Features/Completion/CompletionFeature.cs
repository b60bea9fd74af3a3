using System.Diagnostics;
using System.Text;
using LlmLsp.Engine;

namespace LlmLsp.Features.Completion;

/// <summary>One completion at a cursor. <see cref="Offset"/> is a UTF-16 index into <see cref="Text"/>;
/// <see cref="Version"/> orders requests for the same document (requests may start out of order).</summary>
public sealed record CompletionRequest(string DocumentKey, string Path, string Text, int Offset, string? LanguageId = null, int Version = 0);

public enum CompletionSource
{
    Model,
    TypedAhead,
    Cache,
    Skipped,
}

/// <summary>The suggestion to show (null: none), where it came from and what it cost.</summary>
public sealed record CompletionResult(string? Text, CompletionSource Source, int PromptTokens, int EvaluatedTokens, TimeSpan Elapsed);

public sealed record CompletionSettings
{
    public int MaxTokens { get; init; } = 64;
    public int TimeBudgetMs { get; init; } = 1500;
    public int PrefixTokens { get; init; } = 1024;
    public int SuffixTokens { get; init; } = 256;
    public int ContextTokens { get; init; } = 512;

    /// <summary>How long a request that needs the model waits for a newer keystroke before computing. While
    /// the user types faster than this, superseded requests cost no compute at all; answers from memory or the
    /// cache never wait.</summary>
    public int DebounceMs { get; init; } = 75;

    public bool Enabled { get; init; } = true;

    /// <summary>Benchmark only: generate exactly <see cref="MaxTokens"/> tokens; end-of-generation tokens and
    /// the stop rules no longer end the generation (the shown text is still cut by the rules).</summary>
    public bool IgnoreEndOfGeneration { get; init; }

    /// <summary>Language ids to complete in; empty means all.</summary>
    public IReadOnlyList<string> Languages { get; init; } = [];
}

/// <summary>Inline code completion by fill-in-the-middle, on the shared engine or a remote server (<see cref="IInfillModel"/>).
/// Built for typing speed: latest request per document wins (the previous one is cancelled within a decode step, or its
/// connection closed); a suggestion the user is typing through is answered from memory; identical prompts come from a
/// small cache. The model builds the prompt (extra context first, window aligned so consecutive keystrokes share a KV
/// prefix); the feature decides when to ask and what of the answer to show.</summary>
public sealed class CompletionFeature : IDisposable
{
    private const int ResultCacheSize = 128;

    private readonly IInfillModel _model;
    private readonly CompletionSettings _settings;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (int Version, CancellationTokenSource Source)> _inFlight = [];
    private readonly Dictionary<string, (string Before, string After, string Suggestion)> _lastShown = [];
    private readonly LinkedList<(string Key, string Suggestion)> _results = new();

    /// <summary>Completion on the in-process engine.</summary>
    public CompletionFeature(LlamaEngine engine, CompletionSettings? settings = null, RecentSnippets? snippets = null)
        : this(new EngineInfillModel(engine), settings, snippets)
    {
    }

    public CompletionFeature(IInfillModel model, CompletionSettings? settings = null, RecentSnippets? snippets = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _settings = settings ?? new CompletionSettings();
        Snippets = snippets ?? new RecentSnippets();
    }

    /// <summary>What generates the suggestions: the local engine or a remote server.</summary>
    public IInfillModel Model => _model;

    /// <summary>Other files' heads offered as context; fed by the editor's open/save events.</summary>
    public RecentSnippets Snippets { get; }

    public async Task<CompletionResult> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clock = Stopwatch.StartNew();
        if (request.Offset < 0 || request.Offset > request.Text.Length)
        {
            throw new LlmLspException(ErrorKind.InvalidInput, $"The cursor offset {request.Offset} is outside the document (length {request.Text.Length}).");
        }
        if (!_settings.Enabled || _settings.Languages.Count > 0 && request.LanguageId is { } language && !_settings.Languages.Contains(language, StringComparer.OrdinalIgnoreCase))
        {
            return new CompletionResult(null, CompletionSource.Skipped, 0, 0, clock.Elapsed);
        }
        if (!SuggestionRules.ShouldTrigger(request.Text, request.Offset))
        {
            return new CompletionResult(null, CompletionSource.Skipped, 0, 0, clock.Elapsed);
        }
        var before = request.Text[..request.Offset];
        var after = request.Text[request.Offset..];
        if (TypedAhead(request.DocumentKey, before, after) is { } rest)
        {
            return new CompletionResult(rest, CompletionSource.TypedAhead, 0, 0, clock.Elapsed);
        }

        using var latest = new LatestRequest(this, request.DocumentKey, request.Version, cancellationToken);
        latest.Token.ThrowIfCancellationRequested();
        var prompt = _model.Prepare(new InfillContext(request.Path, before, after, Snippets.For(request.Path)), _settings);
        var key = prompt.CacheKey;
        if (CachedResult(key) is { } cached)
        {
            Remember(request.DocumentKey, before, after, cached);
            return new CompletionResult(cached.Length == 0 ? null : cached, CompletionSource.Cache, prompt.Size, 0, clock.Elapsed);
        }

        if (_settings.DebounceMs > 0)
        {
            // A newer request for the document cancels this one (latest wins) before any compute is spent.
            await Task.Delay(_settings.DebounceMs, latest.Token).ConfigureAwait(false);
        }
        var midLine = SuggestionRules.IsMidLine(request.Text, request.Offset);
        var indent = SuggestionRules.LineIndent(request.Text, request.Offset);
        var generated = new StringBuilder();
        var evaluated = 0;
        await foreach (var piece in _model.GenerateAsync(prompt, _settings, latest.Token).ConfigureAwait(false))
        {
            evaluated = piece.EvaluatedPromptTokens;
            if (piece.Final)
            {
                break;
            }
            generated.Append(piece.Text);
            if (!_settings.IgnoreEndOfGeneration && SuggestionRules.Cut(generated.ToString(), midLine, indent).Done)
            {
                // Leaving the stream early stops the generation: no decode is spent past the natural end.
                break;
            }
        }
        var text = SuggestionRules.Cut(generated.ToString(), midLine, indent, final: true).Text;
        text = SuggestionRules.TrimSuffixOverlap(text, after);
        if (midLine || before.EndsWith('\n') || before.Length == 0)
        {
            text = text.TrimEnd();
        }
        StoreResult(key, text);
        Remember(request.DocumentKey, before, after, text);
        return new CompletionResult(text.Trim().Length == 0 ? null : text, CompletionSource.Model, prompt.Size, evaluated, clock.Elapsed);
    }

    private string? TypedAhead(string document, string before, string after)
    {
        lock (_lock)
        {
            if (!_lastShown.TryGetValue(document, out var shown) || shown.After != after || !before.StartsWith(shown.Before, StringComparison.Ordinal))
            {
                return null;
            }
            var typed = before[shown.Before.Length..];
            if (typed.Length == 0 || !shown.Suggestion.StartsWith(typed, StringComparison.Ordinal) || shown.Suggestion.Length == typed.Length)
            {
                return null;
            }
            var rest = shown.Suggestion[typed.Length..];
            _lastShown[document] = (before, after, rest);
            return rest;
        }
    }

    private void Remember(string document, string before, string after, string suggestion)
    {
        lock (_lock)
        {
            _lastShown[document] = (before, after, suggestion);
        }
    }

    /// <summary>Registers a request as the document's latest, cancelling the one still running; a request for
    /// an older version than one already running cancels itself instead. Unregisters itself when done, so a
    /// finished request is never cancelled (or disposed) twice.</summary>
    private sealed class LatestRequest : IDisposable
    {
        private readonly CompletionFeature _owner;
        private readonly string _document;
        private readonly CancellationTokenSource _source;

        public LatestRequest(CompletionFeature owner, string document, int version, CancellationToken cancellationToken)
        {
            _owner = owner;
            _document = document;
            _source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            lock (owner._lock)
            {
                if (owner._inFlight.TryGetValue(document, out var previous))
                {
                    if (previous.Version > version)
                    {
                        _source.Cancel();
                        return;
                    }
                    previous.Source.Cancel();
                }
                owner._inFlight[document] = (version, _source);
            }
        }

        public CancellationToken Token => _source.Token;

        public void Dispose()
        {
            lock (_owner._lock)
            {
                if (_owner._inFlight.TryGetValue(_document, out var current) && current.Source == _source)
                {
                    _owner._inFlight.Remove(_document);
                }
            }
            _source.Dispose();
        }
    }

    private string? CachedResult(string key)
    {
        lock (_lock)
        {
            for (var node = _results.First; node is not null; node = node.Next)
            {
                if (node.Value.Key == key)
                {
                    _results.Remove(node);
                    _results.AddFirst(node);
                    return node.Value.Suggestion;
                }
            }
            return null;
        }
    }

    private void StoreResult(string key, string suggestion)
    {
        lock (_lock)
        {
            _results.AddFirst((key, suggestion));
            while (_results.Count > ResultCacheSize)
            {
                _results.RemoveLast();
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var pending in _inFlight.Values)
            {
                pending.Source.Cancel();
            }
            _inFlight.Clear();
        }
    }
}

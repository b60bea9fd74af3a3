using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LlmLsp.Protocol;

namespace LlmLsp.Lsp;

/// <summary>Sends LSP progress: work-done progress (<c>window/workDoneProgress/create</c>, then begin/report/end on
/// <c>$/progress</c>, cancellable by the user) and partial results on a client's <c>partialResultToken</c>.
/// Get one from <see cref="RequestContext.Progress"/>.</summary>
public sealed class ProgressSender
{
    private readonly LspClient _client;
    private readonly ProgressRegistry _registry;
    private readonly bool _clientCanCreate;

    internal ProgressSender(LspClient client, ProgressRegistry registry, bool clientCanCreate)
    {
        _client = client;
        _registry = registry;
        _clientCanCreate = clientCanCreate;
    }

    /// <summary>Starts work-done progress on the request's <paramref name="clientToken"/> (its <c>workDoneToken</c>), or
    /// on a server-created token when the client supports that. Returns <see cref="WorkDoneProgress.None"/> when there is
    /// no way to show progress, so callers never need to check.</summary>
    public async Task<WorkDoneProgress> BeginAsync(
        string title, ProgressToken? clientToken = null, bool cancellable = false, string? message = null, int? percentage = null,
        CancellationToken cancellationToken = default)
    {
        var token = clientToken;
        if (token is null)
        {
            if (!_clientCanCreate)
            {
                return WorkDoneProgress.None;
            }

            token = new ProgressToken("llmlsp-" + _registry.NextId().ToString(CultureInfo.InvariantCulture));
            try
            {
                await _client.RequestAsync(
                    Methods.WindowWorkDoneProgressCreate, new WorkDoneProgressCreateParams(token),
                    LspJsonContext.Default.WorkDoneProgressCreateParams, LspJsonContext.Default.JsonElement, cancellationToken).ConfigureAwait(false);
            }
            catch (StreamJsonRpc.RemoteInvocationException)
            {
                // The client refused the token: progress is optional, the work is not.
                return WorkDoneProgress.None;
            }
        }

        var progress = new WorkDoneProgress(this, token, _registry.Register(token));
        await SendAsync(token, new WorkDoneProgressBegin(title, cancellable ? true : null, message, Clamp(percentage)), LspJsonContext.Default.WorkDoneProgressBegin).ConfigureAwait(false);
        return progress;
    }

    /// <summary>Sends one batch of partial results on the request's <c>partialResultToken</c>.</summary>
    public Task ReportPartialResultAsync<T>(ProgressToken partialResultToken, T value, JsonTypeInfo<T> valueInfo)
    {
        ArgumentNullException.ThrowIfNull(partialResultToken);
        return SendAsync(partialResultToken, value, valueInfo);
    }

    internal Task SendAsync<T>(ProgressToken token, T value, JsonTypeInfo<T> valueInfo) =>
        _client.NotifyAsync(Methods.Progress, new ProgressParams(token, JsonSerializer.SerializeToElement(value, valueInfo)), LspJsonContext.Default.ProgressParams);

    internal void Release(ProgressToken token) => _registry.Release(token);

    internal static int? Clamp(int? percentage) => percentage is { } p ? Math.Clamp(p, 0, 100) : null;
}

/// <summary>One running work-done progress. End it (or dispose it) exactly once; ending twice is harmless.
/// <see cref="CancellationToken"/> fires when the user cancels it in the client.</summary>
public sealed class WorkDoneProgress : IAsyncDisposable
{
    public static readonly WorkDoneProgress None = new(null, null, CancellationToken.None);

    private readonly ProgressSender? _sender;
    private int _ended;

    internal WorkDoneProgress(ProgressSender? sender, ProgressToken? token, CancellationToken cancellationToken)
    {
        _sender = sender;
        Token = token;
        CancellationToken = cancellationToken;
    }

    public ProgressToken? Token { get; }

    public CancellationToken CancellationToken { get; }

    public Task ReportAsync(string? message = null, int? percentage = null) =>
        _sender is null || Token is null || Volatile.Read(ref _ended) != 0
            ? Task.CompletedTask
            : _sender.SendAsync(Token, new WorkDoneProgressReport(null, message, ProgressSender.Clamp(percentage)), LspJsonContext.Default.WorkDoneProgressReport);

    public async Task EndAsync(string? message = null)
    {
        if (_sender is null || Token is null || Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        _sender.Release(Token);
        await _sender.SendAsync(Token, new WorkDoneProgressEnd(message), LspJsonContext.Default.WorkDoneProgressEnd).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await EndAsync().ConfigureAwait(false);
}

/// <summary>The work-done progress currently running, so <c>window/workDoneProgress/cancel</c> can reach it.</summary>
internal sealed class ProgressRegistry
{
    private readonly ConcurrentDictionary<ProgressToken, CancellationTokenSource> _running = new();
    private long _nextId;

    public long NextId() => Interlocked.Increment(ref _nextId);

    public CancellationToken Register(ProgressToken token)
    {
        var source = new CancellationTokenSource();
        _running[token] = source;
        return source.Token;
    }

    public void Release(ProgressToken token)
    {
        if (_running.TryRemove(token, out var source))
        {
            source.Dispose();
        }
    }

    /// <summary>Returns false for a token that is unknown or already ended (the spec lets a cancel race the end).</summary>
    public bool Cancel(ProgressToken token)
    {
        if (!_running.TryGetValue(token, out var source))
        {
            return false;
        }

        try
        {
            source.Cancel();
            return true;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }
}

using System.ClientModel;
using System.ClientModel.Primitives;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI;

namespace LlmLsp.Remote;

/// <summary>
/// One configured OpenAI-compatible server (llama-server, vLLM, Ollama, …) for one role, and the clients the features
/// use on it: <see cref="ChatClient"/> (<c>/v1/chat/completions</c>, streamed), <see cref="EmbeddingGenerator"/>
/// (<c>/v1/embeddings</c>) and <see cref="Infill"/> (<c>/infill</c> or <c>/v1/completions</c>). The first request checks
/// once that the server serves the configured model (<c>/v1/models</c>, when it has one).
/// </summary>
public sealed class RemoteServer : IDisposable
{
    private readonly HttpClient _http;
    private readonly Lock _checkLock = new();
    private Task<string?>? _modelCheck;

    public RemoteServer(RemoteEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Endpoint = endpoint;
        _http = RemoteHttp.Create(endpoint);
        var openAi = new OpenAIClient(new ApiKeyCredential(endpoint.ApiKey ?? "no-key"), new OpenAIClientOptions
        {
            Endpoint = endpoint.Resolve("v1/"),
            Transport = new HttpClientPipelineTransport(_http),
            // One attempt: a retry would repeat a long generation, and a down server should say so at once.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = endpoint.Timeout,
        });
        var model = endpoint.Model ?? "default";
        ChatClient = new GuardedChatClient(this, openAi.GetChatClient(model).AsIChatClient());
        EmbeddingGenerator = new GuardedEmbeddingGenerator(this, openAi.GetEmbeddingClient(model).AsIEmbeddingGenerator());
        Infill = new InfillClient(this, _http);
    }

    public RemoteEndpoint Endpoint { get; }

    public IChatClient ChatClient { get; }

    public IEmbeddingGenerator<string, Embedding<float>> EmbeddingGenerator { get; }

    public InfillClient Infill { get; }

    /// <summary>Runs <paramref name="call"/>, turning its failures into <see cref="ErrorKind.Backend"/> messages; a first
    /// call waits for the model check. A cancellation by the caller stays a cancellation.</summary>
    internal async Task<T> CallAsync<T>(string path, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        await EnsureModelAsync(cancellationToken).ConfigureAwait(false);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Endpoint.Timeout);
        try
        {
            return await call(limit.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested
            && RemoteFailure.Translate(Endpoint, path, ex, stalled: limit.IsCancellationRequested) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>Streams <paramref name="source"/> with the stall guard: the first piece and each next one must come
    /// within the timeout, or the request is stopped and reported. Failures as in <see cref="CallAsync"/>.</summary>
    internal async IAsyncEnumerable<T> StreamAsync<T>(string path, Func<CancellationToken, IAsyncEnumerable<T>> source,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnsureModelAsync(cancellationToken).ConfigureAwait(false);
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pieces = source(stall.Token).GetAsyncEnumerator(stall.Token);
        await using (pieces.ConfigureAwait(false))
        {
            while (true)
            {
                T current;
                try
                {
                    stall.CancelAfter(Endpoint.Timeout);
                    if (!await pieces.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }
                    current = pieces.Current;
                    stall.CancelAfter(Timeout.InfiniteTimeSpan);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested
                    && RemoteFailure.Translate(Endpoint, path, ex, stalled: stall.IsCancellationRequested) is { } failure)
                {
                    throw failure;
                }
                yield return current;
            }
        }
    }

    private async Task EnsureModelAsync(CancellationToken cancellationToken)
    {
        Task<string?> check;
        lock (_checkLock)
        {
            check = _modelCheck ??= CheckModelAsync();
        }
        if (await check.WaitAsync(cancellationToken).ConfigureAwait(false) is { } problem)
        {
            throw new LlmLspException(ErrorKind.Backend, problem);
        }
    }

    /// <summary>Null when the model is served (or cannot be checked: not every server lists its models), else why not.
    /// Connection failures are not cached: the next request tries again, so starting the server later just works.</summary>
    private async Task<string?> CheckModelAsync()
    {
        await Task.Yield(); // stored before it can finish, so a reset below is never overwritten
        if (Endpoint.Model is null)
        {
            return null;
        }
        try
        {
            using var limit = new CancellationTokenSource(Endpoint.Timeout);
            using var request = new HttpRequestMessage(HttpMethod.Get, Endpoint.Resolve("v1/models"));
            AddKey(request);
            using var response = await _http.SendAsync(request, limit.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                // 401 and friends are reported by the real request, with the server's words.
                return null;
            }
            var body = await response.Content.ReadAsStringAsync(limit.Token).ConfigureAwait(false);
            var served = ServedModels(body);
            return served.Count == 0 || served.Contains(Endpoint.Model, StringComparer.Ordinal)
                ? null
                : RemoteFailure.ModelMismatch(Endpoint, served).Message;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            lock (_checkLock)
            {
                _modelCheck = null;
            }
            return null;
        }
    }

    internal void AddKey(HttpRequestMessage request)
    {
        if (Endpoint.ApiKey is { Length: > 0 } key)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }
    }

    private static List<string> ServedModels(string body)
    {
        var names = new List<string>();
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("data", out var data)
                && data.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in data.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                    {
                        names.Add(id.GetString()!);
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not a list we understand: no check.
        }
        return names;
    }

    public void Dispose() => _http.Dispose();
}

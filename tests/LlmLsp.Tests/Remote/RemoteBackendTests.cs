using LlmLsp.Features.Chat;
using LlmLsp.Features.Completion;
using LlmLsp.Features.Docs;
using LlmLsp.Features.Indexing;
using LlmLsp.Options;
using LlmLsp.Remote;
using LlmLsp.Retrieval;
using LlmLsp.Tests.Fixtures;
using LlmLsp.Tests.Index;
using Xunit.Abstractions;

namespace LlmLsp.Tests.Remote;

/// <summary>Two real llama-servers for a test class: the suggester fixture (chat, /infill, /v1/completions) and the BERT
/// fixture with --embeddings.</summary>
public sealed class LlamaServers : IAsyncLifetime
{
    public LlamaServer? Chat { get; private set; }

    public LlamaServer? Embeddings { get; private set; }

    public async Task InitializeAsync()
    {
        if (LlamaServer.Unavailable is not null)
        {
            return;
        }
        Chat = await LlamaServer.StartAsync(TinyModels.Suggester(), "-c", "8192");
        Embeddings = await LlamaServer.StartAsync(TinyModels.Encoder(), "--embeddings");
    }

    public async Task DisposeAsync()
    {
        if (Chat is not null)
        {
            await Chat.DisposeAsync();
        }
        if (Embeddings is not null)
        {
            await Embeddings.DisposeAsync();
        }
    }
}

/// <summary>The remote backend's features against a real llama-server built from the pinned llama.cpp sources.</summary>
public sealed class RemoteBackendTests(LlamaServers servers, ITestOutputHelper output) : IClassFixture<LlamaServers>
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    private static RemoteServer Server(Uri url, string? model = "fixture", string role = "chat", string? apiKey = null,
        RemoteCompletionApi api = RemoteCompletionApi.Auto) =>
        new(RemoteEndpoint.From(new RemoteEndpointOptions { Url = url.ToString(), Model = model, ApiKey = apiKey, CompletionApi = api }, role));

    private bool Skipped()
    {
        if (LlamaServer.Unavailable is { } why)
        {
            output.WriteLine($"SKIPPED: llama-server could not be built here ({why}).");
            return true;
        }
        return false;
    }

    private static string Code() =>
        "public static class Maths\n{\n    public static int Sum(int[] values)\n    {\n        var total = 0;\n        return total\n    }\n}\n";

    [Fact]
    public async Task Chat_streams_from_the_server_and_the_deltas_add_up_to_the_answer()
    {
        if (Skipped())
        {
            return;
        }
        using var timeout = new CancellationTokenSource(s_timeout);
        using var server = Server(servers.Chat!.Url);
        var feature = new ChatFeature(ChatModel.FromRemote(server, 8192), options: new ChatFeatureOptions { AnswerTokens = 24 });

        var deltas = new List<string>();
        ChatResult? result = null;
        await foreach (var update in feature.ChatAsync(new ChatRequest([new ChatTurn("user", "Explain this code.")]), timeout.Token))
        {
            if (update.Result is { } done)
            {
                result = done;
            }
            else
            {
                deltas.Add(update.Delta);
            }
        }

        Assert.NotNull(result);
        Assert.True(deltas.Count > 1, "the answer came in one piece: not streamed");
        Assert.Equal(result.Text, string.Concat(deltas));
        Assert.Contains(TinyModels.SuggesterWord.Trim(), result.Text, StringComparison.Ordinal); // the fixture's favoured word
    }

    [Fact]
    public async Task Cancelling_a_chat_stops_the_servers_generation()
    {
        if (Skipped())
        {
            return;
        }
        using var timeout = new CancellationTokenSource(s_timeout);
        using var server = Server(servers.Chat!.Url);
        var feature = new ChatFeature(ChatModel.FromRemote(server, 8192, ignoreEndOfGeneration: true), options: new ChatFeatureOptions { AnswerTokens = 7000 });
        var before = await servers.Chat.MetricAsync("llamacpp:tokens_predicted_total");

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        ChatResult? result = null;
        var seenBusy = false;
        await foreach (var update in feature.ChatAsync(new ChatRequest([new ChatTurn("user", "Tell me a very long story.")]), cancel.Token))
        {
            if (update.Result is { } done)
            {
                result = done;
            }
            else if (!cancel.IsCancellationRequested)
            {
                seenBusy = await servers.Chat.BusyAsync();
                await cancel.CancelAsync();
            }
        }

        Assert.True(seenBusy, "the server was not generating when the first piece arrived");
        Assert.Equal("cancelled", result!.FinishReason);
        var stopped = System.Diagnostics.Stopwatch.StartNew();
        while (await servers.Chat.BusyAsync())
        {
            Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(5), "the server kept generating after the client went away");
            await Task.Delay(20);
        }
        var predicted = await servers.Chat.MetricAsync("llamacpp:tokens_predicted_total") - before;
        output.WriteLine($"stopped after {stopped.ElapsedMilliseconds} ms; the server predicted {predicted} tokens of 7000");
        Assert.True(predicted < 7000, $"the server generated {predicted} tokens: the whole answer");
    }

    [Fact]
    public async Task Completion_round_trips_through_infill_and_v1_completions()
    {
        if (Skipped())
        {
            return;
        }
        using var timeout = new CancellationTokenSource(s_timeout);
        using var infillServer = Server(servers.Chat!.Url, role: "completion");
        using var completionsServer = Server(servers.Chat.Url, role: "completion", api: RemoteCompletionApi.Completions);
        var settings = new CompletionSettings { MaxTokens = 8, DebounceMs = 0 };
        using var infill = new CompletionFeature(new RemoteInfillModel(infillServer.Infill, "infill"), settings);
        using var completions = new CompletionFeature(new RemoteInfillModel(completionsServer.Infill, "completions"), settings);
        var code = Code();
        var offset = code.IndexOf("return total", StringComparison.Ordinal) + "return total".Length;

        var viaInfill = await infill.CompleteAsync(new CompletionRequest("a", "Maths.cs", code, offset), timeout.Token);
        var viaCompletions = await completions.CompleteAsync(new CompletionRequest("a", "Maths.cs", code, offset), timeout.Token);
        var cached = await infill.CompleteAsync(new CompletionRequest("a", "Maths.cs", code, offset), timeout.Token);

        Assert.Equal("/infill", infillServer.Infill.Route);
        Assert.Equal(CompletionSource.Model, viaInfill.Source);
        Assert.StartsWith(TinyModels.SuggesterWord, viaInfill.Text, StringComparison.Ordinal);
        Assert.Equal(CompletionSource.Model, viaCompletions.Source);
        Assert.StartsWith(TinyModels.SuggesterWord, viaCompletions.Text, StringComparison.Ordinal);
        Assert.Equal(CompletionSource.Cache, cached.Source);
    }

    [Fact]
    public async Task A_newer_keystroke_cancels_the_request_in_flight()
    {
        if (Skipped())
        {
            return;
        }
        using var timeout = new CancellationTokenSource(s_timeout);
        using var server = Server(servers.Chat!.Url, role: "completion");
        // ignore end-of-generation: the first request would otherwise finish before the second one starts.
        using var feature = new CompletionFeature(new RemoteInfillModel(server.Infill, "remote"),
            new CompletionSettings { MaxTokens = 4000, TimeBudgetMs = 30_000, DebounceMs = 0, IgnoreEndOfGeneration = true });
        var code = Code();
        var offset = code.IndexOf("return total", StringComparison.Ordinal) + "return total".Length;

        var first = feature.CompleteAsync(new CompletionRequest("doc", "Maths.cs", code, offset, Version: 1), timeout.Token);
        while (!await servers.Chat.BusyAsync())
        {
            await Task.Delay(5, timeout.Token);
        }
        var edited = code.Insert(offset, ";");
        var second = feature.CompleteAsync(new CompletionRequest("doc", "Maths.cs", edited, offset + 1, Version: 2) , timeout.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var result = await second;
        Assert.Equal(CompletionSource.Model, result.Source);
        output.WriteLine($"second answered {started.ElapsedMilliseconds} ms after the first was cancelled");
    }

    [Fact]
    public async Task Embeddings_from_the_server_index_a_folder_and_search_by_vectors()
    {
        if (Skipped())
        {
            return;
        }
        using var timeout = new CancellationTokenSource(s_timeout);
        using var folder = new TempFolder();
        folder.Write("docs/a.md", "# Caching\n\nThe cache keeps recent answers for an hour.\n");
        folder.Write("docs/b.md", "# Threads\n\nOne compute thread runs every decode.\n");
        using var server = Server(servers.Embeddings!.Url, role: "embedding");
        using var feature = new IndexingFeature(() => new EmbedderChoice(server.EmbeddingGenerator, server.Endpoint.ModelId));
        var db = Path.Combine(folder.Path, "x.db");

        var summary = await feature.IndexFolderAsync(new IndexFolderRequest(folder.Path, db), null, timeout.Token);
        var again = await feature.IndexFolderAsync(new IndexFolderRequest(folder.Path, db), null, timeout.Token);
        var hits = await feature.SearchAsync(new SearchRequest("recent answers", 2, db, Mode: RetrievalMode.VectorsOnly), timeout.Token);

        Assert.True(summary.EmbeddingProblem is null, summary.EmbeddingProblem);
        Assert.Equal($"remote:{servers.Embeddings.Url.Authority}/fixture", summary.EmbeddingModel);
        Assert.Equal(2, summary.FilesIndexed);
        Assert.Equal(0, again.FilesIndexed + again.FilesReembedded);
        Assert.Equal(2, hits.Count); // vectors-only search returns hits only when vectors are stored
    }

    [Fact]
    public async Task A_wrong_model_name_or_a_stopped_server_is_a_clear_message()
    {
        if (Skipped())
        {
            return;
        }
        using var timeout = new CancellationTokenSource(s_timeout);
        using var wrong = Server(servers.Chat!.Url, model: "qwen-72b");
        using var down = Server(new Uri($"http://127.0.0.1:{LlamaServer.FreePort()}"));

        var wrongName = await Assert.ThrowsAsync<LlmLspException>(() => ChatOnce(wrong, timeout.Token));
        var notRunning = await Assert.ThrowsAsync<LlmLspException>(() => ChatOnce(down, timeout.Token));

        Assert.Equal(ErrorKind.Backend, wrongName.Kind);
        Assert.Contains("does not serve the model \"qwen-72b\"", wrongName.Message, StringComparison.Ordinal);
        Assert.Contains("\"fixture\"", wrongName.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorKind.Backend, notRunning.Kind);
        Assert.Contains("cannot reach the chat server at http://127.0.0.1:", notRunning.Message, StringComparison.Ordinal);
        Assert.Contains("connection refused", notRunning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_key_is_a_clear_message_that_does_not_show_the_key()
    {
        if (Skipped())
        {
            return;
        }
        using var timeout = new CancellationTokenSource(s_timeout);
        const string Key = "sk-remote-test-4711";
        await using var guarded = await LlamaServer.StartAsync(TinyModels.Suggester(), "--api-key", Key);
        using var wrongKey = Server(guarded.Url, apiKey: "sk-wrong-key-0815");
        using var noKey = Server(guarded.Url);
        using var rightKey = Server(guarded.Url, apiKey: Key);

        var refused = await Assert.ThrowsAsync<LlmLspException>(() => ChatOnce(wrongKey, timeout.Token));
        var missing = await Assert.ThrowsAsync<LlmLspException>(() => ChatOnce(noKey, timeout.Token));
        var answer = await ChatOnce(rightKey, timeout.Token);

        Assert.Contains("refused the API key (401 Unauthorized)", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-wrong-key-0815", refused.ToString(), StringComparison.Ordinal);
        Assert.Contains("needs an API key", missing.Message, StringComparison.Ordinal);
        Assert.NotEmpty(answer);
    }

    private static async Task<string> ChatOnce(RemoteServer server, CancellationToken cancellationToken)
    {
        var text = new System.Text.StringBuilder();
        await foreach (var update in server.ChatClient.GetStreamingResponseAsync([new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.User, "hi")],
            new Microsoft.Extensions.AI.ChatOptions { MaxOutputTokens = 4 }, cancellationToken))
        {
            text.Append(update.Text);
        }
        return text.ToString();
    }
}

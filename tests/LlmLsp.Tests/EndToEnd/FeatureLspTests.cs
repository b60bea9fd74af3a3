using System.Text;
using System.Text.Json;
using LlmLsp.Tests.Fixtures;

namespace LlmLsp.Tests.EndToEnd;

/// <summary>Completion, chat, ask, search and indexing through the real `llmlsp serve` process with a
/// fixture model.</summary>
public sealed class FeatureLspTests : IDisposable
{
    private const string DocumentUri = "file:///project/Maths.cs";
    private readonly string _folder = Directory.CreateTempSubdirectory("llmlsp-lsp-features-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Code()
    {
        var text = new StringBuilder("public static class Maths\n{\n");
        for (var i = 0; i < 30; i++)
        {
            text.Append("    public static int Add").Append(i).Append("(int a, int b) => a + b + ").Append(i).Append(";\n");
        }
        text.Append("    public static int Sum(int[] values)\n    {\n        var total = 0;\n        \n        return total;\n    }\n}\n");
        return text.ToString();
    }

    private static object At(int line, int character) => new { line, character };

    // Short answers keep the tests quick; the settings path is the one editors use.
    private Task<(LspTestClient Client, JsonElement Result)> StartAsync(bool withModel = true) =>
        LspTestClient.StartInitializedAsync(
            capabilities: new { window = new { workDoneProgress = true } },
            initializationOptions: new { chat = new { maxTokens = 32 }, completion = new { maxTokens = 16 } },
            serverArguments: withModel ? ["--model", TinyModels.Suggester()] : [],
            workspaceFolder: _folder);

    private static async Task OpenAsync(LspTestClient client, string text) =>
        await client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri = DocumentUri, languageId = "csharp", version = 1, text } });

    private static async Task ShutdownAsync(LspTestClient client)
    {
        await client.RequestAsync("shutdown");
        await client.NotifyAsync("exit");
        Assert.Equal(0, await client.WaitForExitAsync());
        Assert.Empty(client.FramingViolations);
    }

    [Fact]
    public async Task The_server_advertises_inline_completion_completion_and_the_index_command()
    {
        var (client, result) = await StartAsync(withModel: false);
        await using var _ = client;
        var capabilities = result.GetProperty("capabilities");

        Assert.Equal(JsonValueKind.Object, capabilities.GetProperty("inlineCompletionProvider").ValueKind);
        Assert.Equal(JsonValueKind.Object, capabilities.GetProperty("completionProvider").ValueKind);
        Assert.Equal("llmlsp.indexFolder", capabilities.GetProperty("executeCommandProvider").GetProperty("commands")[0].GetString());
        await ShutdownAsync(client);
    }

    [Fact]
    public async Task The_configured_model_loads_after_initialized_without_waiting_for_a_request()
    {
        var (client, _) = await StartAsync();
        await using var _ = client;

        var ready = await client.NextStderrLineAsync("Model ready", TestTimeout.Token());

        Assert.Contains(Path.GetFileName(TinyModels.Suggester()), ready, StringComparison.Ordinal);
        await ShutdownAsync(client);
    }

    [Fact]
    public async Task Inline_completion_and_completion_return_the_same_suggestion()
    {
        var (client, _) = await StartAsync();
        await using var _1 = client;
        await OpenAsync(client, Code());
        var cursor = At(33, 8);

        var inline = await client.RequestAsync("textDocument/inlineCompletion", new { textDocument = new { uri = DocumentUri }, position = cursor, context = new { triggerKind = 2 } });
        var completion = await client.RequestAsync("textDocument/completion", new { textDocument = new { uri = DocumentUri }, position = cursor });

        var ghost = inline.GetProperty("result").GetProperty("items")[0];
        var suggestion = ghost.GetProperty("insertText").GetString();
        Assert.StartsWith(TinyModels.SuggesterWord, suggestion, StringComparison.Ordinal);
        Assert.Equal(33, ghost.GetProperty("range").GetProperty("start").GetProperty("line").GetInt32());
        var item = completion.GetProperty("result").GetProperty("items")[0];
        Assert.Equal(suggestion, item.GetProperty("insertText").GetString());
        Assert.Equal(suggestion, item.GetProperty("textEdit").GetProperty("newText").GetString());
        Assert.Equal("0", item.GetProperty("sortText").GetString());
        await ShutdownAsync(client);
    }

    [Fact]
    public async Task A_burst_of_typing_leaves_only_the_last_request_answered()
    {
        var (client, _) = await StartAsync();
        await using var _1 = client;
        var text = Code();
        await OpenAsync(client, text);
        var requests = new List<(long Id, Task<JsonElement> Response)>();
        for (var i = 0; i < 20; i++)
        {
            await client.NotifyAsync("textDocument/didChange", new
            {
                textDocument = new { uri = DocumentUri, version = i + 2 },
                contentChanges = new[] { new { range = new { start = At(33, 8 + i), end = At(33, 8 + i) }, text = "x" } },
            });
            if (requests.Count > 0)
            {
                await client.NotifyAsync("$/cancelRequest", new { id = requests[^1].Id });
            }
            requests.Add(client.BeginRequest("textDocument/inlineCompletion", new { textDocument = new { uri = DocumentUri }, position = At(33, 9 + i) }));
        }

        var responses = await Task.WhenAll(requests.Select(r => r.Response));

        var last = responses[^1];
        Assert.True(last.TryGetProperty("result", out _), last.ToString());
        Assert.All(responses[..^1], r => Assert.Equal(-32800, r.GetProperty("error").GetProperty("code").GetInt32()));
        await ShutdownAsync(client);
    }

    [Fact]
    public async Task Chat_streams_deltas_that_add_up_to_the_final_text()
    {
        var (client, _) = await StartAsync();
        await using var _1 = client;

        var response = await client.RequestAsync("llmlsp/chat", new
        {
            messages = new[] { new { role = "user", content = "Explain this code." } },
            partialResultToken = "chat-1",
        });

        var result = response.GetProperty("result");
        var deltas = new StringBuilder();
        while (client.TryReadNotification("$/progress", out var progress))
        {
            Assert.Equal("chat-1", progress.GetProperty("params").GetProperty("token").GetString());
            deltas.Append(progress.GetProperty("params").GetProperty("value").GetProperty("delta").GetString());
        }
        Assert.NotEqual("", result.GetProperty("text").GetString());
        Assert.Equal(result.GetProperty("text").GetString(), deltas.ToString());
        // The suggester never ends on its own: the answer runs to the 32-token limit.
        Assert.Equal("length", result.GetProperty("finishReason").GetString());
        Assert.Equal(32, result.GetProperty("completionTokens").GetInt32());
        await ShutdownAsync(client);
    }

    [Fact]
    public async Task Chat_without_a_model_is_a_clear_request_failure()
    {
        var (client, _) = await StartAsync(withModel: false);
        await using var _1 = client;

        var response = await client.RequestAsync("llmlsp/chat", new { messages = new[] { new { role = "user", content = "hi" } } });

        var error = response.GetProperty("error");
        Assert.Equal(-32803, error.GetProperty("code").GetInt32());
        Assert.Contains("llmlsp models pull", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        await ShutdownAsync(client);
    }

    [Fact]
    public async Task Index_folder_reports_progress_then_ask_and_search_cite_the_indexed_files()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "docs"));
        await File.WriteAllTextAsync(Path.Combine(_folder, "docs", "setup.md"), "# Setup\n\nThe frobnicator needs a warm cache before it starts.\n");
        await File.WriteAllTextAsync(Path.Combine(_folder, "docs", "other.md"), "# Other\n\nNothing about that here.\n");
        var (client, _) = await StartAsync(withModel: false);
        await using var _1 = client;

        var indexed = await client.RequestAsync("workspace/executeCommand", new { command = "llmlsp.indexFolder", arguments = new[] { new Uri(_folder).AbsoluteUri }, workDoneToken = "index-1" });
        var search = await client.RequestAsync("llmlsp/search", new { query = "frobnicator cache" });
        var ask = await client.RequestAsync("llmlsp/ask", new { question = "what does the frobnicator need?" });

        Assert.Equal(2, indexed.GetProperty("result").GetProperty("filesIndexed").GetInt32());
        var kinds = new List<string>();
        while (client.TryReadNotification("$/progress", out var progress))
        {
            kinds.Add(progress.GetProperty("params").GetProperty("value").GetProperty("kind").GetString()!);
        }
        Assert.Equal("begin", kinds[0]);
        Assert.Equal("end", kinds[^1]);
        var hit = search.GetProperty("result").GetProperty("hits")[0];
        Assert.Equal("docs/setup.md", hit.GetProperty("path").GetString());
        Assert.EndsWith("/docs/setup.md", hit.GetProperty("uri").GetString(), StringComparison.Ordinal);
        var answer = ask.GetProperty("result");
        Assert.Contains("llmlsp models pull", answer.GetProperty("notice").GetString(), StringComparison.Ordinal);
        Assert.Equal("docs/setup.md", answer.GetProperty("citations")[0].GetProperty("path").GetString());
        await ShutdownAsync(client);
    }

    [Fact]
    public async Task Models_lists_the_catalogue_with_local_state()
    {
        var (client, _) = await StartAsync(withModel: false);
        await using var _1 = client;

        var response = await client.RequestAsync("llmlsp/models");
        var withEmptyParams = await client.RequestAsync("llmlsp/models", new { });

        Assert.True(withEmptyParams.TryGetProperty("result", out _), withEmptyParams.ToString());
        var models = response.GetProperty("result").GetProperty("models").EnumerateArray().ToList();
        var chat = Assert.Single(models, m => m.GetProperty("name").GetString() == "qwen2.5-coder-1.5b-instruct");
        Assert.Equal("absent", chat.GetProperty("state").GetString());
        Assert.Contains("chat", chat.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(64, chat.GetProperty("sha256").GetString()!.Length);
        await ShutdownAsync(client);
    }

    [Fact]
    public async Task Cancelling_a_chat_mid_answer_returns_what_was_produced()
    {
        // The tiny model may emit its end token after a few words, and it generates fast enough to get there before the
        // cancellation arrives: ignoring end-of-generation keeps the answer long, so only the cancellation can end it.
        var (client, _) = await LspTestClient.StartInitializedAsync(
            initializationOptions: new { chat = new { maxTokens = 4000, ignoreEndOfGeneration = true } },
            serverArguments: ["--model", TinyModels.Decoder()],
            workspaceFolder: _folder);
        await using var _1 = client;

        var (id, response) = client.BeginRequest("llmlsp/chat", new
        {
            messages = new[] { new { role = "user", content = "Tell me a very long story." } },
            partialResultToken = "chat-cancel",
        });
        var first = await client.NextNotificationAsync("$/progress");
        await client.NotifyAsync("$/cancelRequest", new { id });
        var answer = await response;

        var deltas = new StringBuilder(first.GetProperty("params").GetProperty("value").GetProperty("delta").GetString());
        while (client.TryReadNotification("$/progress", out var progress))
        {
            deltas.Append(progress.GetProperty("params").GetProperty("value").GetProperty("delta").GetString());
        }
        var result = answer.GetProperty("result");
        Assert.Equal("cancelled", result.GetProperty("finishReason").GetString());
        Assert.True(result.GetProperty("completionTokens").GetInt32() < 4000);
        Assert.StartsWith(deltas.ToString(), result.GetProperty("text").GetString(), StringComparison.Ordinal);
        await ShutdownAsync(client);
    }
}

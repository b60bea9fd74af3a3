using System.Text;
using System.Text.Json;
using LlmLsp.Tests.EndToEnd;
using LlmLsp.Tests.Fixtures;
using Xunit.Abstractions;

namespace LlmLsp.Tests.Remote;

/// <summary>The remote backend through the real `llmlsp serve` process and the real CLI, against a real llama-server:
/// the settings path editors and config.json use, the failures the user sees, and where the key must never appear.</summary>
public sealed class RemoteEndToEndTests(LlamaServers servers, ITestOutputHelper output) : IClassFixture<LlamaServers>, IDisposable
{
    private const string Key = "sk-e2e-secret-99887766";
    private const string DocumentUri = "file:///project/Maths.cs";
    private readonly string _folder = Directory.CreateTempSubdirectory("llmlsp-remote-e2e-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private bool Skipped()
    {
        if (LlamaServer.Unavailable is { } why)
        {
            output.WriteLine($"SKIPPED: llama-server could not be built here ({why}).");
            return true;
        }
        return false;
    }

    private static async Task ShutdownAsync(LspTestClient client)
    {
        await client.RequestAsync("shutdown");
        await client.NotifyAsync("exit");
        Assert.Equal(0, await client.WaitForExitAsync());
        Assert.Empty(client.FramingViolations);
    }

    [Fact]
    public async Task Serve_streams_chat_completes_code_and_indexes_with_the_remote_server_and_never_shows_the_key()
    {
        if (Skipped())
        {
            return;
        }
        File.WriteAllText(Path.Combine(_folder, "setup.md"), "# Setup\n\nThe frobnicator needs a warm cache before it starts.\n");
        var (client, _) = await LspTestClient.StartInitializedAsync(
            initializationOptions: new
            {
                backend = new
                {
                    url = servers.Chat!.Url.ToString(), apiKey = Key, model = "fixture",
                    embedding = new { url = servers.Embeddings!.Url.ToString(), apiKey = Key, model = "fixture" },
                },
                chat = new { maxTokens = 16 },
                completion = new { maxTokens = 8 },
            },
            workspaceFolder: _folder);
        await using var _1 = client;

        var chat = await client.RequestAsync("llmlsp/chat", new { messages = new[] { new { role = "user", content = "Explain." } }, partialResultToken = "c1" });
        var code = "public static class Maths\n{\n    public static int Sum(int a, int b)\n    {\n        return \n    }\n}\n";
        await client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri = DocumentUri, languageId = "csharp", version = 1, text = code } });
        var inline = await client.RequestAsync("textDocument/inlineCompletion", new
        {
            textDocument = new { uri = DocumentUri }, position = new { line = 4, character = 15 }, context = new { triggerKind = 2 },
        });
        var indexed = await client.RequestAsync("workspace/executeCommand", new { command = "llmlsp.indexFolder", arguments = new[] { new Uri(_folder).AbsoluteUri } });
        var ask = await client.RequestAsync("llmlsp/ask", new { question = "what does the frobnicator need?" });
        var askPrompt = await servers.Chat.LastPromptAsync();

        var deltas = new StringBuilder();
        while (client.TryReadNotification("$/progress", out var progress))
        {
            if (progress.GetProperty("params").GetProperty("token").GetString() == "c1")
            {
                deltas.Append(progress.GetProperty("params").GetProperty("value").GetProperty("delta").GetString());
            }
        }
        var text = chat.GetProperty("result").GetProperty("text").GetString()!;
        Assert.Contains(TinyModels.SuggesterWord.Trim(), text, StringComparison.Ordinal);
        Assert.Equal(text, deltas.ToString());
        Assert.StartsWith(TinyModels.SuggesterWord, inline.GetProperty("result").GetProperty("items")[0].GetProperty("insertText").GetString(), StringComparison.Ordinal);
        var summary = indexed.GetProperty("result");
        Assert.Equal($"remote:{servers.Embeddings.Url.Authority}/fixture", summary.GetProperty("embeddingModel").GetString());
        // The question reached the server with the retrieved passage as numbered source 1, fenced.
        Assert.Contains("what does the frobnicator need?", askPrompt, StringComparison.Ordinal);
        Assert.Contains("<source n=\"1\" location=\"setup.md", askPrompt, StringComparison.Ordinal);
        Assert.Contains("needs a warm cache", askPrompt, StringComparison.Ordinal);
        var answer = ask.GetProperty("result");
        Assert.Contains(TinyModels.SuggesterWord.Trim(), answer.GetProperty("answer").GetString(), StringComparison.Ordinal);
        foreach (var citation in answer.GetProperty("citations").EnumerateArray())
        {
            Assert.True(File.Exists(Path.Combine(_folder, citation.GetProperty("path").GetString()!)));
        }
        await ShutdownAsync(client);

        Assert.DoesNotContain(Key, client.Stderr, StringComparison.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(LspTestClient.EmptyHome), "*", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(_folder, "*", SearchOption.AllDirectories)))
        {
            Assert.False(Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file)).Contains(Key, StringComparison.Ordinal), $"the key is in {file}");
        }
    }

    [Fact]
    public async Task A_stopped_server_is_a_clear_error_in_the_editor_and_local_features_keep_working()
    {
        if (Skipped())
        {
            return;
        }
        File.WriteAllText(Path.Combine(_folder, "setup.md"), "# Setup\n\nThe frobnicator needs a warm cache before it starts.\n");
        var down = $"http://127.0.0.1:{LlamaServer.FreePort()}";
        var (client, _) = await LspTestClient.StartInitializedAsync(
            initializationOptions: new { backend = new { url = down, apiKey = Key }, index = new { keywordOnly = true } },
            workspaceFolder: _folder);
        await using var _1 = client;

        var chat = await client.RequestAsync("llmlsp/chat", new { messages = new[] { new { role = "user", content = "hi" } } });
        await client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri = DocumentUri, languageId = "csharp", version = 1, text = "int x = \n" } });
        var inline = await client.RequestAsync("textDocument/inlineCompletion", new
        {
            textDocument = new { uri = DocumentUri }, position = new { line = 0, character = 8 }, context = new { triggerKind = 2 },
        });
        var indexed = await client.RequestAsync("workspace/executeCommand", new { command = "llmlsp.indexFolder", arguments = new[] { new Uri(_folder).AbsoluteUri } });
        var search = await client.RequestAsync("llmlsp/search", new { query = "frobnicator cache" });

        var error = chat.GetProperty("error");
        Assert.Equal(-32803, error.GetProperty("code").GetInt32());
        Assert.Contains($"cannot reach the chat server at {down}", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("cannot reach the completion server", inline.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, indexed.GetProperty("result").GetProperty("filesIndexed").GetInt32());
        Assert.Equal("setup.md", search.GetProperty("result").GetProperty("hits")[0].GetProperty("path").GetString());
        await ShutdownAsync(client);
        Assert.DoesNotContain(Key, client.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_cli_uses_the_server_config_json_names_and_refuses_plain_http_elsewhere()
    {
        if (Skipped())
        {
            return;
        }
        var home = Directory.CreateDirectory(Path.Combine(_folder, "home")).FullName;
        var project = Directory.CreateDirectory(Path.Combine(_folder, "project")).FullName;
        File.WriteAllText(Path.Combine(project, "cache.md"), "# Cache\n\nThe frobnicator needs a warm cache before it starts.\n");
        File.WriteAllText(Path.Combine(project, "Maths.cs"), "public static class Maths\n{\n    public static int Sum(int a, int b)\n    {\n        return \n    }\n}\n");
        var environment = new Dictionary<string, string> { ["LLMLSP_HOME"] = home };
        File.WriteAllText(Path.Combine(home, "config.json"), JsonSerializer.Serialize(new
        {
            backend = new { url = servers.Chat!.Url.ToString(), model = "fixture", apiKey = Key, embedding = new { url = servers.Embeddings!.Url.ToString() } },
        }));

        var indexed = await CliProcess.RunAsync(["index", project], environment);
        var db = indexed.Stdout.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("index: ", StringComparison.Ordinal))["index: ".Length..];
        var ask = await CliProcess.RunAsync(["ask", "what does the frobnicator need?", "--db", db, "--json", "-n", "8"], environment);
        var complete = await CliProcess.RunAsync(["complete", "--file", Path.Combine(project, "Maths.cs"), "--line", "5", "--column", "16", "--json"], environment);
        File.WriteAllText(Path.Combine(home, "config.json"), """{"backend": {"url": "http://192.0.2.7:8080", "apiKey": "sk-e2e-secret-99887766"}}""");
        var refused = await CliProcess.RunAsync(["complete", "--file", Path.Combine(project, "Maths.cs"), "--line", "5", "--column", "16"], environment);

        Assert.True(indexed.ExitCode == 0, indexed.Stderr);
        Assert.Contains($"vectors: remote:{servers.Embeddings.Url.Authority}/default", indexed.Stdout, StringComparison.Ordinal);
        Assert.True(ask.ExitCode == 0, ask.Stderr);
        Assert.Contains(TinyModels.SuggesterWord.Trim(), JsonDocument.Parse(ask.Stdout).RootElement.GetProperty("answer").GetString(), StringComparison.Ordinal);
        Assert.True(complete.ExitCode == 0, complete.Stderr);
        Assert.StartsWith(TinyModels.SuggesterWord, JsonDocument.Parse(complete.Stdout).RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("plain http:// to 192.0.2.7", refused.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, indexed.Stdout + indexed.Stderr + ask.Stdout + ask.Stderr + complete.Stderr + refused.Stderr, StringComparison.Ordinal);
    }
}

using System.Text.Json;
using LlmLsp.Tests.Fixtures;

namespace LlmLsp.Tests.EndToEnd;

/// <summary>The README's main job through the real CLI: index a folder, then ask it a question.</summary>
public sealed class AskCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("llmlsp-ask-").FullName;
    private readonly string _db;

    public AskCliTests()
    {
        _db = Path.Combine(_folder, ".index", "index.db");
        var docs = Path.Combine(_folder, "docs");
        Directory.CreateDirectory(docs);
        File.WriteAllText(Path.Combine(docs, "install.md"), "# Installing\n\nRun the installer, then restart the editor.\n\n## Proxy settings\n\nSet HTTPS_PROXY before the download starts.\n");
        File.WriteAllText(Path.Combine(docs, "cache.md"), "# The cache\n\nThe completion cache keeps the last 64 suggestions per document.\nClear it with the reset command.\n");
        File.WriteAllText(Path.Combine(_folder, "notes.txt"), "Shopping list: apples, bread.\n");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // A private LLMLSP_HOME: no model the developer configured can leak into "no model" tests.
    private Dictionary<string, string> Home => new() { ["LLMLSP_HOME"] = Path.Combine(_folder, ".home") };

    private async Task IndexAsync()
    {
        var indexed = await CliProcess.RunAsync(["index", _folder, "--db", _db], Home);
        Assert.True(indexed.ExitCode == 0, indexed.Stderr);
    }

    [Fact]
    public async Task Without_a_model_ask_returns_the_passages_and_says_how_to_get_one()
    {
        await IndexAsync();

        var result = await CliProcess.RunAsync(["ask", "how many suggestions does the completion cache keep?", "--db", _db, "--json"], Home);

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal("", root.GetProperty("answer").GetString());
        Assert.Contains("llmlsp models pull", root.GetProperty("notice").GetString(), StringComparison.Ordinal);
        var first = root.GetProperty("citations")[0];
        Assert.Equal(1, first.GetProperty("n").GetInt32());
        Assert.Equal("docs/cache.md", first.GetProperty("path").GetString());
        Assert.True(first.GetProperty("startLine").GetInt32() >= 1);
        Assert.True(first.GetProperty("endLine").GetInt32() >= first.GetProperty("startLine").GetInt32());
    }

    [Fact]
    public async Task Without_a_model_the_text_output_shows_the_passages()
    {
        await IndexAsync();

        var result = await CliProcess.RunAsync(["ask", "proxy for the download", "--db", _db], Home);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("No chat model is configured", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("[1] docs/install.md:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("HTTPS_PROXY", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_model_ask_streams_an_answer_and_cites_only_real_sources()
    {
        await IndexAsync();

        var result = await CliProcess.RunAsync(["ask", "how do I clear the cache?", "--db", _db, "--model", TinyModels.Suggester(), "--max-tokens", "48", "--json"], Home);

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var answer = json.RootElement.GetProperty("answer").GetString()!;
        Assert.StartsWith(TinyModels.SuggesterWord.Trim(), answer.TrimStart(), StringComparison.Ordinal);
        foreach (var citation in json.RootElement.GetProperty("citations").EnumerateArray())
        {
            Assert.Contains($"[{citation.GetProperty("n").GetInt32()}", answer, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(_folder, citation.GetProperty("path").GetString()!)));
        }
    }

    [Fact]
    public async Task Asking_without_an_index_is_a_clear_error()
    {
        var result = await CliProcess.RunAsync(["ask", "anything", "--db", Path.Combine(_folder, "missing.db")], Home);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("llmlsp index", result.Stderr, StringComparison.Ordinal);
    }
}

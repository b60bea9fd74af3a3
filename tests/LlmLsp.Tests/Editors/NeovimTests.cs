using System.Text.Json;
using LlmLsp.Tests.EndToEnd;
using LlmLsp.Tests.Fixtures;
using Xunit.Abstractions;

namespace LlmLsp.Tests.Editors;

/// <summary>The docs/neovim.md configs in real headless Neovim against the real `llmlsp serve`: the distribution's
/// Neovim (0.7.2 on Debian bookworm) with the 0.7–0.10 config, and Neovim 0.12 (Debian forky, in a cached
/// debootstrap chroot) with the 0.11+ config.</summary>
public sealed class NeovimTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan s_editorTimeout = TimeSpan.FromSeconds(60);
    private readonly EditorSession _session = new();

    public void Dispose() => _session.Dispose();

    private static string PluginPath => Path.Combine(EditorSession.RepositoryRoot, "client-neovim");

    private string InitScript(string heading, bool withModel, string test)
    {
        var config = EditorSession.DocumentedConfig("neovim.md", heading, "lua");
        config = EditorSession.Fill(config, "'/path/to/llmlsp/llmlsp', 'serve'", string.Join(", ", EditorSession.ServerCommand(withModel).Select(EditorSession.Lua)));
        config = EditorSession.Fill(config, "'/path/to/llmlsp/client-neovim'", EditorSession.Lua(PluginPath));
        var path = _session.ScriptPath("init.lua");
        File.WriteAllText(path, config + "\n" + EditorSession.Harness("harness.lua") + EditorSession.Harness(test));
        return path;
    }

    private Task<EditorSession.Result> RunHostNeovimAsync(string init, Dictionary<string, string>? environment = null)
    {
        var nvim = EditorSession.RequireTool("nvim", "neovim");
        return _session.RunAsync(nvim, ["--headless", "-i", "NONE", "-n", "--clean", "-u", init, _session.SourceFile],
            environment ?? [], s_editorTimeout);
    }

    private static readonly Dictionary<string, string> s_line = new() { ["LLMLSP_TEST_LINE"] = EditorSession.CursorLine.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    [Fact]
    public async Task Neovim_0_7_config_completion_item_comes_from_llmlsp_and_fills_the_omnifunc_popup()
    {
        var result = await RunHostNeovimAsync(InitScript("## Neovim 0.7 to 0.10", withModel: true, "nvim-popup.lua"), s_line);
        output.WriteLine($"nvim {result["version"]}, {result.Elapsed.TotalSeconds:F1} s");

        Assert.Equal("v:lua.vim.lsp.omnifunc", result["client"].GetProperty("omnifunc").GetString());
        var completion = result["completion"];
        Assert.Equal("llmlsp", completion.GetProperty("client").GetString());
        var item = Assert.Single(completion.GetProperty("result").GetProperty("items").EnumerateArray());
        Assert.Equal("0", item.GetProperty("sortText").GetString());
        Assert.StartsWith(TinyModels.SuggesterWord, item.GetProperty("insertText").GetString(), StringComparison.Ordinal);
        // The popup Neovim built with complete() from our item (typing A moved the cursor one column: a new request).
        var popup = result["popup"];
        Assert.StartsWith("i", popup.GetProperty("mode").GetString(), StringComparison.Ordinal); // still in insert mode
        var entry = Assert.Single(popup.GetProperty("items").EnumerateArray());
        var lspItem = entry.GetProperty("user_data").GetProperty("nvim").GetProperty("lsp").GetProperty("completion_item");
        Assert.Equal("llmlsp", lspItem.GetProperty("detail").GetString());
        Assert.Equal(lspItem.GetProperty("textEdit").GetProperty("newText").GetString(), entry.GetProperty("word").GetString());
        Assert.StartsWith(TinyModels.SuggesterWord, entry.GetProperty("word").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Neovim_0_7_config_index_shows_progress_and_ask_fills_the_answer_buffer_and_quickfix()
    {
        var environment = new Dictionary<string, string> { ["LLMLSP_TEST_QUESTION"] = "what does the frobnicator need?" };
        // No model: ask answers with the passages it found, as citations.
        var result = await RunHostNeovimAsync(InitScript("## Neovim 0.7 to 0.10", withModel: false, "nvim-ask.lua"), environment);
        output.WriteLine($"nvim {result["version"]}, {result.Elapsed.TotalSeconds:F1} s");

        Assert.Equal(3, result["index"].GetProperty("filesIndexed").GetInt32()); // two docs and main.py
        var messages = result["messages"].GetString()!;
        Assert.Contains("llmlsp: Indexing", messages, StringComparison.Ordinal); // begin, shown in the message area
        Assert.Contains("llmlsp: indexed " + _session.Workspace + ": 3 new or changed", messages, StringComparison.Ordinal);
        var quickfix = result["quickfix"];
        Assert.Equal("llmlsp ask: what does the frobnicator need?", quickfix.GetProperty("title").GetString());
        var first = quickfix.GetProperty("items")[0];
        Assert.Equal(Path.Combine(_session.Workspace, "docs", "setup.md"), first.GetProperty("file").GetString());
        Assert.Equal(1, first.GetProperty("lnum").GetInt32());
        Assert.Equal("[1] docs/setup.md:1-3", first.GetProperty("text").GetString());
        var answer = string.Join('\n', result["answer"].EnumerateArray().Select(l => l.GetString()));
        Assert.StartsWith("# what does the frobnicator need?", answer, StringComparison.Ordinal);
        Assert.Contains("llmlsp models pull", answer, StringComparison.Ordinal);
        Assert.Contains("- [1] docs/setup.md:1-3", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Neovim_0_7_config_chat_streams_the_answer_into_the_chat_buffer()
    {
        var result = await RunHostNeovimAsync(InitScript("## Neovim 0.7 to 0.10", withModel: true, "nvim-chat.lua"));
        output.WriteLine($"{result.Elapsed.TotalSeconds:F1} s");

        var deltas = string.Concat(result["deltas"].EnumerateArray().Select(d => d.GetString()));
        Assert.True(result["deltas"].GetArrayLength() > 1, "the answer should arrive in several $/progress deltas");
        var lines = result["chat"].EnumerateArray().Select(l => l.GetString()!).ToList();
        Assert.Equal("## Explain this code.", lines[0]);
        Assert.Equal(deltas, string.Join('\n', lines.Skip(2)));
    }

    [Fact]
    public async Task Neovim_0_12_config_shows_inline_completion_ghost_text_and_tab_accepts_it()
    {
        var script = Path.Combine(EditorSession.RepositoryRoot, "tests", "LlmLsp.Tests", "Editors", "nvim-chroot.sh");
        EditorSession.RequireTool("bash", "bash");
        var prepare = await RunScriptAsync(script, ["prepare"], TimeSpan.FromMinutes(8));
        if (prepare.ExitCode == 3)
        {
            // Documented escape hatch: no root, no debootstrap or no Debian mirror on this machine.
            output.WriteLine("Neovim 0.12 " + prepare.Stderr.Trim());
            return;
        }
        Assert.True(prepare.ExitCode == 0, $"preparing the Neovim 0.12 chroot failed:\n{prepare.Stderr}");

        var init = InitScript("## Neovim 0.11 and later", withModel: true, "nvim-inline.lua");
        var mounts = new[] { EditorSession.RepositoryRoot, AppContext.BaseDirectory.TrimEnd('/') }.Distinct();
        var result = await _session.RunAsync("bash",
            [script, "run", .. mounts, "--", "--headless", "-i", "NONE", "-n", "--clean", "-u", init, _session.SourceFile],
            s_line, s_editorTimeout);
        output.WriteLine($"nvim {result["version"]}, {result.Elapsed.TotalSeconds:F1} s");

        Assert.StartsWith("0.12.", result["version"].GetString(), StringComparison.Ordinal);
        var ghost = result["ghost"];
        Assert.Equal(EditorSession.CursorLine - 1, ghost.GetProperty("row").GetInt32());
        var suggestion = ghost.GetProperty("text").GetString()!;
        Assert.StartsWith(TinyModels.SuggesterWord, suggestion, StringComparison.Ordinal);
        var typed = result["typed"].GetString()!.Split('\n');
        var accepted = result["accepted"].GetString()!.Split('\n');
        Assert.Equal("        x", typed[EditorSession.CursorLine - 1]);
        // Ghost text shows control characters in caret notation (the fixture model's output has some).
        Assert.StartsWith("        x" + suggestion.Split('\n')[0], Caret(accepted[EditorSession.CursorLine - 1]), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, result["ghost_after_accept"].ValueKind);
    }

    private static string Caret(string text) =>
        string.Concat(text.Select(c => c < ' ' ? "^" + (char)(c + 64) : c.ToString()));

    private static async Task<CliProcessResult> RunScriptAsync(string script, string[] arguments, TimeSpan timeout)
    {
        var start = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} {string.Join(' ', arguments)} did not finish in {timeout}.");
        }
        return new CliProcessResult(process.ExitCode, await stdout, await stderr);
    }

    private sealed record CliProcessResult(int ExitCode, string Stdout, string Stderr);
}

using Xunit.Abstractions;

namespace LlmLsp.Tests.Editors;

/// <summary>The docs/editors.md eglot config in Emacs --batch against the real `llmlsp serve`: completion at point
/// and custom requests through jsonrpc-request on the eglot connection.</summary>
public sealed class EglotTests(ITestOutputHelper output) : IDisposable
{
    private readonly EditorSession _session = new();

    public void Dispose() => _session.Dispose();

    [Fact]
    public async Task Eglot_config_completes_at_point_and_reaches_custom_requests()
    {
        var emacs = EditorSession.RequireTool("emacs", "emacs-nox elpa-eglot");
        var config = EditorSession.DocumentedConfig("editors.md", "## Emacs (eglot)", "elisp");
        config = EditorSession.Fill(config, "\"/path/to/llmlsp/llmlsp\" \"serve\"", string.Join(' ', EditorSession.ServerCommand(withModel: true).Select(EditorSession.Elisp)));
        var init = _session.ScriptPath("init.el");
        await File.WriteAllTextAsync(init, config);
        var harness = Path.Combine(EditorSession.RepositoryRoot, "tests", "LlmLsp.Tests", "Editors", "eglot-test.el");
        // Debian's elpa-eglot lives in site-lisp/elpa; --batch -Q does not activate it, a normal Emacs does.
        const string elpa = "(dolist (d (file-expand-wildcards \"/usr/share/emacs/site-lisp/elpa/*\")) (add-to-list 'load-path d))";
        var environment = new Dictionary<string, string>
        {
            ["LLMLSP_TEST_FILE"] = _session.SourceFile,
            ["LLMLSP_TEST_LINE"] = EditorSession.CursorLine.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["LLMLSP_TEST_QUERY"] = "frobnicator warm cache",
        };

        var result = await _session.RunAsync(emacs, ["--batch", "-Q", "--eval", elpa, "-l", init, "-l", harness], environment, TimeSpan.FromSeconds(60));
        output.WriteLine($"{result["version"]}, {result.Elapsed.TotalSeconds:F1} s");

        var item = Assert.Single(result["completion"].GetProperty("items").EnumerateArray());
        Assert.Equal("0", item.GetProperty("sortText").GetString());
        Assert.Equal("llmlsp", item.GetProperty("detail").GetString());
        var candidate = Assert.Single(result["candidates"].EnumerateArray());
        Assert.Equal(item.GetProperty("insertText").GetString(), candidate.GetString());
        Assert.Equal(3, result["index"].GetProperty("filesIndexed").GetInt32());
        var hit = result["search"].GetProperty("hits")[0];
        Assert.Equal("docs/setup.md", hit.GetProperty("path").GetString());
        Assert.True(result["models"].GetInt32() > 0);
    }
}

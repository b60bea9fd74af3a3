using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LlmLsp.Tests.EndToEnd;
using LlmLsp.Tests.Fixtures;

namespace LlmLsp.Tests.Editors;

/// <summary>
/// Runs a real editor headless against the real `llmlsp serve`: a documented config (from docs/, with only the
/// server command and the plugin path filled in), plus a test harness that writes JSON lines
/// (<c>{ key, value }</c>) to <c>$LLMLSP_TEST_OUT</c>. The editor exits when the harness is done.
/// </summary>
internal sealed class EditorSession : IDisposable
{
    public const int CursorLine = 7; // 1-based: the empty indented line in the loop body of main.py

    private readonly string _root = Directory.CreateTempSubdirectory("llmlsp-editor-").FullName;

    public EditorSession()
    {
        Directory.CreateDirectory(Workspace);
        Directory.CreateDirectory(Home);
        Directory.CreateDirectory(Path.Combine(Workspace, ".git")); // the root marker of the configs
        Directory.CreateDirectory(Path.Combine(Workspace, "docs"));
        File.WriteAllText(Path.Combine(Workspace, "docs", "setup.md"), "# Setup\n\nThe frobnicator needs a warm cache before it starts.\n");
        File.WriteAllText(Path.Combine(Workspace, "docs", "other.md"), "# Other\n\nNothing about that here.\n");
        File.WriteAllText(SourceFile, string.Join('\n',
            "def add(a, b):", "    return a + b", "", "def total(values):", "    result = 0", "    for v in values:", "        ",
            "    return result", ""));
    }

    public string Workspace => Path.Combine(_root, "ws");

    /// <summary>An empty LLMLSP_HOME, so no user model or setting leaks into the server.</summary>
    public string Home => Path.Combine(_root, "home");

    public string SourceFile => Path.Combine(Workspace, "main.py");

    public string OutputFile => Path.Combine(_root, "out.jsonl");

    public string ScriptPath(string name) => Path.Combine(_root, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // a server still shutting down may hold a file for a moment; the temp folder is cleaned later
        }
    }

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LlmLsp.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("LlmLsp.sln not found above " + AppContext.BaseDirectory);
    }

    public static string Harness(string name) => File.ReadAllText(Path.Combine(RepositoryRoot, "tests", "LlmLsp.Tests", "Editors", name));

    /// <summary>The first fenced block of <paramref name="language"/> after <paramref name="heading"/> in a doc.</summary>
    public static string DocumentedConfig(string doc, string heading, string language)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot, "docs", doc)).ReplaceLineEndings("\n");
        var at = text.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        Assert.True(at >= 0, $"docs/{doc} has no heading '{heading}'");
        var fence = "```" + language + "\n";
        var start = text.IndexOf(fence, at, StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/{doc} has no {language} block under '{heading}'");
        start += fence.Length;
        var end = text.IndexOf("```", start, StringComparison.Ordinal);
        return text[start..end];
    }

    /// <summary>Replaces a placeholder that must be present (so a doc edit cannot silently bypass the test).</summary>
    public static string Fill(string config, string placeholder, string value)
    {
        Assert.True(config.Contains(placeholder, StringComparison.Ordinal), $"the documented config no longer contains {placeholder}");
        return config.Replace(placeholder, value, StringComparison.Ordinal);
    }

    /// <summary>`dotnet llmlsp.dll serve [--model suggester]` as argument words: the suggester suggests at any cursor.</summary>
    public static IReadOnlyList<string> ServerCommand(bool withModel) =>
        withModel ? ["dotnet", CliProcess.ServerDll, "serve", "--model", TinyModels.Suggester()] : ["dotnet", CliProcess.ServerDll, "serve"];

    public static string Lua(string value) => "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    public static string Elisp(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>Path of an editor executable, or a failing assertion that says how to install it.</summary>
    public static string RequireTool(string name, string package)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        Assert.Fail($"{name} is not installed: the editor tests need it (`apt-get install -y {package}`; .ci/run installs it).");
        return name;
    }

    public sealed record Result(IReadOnlyDictionary<string, JsonElement> Values, string Output, TimeSpan Elapsed)
    {
        public JsonElement this[string key] =>
            Values.TryGetValue(key, out var value) ? value : throw new Xunit.Sdk.XunitException($"the editor did not report '{key}'. Output:\n{Output}");
    }

    /// <summary>Runs the editor to completion (bounded by <paramref name="timeout"/>) and reads what the harness
    /// wrote. Fails with everything the editor said when the harness reports an error or never finishes.</summary>
    public async Task<Result> RunAsync(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Workspace,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["LLMLSP_HOME"] = Home;
        start.Environment["LLMLSP_TEST_OUT"] = OutputFile;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = true;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        var written = File.Exists(OutputFile) ? await File.ReadAllTextAsync(OutputFile) : "";
        var output = new StringBuilder()
            .Append("exit code: ").Append(timedOut ? "killed after " + timeout : process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n')
            .Append("harness output:\n").Append(written).Append('\n')
            .Append("stdout:\n").Append(Tail(await stdout)).Append('\n')
            .Append("stderr:\n").Append(Tail(await stderr)).ToString();
        var values = new Dictionary<string, JsonElement>();
        foreach (var line in written.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var json = JsonDocument.Parse(line);
            values[json.RootElement.GetProperty("key").GetString()!] = json.RootElement.GetProperty("value").Clone();
        }
        if (values.TryGetValue("error", out var error))
        {
            Assert.Fail($"the editor harness failed: {error}\n{output}");
        }
        Assert.False(timedOut, $"the editor did not finish in {timeout}.\n{output}");
        Assert.True(values.ContainsKey("done"), $"the editor exited before the harness finished.\n{output}");
        return new Result(values, output, clock.Elapsed);
    }

    private static string Tail(string text) => text.Length > 4000 ? "…" + text[^4000..] : text;
}

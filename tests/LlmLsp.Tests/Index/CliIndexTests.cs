using System.Diagnostics;
using System.Text.Json;
using LlmLsp.Index;

namespace LlmLsp.Tests.Index;

/// <summary>The built `llmlsp` run as a child process, as users and the acceptance harness run it.</summary>
public sealed class CliIndexTests
{
    private static ProcessStartInfo Cli(string workingDirectory, string dataHome, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "llmlsp.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["XDG_DATA_HOME"] = dataHome;
        return info;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(ProcessStartInfo info)
    {
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }

    private static void GenerateFiles(string folder, int count, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var words = string.Join(' ', Enumerable.Range(0, 300).Select(_ => "word" + random.Next(2000)));
            var path = i % 3 == 0
                ? Path.Combine(folder, $"src/m{i / 50}/file{i}.py")
                : Path.Combine(folder, $"docs/s{i / 50}/page{i}.md");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, i % 3 == 0 ? $"def function{i}():\n    return '{words}'\n" : $"# Page {i}\n\n{words}\n\n## More\n\nmarker{i} {words}\n");
        }
    }

    [Fact]
    public async Task Search_json_contract_with_default_index_location_found_from_a_subdirectory()
    {
        using var folder = new TempFolder();
        using var dataHome = new TempFolder();
        folder.Write("docs/guide/setup.md", "# Setup\n\n## Proxy\n\nSet HTTPS_PROXY before running the installer.\n");
        folder.Write("src/Net/ProxySettings.cs", "namespace App.Net;\n\npublic sealed class ProxySettings\n{\n    public string? HttpsProxy { get; init; }\n}\n");

        var index = await RunAsync(Cli(folder.Path, dataHome.Path, "index", folder.Path));
        Assert.True(index.ExitCode == 0, index.Stderr);
        Assert.Contains("2 indexed", index.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(IndexLocationFor(dataHome.Path, folder.Path)));

        var search = await RunAsync(Cli(Path.Combine(folder.Path, "docs", "guide"), dataHome.Path, "search", "https proxy", "--top", "5", "--json"));
        Assert.True(search.ExitCode == 0, search.Stderr);
        using var json = JsonDocument.Parse(search.Stdout);
        var hits = json.RootElement.GetProperty("hits").EnumerateArray().ToList();
        Assert.NotEmpty(hits);
        var first = hits.First(h => h.GetProperty("path").GetString() == "docs/guide/setup.md");
        Assert.Equal(3, first.GetProperty("startLine").GetInt32());
        Assert.Equal(5, first.GetProperty("endLine").GetInt32());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("page").ValueKind);
        Assert.Equal("Setup > Proxy", first.GetProperty("heading").GetString());
        Assert.True(first.GetProperty("score").GetDouble() > 0);
        Assert.Contains("HTTPS_PROXY", first.GetProperty("snippet").GetString(), StringComparison.Ordinal);
        Assert.Contains(hits, h => h.GetProperty("path").GetString() == "src/Net/ProxySettings.cs");

        using var elsewhere = new TempFolder();
        var missing = await RunAsync(Cli(elsewhere.Path, dataHome.Path, "search", "proxy", "--json"));
        Assert.Equal(1, missing.ExitCode);
        Assert.StartsWith("error: no index found", missing.Stderr, StringComparison.Ordinal);
    }

    private static string IndexLocationFor(string dataHome, string folder) =>
        Path.Combine(dataHome, "llmlsp", "indexes", IndexLocation.FolderKey(folder) + ".db");

    [Fact]
    public async Task Kill_9_at_random_points_leaves_a_consistent_index_that_the_next_run_completes()
    {
        using var folder = new TempFolder();
        using var dataHome = new TempFolder();
        const int FileCount = 300;
        GenerateFiles(folder.Path, FileCount, seed: 7);
        var random = new Random(42);
        var killsDuringRun = 0;

        for (var round = 0; round < 6; round++)
        {
            var db = Path.Combine(dataHome.Path, $"round{round}.db");
            if (round >= 4)
            {
                // Later rounds kill an update of an existing index: rewrite a third of the files first.
                db = Path.Combine(dataHome.Path, "round3.db");
                foreach (var file in Directory.EnumerateFiles(folder.Path, "*.md", SearchOption.AllDirectories).Where((_, i) => i % 3 == round % 3))
                {
                    File.AppendAllText(file, $"\nedit{round}\n");
                }
            }

            // Plain progress prints about one line per 1% of the files; kill after a random number of them.
            var killAfter = random.Next(1, 90);
            using (var process = Process.Start(Cli(folder.Path, dataHome.Path, "index", folder.Path, "--db", db, "--keyword-only"))!)
            {
                var progressLines = 0;
                string? line;
                while ((line = await process.StandardError.ReadLineAsync()) is not null)
                {
                    if (line.StartsWith("indexing: ", StringComparison.Ordinal) && ++progressLines >= killAfter)
                    {
                        process.Kill(entireProcessTree: true);
                        killsDuringRun++;
                        break;
                    }
                }

                await process.WaitForExitAsync();
            }

            using (var store = IndexStore.OpenExisting(db))
            {
                var report = store.CheckConsistency();
                Assert.True(report.IsConsistent, $"round {round}, killed after {killAfter} lines: {report}");
            }

            var finish = await RunAsync(Cli(folder.Path, dataHome.Path, "index", folder.Path, "--db", db, "--keyword-only"));
            Assert.True(finish.ExitCode == 0, finish.Stderr);
            using (var store = IndexStore.OpenExisting(db))
            {
                var report = store.CheckConsistency();
                Assert.True(report.IsConsistent, report.ToString());
                Assert.Equal(FileCount, report.Files);
            }

            var again = await RunAsync(Cli(folder.Path, dataHome.Path, "index", folder.Path, "--db", db, "--keyword-only"));
            Assert.Contains($"0 indexed, {FileCount} unchanged", again.Stdout, StringComparison.Ordinal);
        }

        Assert.True(killsDuringRun >= 5, $"only {killsDuringRun} kills landed during a run");
    }
}

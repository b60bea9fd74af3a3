using LlmLsp.Index;

namespace LlmLsp.Tests.Index;

public sealed class WalkerTests
{
    private static Dictionary<string, SkipReason> Skips(WalkResult result) =>
        result.Skipped.ToDictionary(s => s.RelativePath, s => s.Reason);

    [Fact]
    public void Honours_gitignore_nested_gitignore_and_llmlspignore()
    {
        using var folder = new TempFolder();
        folder.Write(".gitignore", "*.log\ngenerated/\n");
        folder.Write(".llmlspignore", "drafts/\n");
        folder.Write("src/.gitignore", "local.txt\n");
        folder.Write("src/app.ts", "export const x = 1;");
        folder.Write("src/local.txt", "private notes");
        folder.Write("debug.log", "log");
        folder.Write("generated/out.ts", "x");
        folder.Write("drafts/idea.md", "# idea");
        folder.Write("README.md", "# readme");

        var result = new WorkspaceWalker().Walk(folder.Path, CancellationToken.None);
        var files = result.Files.Select(f => f.RelativePath).ToHashSet();
        var skips = Skips(result);

        Assert.Contains("src/app.ts", files);
        Assert.Contains("README.md", files);
        Assert.Equal(SkipReason.GitIgnored, skips["debug.log"]);
        Assert.Equal(SkipReason.GitIgnored, skips["generated"]);
        Assert.Equal(SkipReason.GitIgnored, skips["src/local.txt"]);
        Assert.Equal(SkipReason.LlmLspIgnored, skips["drafts"]);
        Assert.DoesNotContain("generated/out.ts", files);
    }

    [Fact]
    public void Skips_tool_directories_lock_files_and_secrets_by_default()
    {
        using var folder = new TempFolder();
        folder.Write(".git/config", "[core]");
        folder.Write("node_modules/left-pad/index.js", "module.exports = 1;");
        folder.Write("bin/Debug/app.txt", "x");
        folder.Write("obj/project.assets.json", "{}");
        folder.Write("package-lock.json", "{}");
        folder.Write(".env", "TOKEN=1");
        folder.Write(".env.production", "TOKEN=2");
        folder.Write("certs/server.pem", "-----BEGIN");
        folder.Write("certs/server.key", "-----BEGIN");
        folder.Write("keys/id_rsa", "-----BEGIN");
        folder.Write("keys/id_rsa.pub", "ssh-rsa");
        folder.Write("signing.pfx", "x");
        folder.Write("credentials.json", "{}");
        folder.Write("src/main.py", "print(1)");

        var result = new WorkspaceWalker().Walk(folder.Path, CancellationToken.None);
        var skips = Skips(result);

        Assert.Equal(["src/main.py"], result.Files.Select(f => f.RelativePath));
        Assert.Equal(SkipReason.BuildOrToolDirectory, skips[".git"]);
        Assert.Equal(SkipReason.BuildOrToolDirectory, skips["node_modules"]);
        Assert.Equal(SkipReason.BuildOrToolDirectory, skips["bin"]);
        Assert.Equal(SkipReason.BuildOrToolDirectory, skips["obj"]);
        Assert.Equal(SkipReason.LockFile, skips["package-lock.json"]);
        foreach (var secret in new[] { ".env", ".env.production", "certs/server.pem", "certs/server.key", "keys/id_rsa", "keys/id_rsa.pub", "signing.pfx", "credentials.json" })
        {
            Assert.Equal(SkipReason.Secret, skips[secret]);
        }
    }

    [Fact]
    public void Does_not_follow_symlinks_that_leave_the_folder()
    {
        using var outside = new TempFolder();
        var secret = outside.Write("secret.txt", "outside the workspace");
        using var folder = new TempFolder();
        folder.Write("docs/inside.md", "# inside");
        File.CreateSymbolicLink(Path.Combine(folder.Path, "escape.txt"), secret);
        Directory.CreateSymbolicLink(Path.Combine(folder.Path, "escape-dir"), outside.Path);
        File.CreateSymbolicLink(Path.Combine(folder.Path, "relative.txt"), "../" + Path.GetFileName(outside.Path) + "/secret.txt");
        File.CreateSymbolicLink(Path.Combine(folder.Path, "alias.md"), Path.Combine(folder.Path, "docs", "inside.md"));
        Directory.CreateSymbolicLink(Path.Combine(folder.Path, "docs-link"), Path.Combine(folder.Path, "docs"));

        var result = new WorkspaceWalker().Walk(folder.Path, CancellationToken.None);
        var skips = Skips(result);

        Assert.Equal(SkipReason.SymlinkOutsideFolder, skips["escape.txt"]);
        Assert.Equal(SkipReason.SymlinkOutsideFolder, skips["escape-dir"]);
        Assert.Equal(SkipReason.SymlinkOutsideFolder, skips["relative.txt"]);
        Assert.Equal(SkipReason.SymlinkedDirectory, skips["docs-link"]);
        Assert.Contains(result.Files, f => f.RelativePath == "alias.md");
        Assert.All(result.Files, f => Assert.StartsWith(folder.Path, f.FullPath, StringComparison.Ordinal));
    }

    [Fact]
    public void Reader_never_reads_outside_the_folder_even_if_a_file_became_a_link()
    {
        using var outside = new TempFolder();
        var secret = outside.Write("secret.txt", "outside");
        using var folder = new TempFolder();
        var path = folder.Write("notes.txt", "inside");
        var walked = new WorkspaceWalker().Walk(folder.Path, CancellationToken.None).Files.Single();

        // Swapped for a link between walk and read.
        File.Delete(path);
        File.CreateSymbolicLink(path, secret);
        var content = FileContentReader.Read(folder.Path, walked, 1 << 20);

        Assert.Null(content.Bytes);
        Assert.Equal(SkipReason.SymlinkOutsideFolder, content.Skip);
    }

    [Fact]
    public void Detects_binaries_by_content_and_caps_size()
    {
        using var folder = new TempFolder();
        folder.Write("data.txt", [0x41, 0x42, 0x00, 0x43]);
        folder.Write("logo.png", [0x89, 0x50]);
        folder.Write("big.txt", new string('a', 2048));
        folder.Write("ok.txt", "hello");

        var walker = new WorkspaceWalker(new WalkerOptions { MaxTextFileBytes = 1024 });
        var result = walker.Walk(folder.Path, CancellationToken.None);
        var skips = Skips(result);

        Assert.Equal(SkipReason.Binary, skips["logo.png"]);
        Assert.Equal(SkipReason.TooLarge, skips["big.txt"]);
        var data = result.Files.Single(f => f.RelativePath == "data.txt");
        Assert.Equal(SkipReason.Binary, FileContentReader.Read(folder.Path, data, 1024).Skip);
        var ok = result.Files.Single(f => f.RelativePath == "ok.txt");
        Assert.Equal("hello"u8.ToArray(), FileContentReader.Read(folder.Path, ok, 1024).Bytes);
    }
}

using MAB.DotIgnore;

namespace LlmLsp.Index;

/// <summary>Why a path was left out of the index. Every skip carries one, so the summary can say
/// what was left out and why instead of files silently going missing.</summary>
public enum SkipReason
{
    GitIgnored,
    LlmLspIgnored,
    BuildOrToolDirectory,
    LockFile,
    Secret,
    TooLarge,
    Binary,
    SymlinkOutsideFolder,
    SymlinkedDirectory,
    Unreadable,
    InvalidUtf8,
    BrokenDocument,
}

public sealed record SkippedPath(string RelativePath, SkipReason Reason, string? Detail = null);

/// <summary>A file the walker accepts. <paramref name="RelativePath"/> uses '/' on every platform
/// because it is the key in the index and what citations show.</summary>
public sealed record WorkspaceFile(string FullPath, string RelativePath, long Size, long ModifiedTicksUtc);

public sealed record WalkResult(IReadOnlyList<WorkspaceFile> Files, IReadOnlyList<SkippedPath> Skipped);

public sealed record WalkerOptions
{
    /// <summary>Source and prose files above this are rarely worth a model's context and are usually generated.</summary>
    public long MaxTextFileBytes { get; init; } = 1024 * 1024;

    /// <summary>PDF and Word files carry layout and images, so the raw size cap is larger.</summary>
    public long MaxDocumentFileBytes { get; init; } = 32 * 1024 * 1024;

    /// <summary>Extra gitignore-syntax rules (applied at the folder root), e.g. from configuration.</summary>
    public IReadOnlyList<string> ExtraIgnoreRules { get; init; } = [];
}

/// <summary>Lists the files of a folder that belong in the index: honours .gitignore files (nested
/// ones too), a .llmlspignore, built-in exclusions for tool directories, lock files and secrets, and
/// never leaves the folder through a symlink.</summary>
public sealed class WorkspaceWalker
{
    public const string LlmLspIgnoreFileName = ".llmlspignore";

    private static readonly HashSet<string> s_excludedDirectories = new(StringComparer.OrdinalIgnoreCase)
    {
        ".git", ".hg", ".svn", ".jj", "node_modules", "bin", "obj", "dist", "build", "out", "target",
        ".vs", ".idea", "__pycache__", ".venv", "venv", ".tox", ".mypy_cache", ".pytest_cache", ".gradle",
        ".next", ".nuxt", ".svelte-kit", ".turbo", ".parcel-cache", "coverage", ".terraform", "TestResults",
    };

    private static readonly HashSet<string> s_lockFiles = new(StringComparer.OrdinalIgnoreCase)
    {
        "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lockb", "bun.lock",
        "Cargo.lock", "Gemfile.lock", "poetry.lock", "Pipfile.lock", "composer.lock", "packages.lock.json",
        "go.sum", "flake.lock", "mix.lock", "pubspec.lock", "Podfile.lock", "uv.lock",
    };

    private static readonly HashSet<string> s_secretFileNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "credentials", "credentials.json", "credentials.xml", "credentials.yml", "credentials.yaml",
        ".netrc", "_netrc", ".git-credentials", ".pgpass", ".pypirc", ".npmrc", ".dockercfg",
        "secrets.json", "secrets.yml", "secrets.yaml", "service-account.json",
    };

    private static readonly HashSet<string> s_secretExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".pem", ".key", ".pfx", ".p12", ".jks", ".keystore", ".kdbx", ".ppk", ".asc", ".gpg",
    };

    // Content sniffing finds binaries too; the extension list only saves opening obvious ones.
    private static readonly HashSet<string> s_binaryExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".webp", ".tiff", ".psd", ".zip", ".gz", ".tgz",
        ".bz2", ".xz", ".7z", ".rar", ".tar", ".jar", ".war", ".class", ".dll", ".exe", ".so", ".dylib",
        ".o", ".a", ".lib", ".pdb", ".obj", ".wasm", ".bin", ".dat", ".db", ".sqlite", ".gguf", ".onnx",
        ".pt", ".safetensors", ".mp3", ".mp4", ".wav", ".ogg", ".mov", ".avi", ".woff", ".woff2", ".ttf",
        ".otf", ".eot", ".nupkg", ".snupkg", ".pyc", ".xlsx", ".pptx", ".doc", ".xls", ".ppt", ".iso",
    };

    private readonly WalkerOptions _options;

    public WorkspaceWalker(WalkerOptions? options = null)
    {
        _options = options ?? new WalkerOptions();
    }

    public WalkResult Walk(string folder, CancellationToken cancellationToken)
    {
        var root = PathGuard.NormalizeRoot(folder);
        if (!Directory.Exists(root))
        {
            throw new LlmLspException(ErrorKind.InvalidInput, $"folder not found: {folder}");
        }

        var files = new List<WorkspaceFile>();
        var skipped = new List<SkippedPath>();
        var rootRules = new List<ScopedIgnore>();
        if (_options.ExtraIgnoreRules.Count > 0)
        {
            rootRules.Add(new ScopedIgnore("", new IgnoreList(_options.ExtraIgnoreRules), SkipReason.LlmLspIgnored));
        }

        var pending = new Stack<(string FullPath, string RelativePath, IReadOnlyList<ScopedIgnore> Rules)>();
        pending.Push((root, "", rootRules));
        var enumeration = new EnumerationOptions { IgnoreInaccessible = false, AttributesToSkip = 0, RecurseSubdirectories = false };

        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (directory, relativeDirectory, inheritedRules) = pending.Pop();
            var rules = WithIgnoreFilesOf(directory, relativeDirectory, inheritedRules);

            FileSystemInfo[] entries;
            try
            {
                entries = new DirectoryInfo(directory).GetFileSystemInfos("*", enumeration);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                skipped.Add(new SkippedPath(relativeDirectory.Length == 0 ? "." : relativeDirectory, SkipReason.Unreadable, ex.Message));
                continue;
            }

            Array.Sort(entries, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
            var subdirectories = new List<(string, string)>();
            foreach (var entry in entries)
            {
                var relative = relativeDirectory.Length == 0 ? entry.Name : relativeDirectory + "/" + entry.Name;
                var isDirectory = entry is DirectoryInfo;
                FileSystemInfo target = entry;

                if (entry.LinkTarget is not null)
                {
                    FileSystemInfo? resolved = null;
                    try
                    {
                        resolved = entry.ResolveLinkTarget(returnFinalTarget: true);
                    }
                    catch (IOException)
                    {
                        // A link loop or a dangling chain: treat it like a link that leaves the folder.
                    }

                    if (resolved is null || !resolved.Exists || !PathGuard.IsInside(root, resolved.FullName))
                    {
                        skipped.Add(new SkippedPath(relative, SkipReason.SymlinkOutsideFolder));
                        continue;
                    }

                    if (resolved is DirectoryInfo)
                    {
                        // Its target is inside the folder and gets walked there; following it could loop.
                        skipped.Add(new SkippedPath(relative, SkipReason.SymlinkedDirectory));
                        continue;
                    }

                    target = resolved;
                    isDirectory = false;
                }

                if (isDirectory)
                {
                    if (s_excludedDirectories.Contains(entry.Name))
                    {
                        skipped.Add(new SkippedPath(relative, SkipReason.BuildOrToolDirectory));
                    }
                    else if (FindIgnoringRule(rules, relative, isDirectory: true) is { } reason)
                    {
                        skipped.Add(new SkippedPath(relative, reason));
                    }
                    else
                    {
                        subdirectories.Add((entry.FullName, relative));
                    }

                    continue;
                }

                if (ClassifyFile(entry.Name, relative, rules) is { } skip)
                {
                    skipped.Add(skip);
                    continue;
                }

                var fileInfo = (FileInfo)target;
                long size;
                long modified;
                try
                {
                    size = fileInfo.Length;
                    modified = fileInfo.LastWriteTimeUtc.Ticks;
                }
                catch (IOException ex)
                {
                    skipped.Add(new SkippedPath(relative, SkipReason.Unreadable, ex.Message));
                    continue;
                }

                var cap = DocumentKinds.IsPackagedDocument(entry.Name) ? _options.MaxDocumentFileBytes : _options.MaxTextFileBytes;
                if (size > cap)
                {
                    skipped.Add(new SkippedPath(relative, SkipReason.TooLarge, $"{size:N0} bytes > {cap:N0}"));
                    continue;
                }

                files.Add(new WorkspaceFile(fileInfo.FullName, relative, size, modified));
            }

            // Pushed in reverse so directories are walked in name order.
            for (var i = subdirectories.Count - 1; i >= 0; i--)
            {
                pending.Push((subdirectories[i].Item1, subdirectories[i].Item2, rules));
            }
        }

        return new WalkResult(files, skipped);
    }

    private static SkippedPath? ClassifyFile(string name, string relative, IReadOnlyList<ScopedIgnore> rules)
    {
        if (FindIgnoringRule(rules, relative, isDirectory: false) is { } ignored)
        {
            return new SkippedPath(relative, ignored);
        }

        if (IsSecret(name))
        {
            return new SkippedPath(relative, SkipReason.Secret);
        }

        if (s_lockFiles.Contains(name))
        {
            return new SkippedPath(relative, SkipReason.LockFile);
        }

        if (s_binaryExtensions.Contains(Path.GetExtension(name)))
        {
            return new SkippedPath(relative, SkipReason.Binary, "by extension");
        }

        return null;
    }

    internal static bool IsSecret(string name) =>
        name.StartsWith(".env", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("id_rsa", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("id_dsa", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("id_ecdsa", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("id_ed25519", StringComparison.OrdinalIgnoreCase)
        || s_secretFileNames.Contains(name)
        || s_secretExtensions.Contains(Path.GetExtension(name));

    private static SkipReason? FindIgnoringRule(IReadOnlyList<ScopedIgnore> rules, string relative, bool isDirectory)
    {
        foreach (var rule in rules)
        {
            var local = rule.Scope.Length == 0 ? relative : relative[(rule.Scope.Length + 1)..];
            if (rule.List.IsIgnored(local, isDirectory))
            {
                return rule.Reason;
            }
        }

        return null;
    }

    private static IReadOnlyList<ScopedIgnore> WithIgnoreFilesOf(string directory, string relativeDirectory, IReadOnlyList<ScopedIgnore> inherited)
    {
        List<ScopedIgnore>? combined = null;
        foreach (var (fileName, reason) in new[] { (".gitignore", SkipReason.GitIgnored), (LlmLspIgnoreFileName, SkipReason.LlmLspIgnored) })
        {
            var path = Path.Combine(directory, fileName);
            if (!File.Exists(path))
            {
                continue;
            }

            try
            {
                var lines = File.ReadAllLines(path);
                combined ??= [.. inherited];
                combined.Add(new ScopedIgnore(relativeDirectory, new IgnoreList(lines), reason));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // An unreadable ignore file is treated as absent; the files it names still pass the other rules.
            }
        }

        return combined ?? inherited;
    }

    private sealed record ScopedIgnore(string Scope, IgnoreList List, SkipReason Reason);
}

using System.Security.Cryptography;
using System.Text;

namespace LlmLsp.Index;

/// <summary>Where an index lives when no path is given: the user's data directory
/// (XDG_DATA_HOME or ~/.local/share on Linux, LocalApplicationData elsewhere) under
/// llmlsp/indexes/&lt;hash of the absolute folder path&gt;.db, so one folder always maps to one file.</summary>
public static class IndexLocation
{
    public static string DataDirectory()
    {
        if (OperatingSystem.IsLinux())
        {
            var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
            if (!string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg))
            {
                return Path.Combine(xdg, "llmlsp");
            }

            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share", "llmlsp");
        }

        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "llmlsp");
    }

    public static string FolderKey(string folder)
    {
        var root = PathGuard.NormalizeRoot(folder);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(root));
        return Convert.ToHexStringLower(hash, 0, 12);
    }

    public static string DefaultDatabasePath(string folder) =>
        Path.Combine(DataDirectory(), "indexes", FolderKey(folder) + ".db");

    /// <summary>The index of <paramref name="directory"/> or of its nearest indexed ancestor.</summary>
    public static string FindForDirectory(string directory)
    {
        for (var current = new DirectoryInfo(PathGuard.NormalizeRoot(directory)); current is not null; current = current.Parent)
        {
            var candidate = DefaultDatabasePath(current.FullName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new LlmLspException(ErrorKind.IndexNotFound,
            $"no index found for {directory} or any folder above it; run `llmlsp index <folder>` first or pass --db");
    }
}

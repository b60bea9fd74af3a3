using System.Security.Cryptography;
using System.Text;
using LlmLsp.Options;

namespace LlmLsp.Index;

/// <summary>Where an index lives when no path is given: the user's data directory (see
/// <see cref="UserDirectories"/>; LLMLSP_HOME moves everything) under indexes/&lt;hash of the absolute
/// folder path&gt;.db, so one folder always maps to one file.</summary>
public static class IndexLocation
{
    public static string FolderKey(string folder)
    {
        var root = PathGuard.NormalizeRoot(folder);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(root));
        return Convert.ToHexStringLower(hash, 0, 12);
    }

    public static string DefaultDatabasePath(string folder) =>
        Path.Combine(UserDirectories.FromEnvironment().IndexesDirectory, FolderKey(folder) + ".db");

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

namespace LlmLsp.Index;

/// <summary>Keeps every read inside the indexed folder: paths are compared after full normalisation and
/// symlink resolution, so "../" and links cannot lead a read outside it.</summary>
internal static class PathGuard
{
    private static readonly StringComparison s_pathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    public static string NormalizeRoot(string folder) =>
        Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));

    public static bool IsInside(string root, string fullPath)
    {
        var normalized = Path.GetFullPath(fullPath);
        if (normalized.Equals(root, s_pathComparison))
        {
            return true;
        }

        return normalized.StartsWith(root, s_pathComparison)
            && normalized.Length > root.Length
            && (normalized[root.Length] == Path.DirectorySeparatorChar || normalized[root.Length] == Path.AltDirectorySeparatorChar);
    }

    /// <summary>The real location of <paramref name="fullPath"/> with every symlink on the way resolved,
    /// or null when it cannot be resolved.</summary>
    public static string? ResolveReal(string fullPath)
    {
        try
        {
            var info = new FileInfo(fullPath);
            if (info.LinkTarget is not null)
            {
                return info.ResolveLinkTarget(returnFinalTarget: true)?.FullName;
            }

            var parent = info.Directory is { } directory ? ResolveRealDirectory(directory) : null;
            return parent is null ? info.FullName : Path.Combine(parent, info.Name);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string ResolveRealDirectory(DirectoryInfo directory)
    {
        if (directory.LinkTarget is not null && directory.ResolveLinkTarget(returnFinalTarget: true) is { } target)
        {
            return target.FullName;
        }

        return directory.Parent is { } parent ? Path.Combine(ResolveRealDirectory(parent), directory.Name) : directory.FullName;
    }
}

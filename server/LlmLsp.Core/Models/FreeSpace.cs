namespace LlmLsp.Models;

/// <summary>Checks the filesystem that will hold a download has room for it, so a pull fails up front with a
/// clear message instead of at 97% with "No space left on device".</summary>
internal static class FreeSpace
{
    /// <summary>Free bytes available to this user on the filesystem holding <paramref name="directory"/>; null when unknown.</summary>
    public static long? Available(string directory)
    {
        try
        {
            var full = Path.GetFullPath(directory);
            // On Unix DriveInfo takes any path and asks statvfs about its filesystem; Windows wants the volume root.
            var drive = new DriveInfo(OperatingSystem.IsWindows() ? Path.GetPathRoot(full)! : full);
            return drive.AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    public static void Ensure(string directory, long neededBytes, string modelName)
    {
        if (neededBytes <= 0 || Available(directory) is not { } free || free >= neededBytes)
        {
            return;
        }
        throw new LlmLspException(ErrorKind.Download,
            $"Not enough disk space to download {modelName}: it needs {ModelCatalogue.FormatSize(neededBytes)} more, " +
            $"but only {ModelCatalogue.FormatSize(free)} is free on the filesystem holding {directory}. " +
            $"Free some space, or set LLMLSP_HOME to a folder on a bigger disk.");
    }
}

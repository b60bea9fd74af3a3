using System.Diagnostics;
using LlmLsp.Models;
using LlmLsp.Tests.Fixtures;

namespace LlmLsp.Tests.Models;

/// <summary>Runs only where the tests may mount a filesystem (root on Linux); skipped, and says so, elsewhere.</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (!SmallDisk.CanMount)
        {
            Skip = "Needs root on Linux to mount a small tmpfs; the free-space check is also covered by Not_enough_disk_space_fails_before_any_request.";
        }
    }
}

/// <summary>A real, tiny tmpfs: a filesystem that is genuinely almost full.</summary>
public sealed class SmallDisk : IDisposable
{
    public SmallDisk(string sizeOption)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "llmlsp-tests", "tmpfs-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
        if (Run("mount", "-t", "tmpfs", "-o", $"size={sizeOption}", "tmpfs", Path) != 0)
        {
            throw new InvalidOperationException($"could not mount a tmpfs at {Path}");
        }
    }

    public static bool CanMount { get; } = OperatingSystem.IsLinux() && Environment.UserName == "root" && File.Exists("/proc/filesystems")
        && File.ReadAllText("/proc/filesystems").Contains("tmpfs", StringComparison.Ordinal);

    public string Path { get; }

    public void Dispose()
    {
        Run("umount", Path);
        Directory.Delete(Path);
    }

    private static int Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        process.WaitForExit();
        return process.ExitCode;
    }
}

public sealed class SmallDiskTests
{
    [TmpfsFact]
    public async Task A_full_disk_is_reported_before_downloading_with_needed_and_free_sizes()
    {
        using var server = new ModelServer();
        using var disk = new SmallDisk("64k");
        using var home = new ModelTestHome(disk.Path);
        var model = await File.ReadAllBytesAsync(TinyModels.Decoder());
        var url = server.Serve("/tiny.gguf", model);
        // No sizeBytes in the entry: the check has to use the server's Content-Length, before the body is read.
        home.WriteCatalogue(new CatalogueLine("tiny", url.AbsoluteUri, ModelTestHome.Sha256(model)));
        using var manager = home.Manager();

        var error = await Assert.ThrowsAsync<LlmLspException>(() => manager.PullAsync("tiny", null, CancellationToken.None));

        Assert.Equal(ErrorKind.Download, error.Kind);
        Assert.Contains($"needs {ModelCatalogue.FormatSize(model.Length)} more", error.Message, StringComparison.Ordinal);
        Assert.Contains("kB is free", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
        Assert.Equal(0, new FileInfo(home.ModelPath("tiny") + ".partial").Length);
    }

    [TmpfsFact]
    public async Task A_catalogue_size_that_cannot_fit_fails_without_any_request()
    {
        using var server = new ModelServer();
        using var disk = new SmallDisk("64k");
        using var home = new ModelTestHome(disk.Path);
        var model = await File.ReadAllBytesAsync(TinyModels.Decoder());
        var url = server.Serve("/tiny.gguf", model);
        home.WriteCatalogue(new CatalogueLine("tiny", url.AbsoluteUri, ModelTestHome.Sha256(model), model.Length));
        using var manager = home.Manager();

        var error = await Assert.ThrowsAsync<LlmLspException>(() => manager.PullAsync("tiny", null, CancellationToken.None));

        Assert.Contains("Not enough disk space", error.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }
}

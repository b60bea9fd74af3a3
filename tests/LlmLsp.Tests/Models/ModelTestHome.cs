using System.Security.Cryptography;
using System.Text.Json;
using LlmLsp.Models;
using LlmLsp.Options;

namespace LlmLsp.Tests.Models;

/// <summary>A throwaway LLMLSP_HOME with a user catalogue the test writes; deleted afterwards.</summary>
public sealed class ModelTestHome : IDisposable
{
    public ModelTestHome(string? root = null)
    {
        Root = root ?? Path.Combine(Path.GetTempPath(), "llmlsp-tests", "home-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
        Directories = UserDirectories.UnderOneFolder(Root);
    }

    public string Root { get; }

    public UserDirectories Directories { get; }

    /// <summary>Environment for a CLI child process that uses this home.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        [UserDirectories.HomeVariable] = Root,
        [ModelSource.MirrorVariable] = "",
    };

    public static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>Writes catalogue.json with one entry per (name, url, sha256, sizeBytes, roles).</summary>
    public void WriteCatalogue(params CatalogueLine[] lines)
    {
        var models = lines.Select(l => new Dictionary<string, object?>
        {
            ["name"] = l.Name,
            ["roles"] = l.Roles ?? ["chat", "completion"],
            ["url"] = l.Url,
            ["sha256"] = l.Sha256,
            ["sizeBytes"] = l.SizeBytes,
        }).ToList();
        var json = JsonSerializer.Serialize(new Dictionary<string, object> { ["models"] = models });
        File.WriteAllText(Directories.UserCatalogueFile, json);
    }

    public ModelManager Manager(DownloadOptions? options = null) =>
        new(Directories, options ?? FastOptions);

    /// <summary>Short timeouts and no retry delay, so failure tests finish quickly.</summary>
    public static DownloadOptions FastOptions { get; } = new()
    {
        StallTimeout = TimeSpan.FromSeconds(5),
        RetryDelay = TimeSpan.Zero,
        ProgressInterval = TimeSpan.Zero,
    };

    public string ModelPath(string name) => Path.Combine(Directories.ModelsDirectory, name + ".gguf");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

public sealed record CatalogueLine(string Name, string Url, string? Sha256 = null, long? SizeBytes = null, string[]? Roles = null);

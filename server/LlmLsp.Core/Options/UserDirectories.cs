namespace LlmLsp.Options;

/// <summary>
/// Where llmlsp keeps the user's models and settings. The one place that knows the platform conventions:
/// <list type="bullet">
/// <item><c>LLMLSP_HOME</c> set: everything lives under that one folder (models/, config.json, catalogue.json).</item>
/// <item>Linux and other Unix: data in <c>$XDG_DATA_HOME/llmlsp</c> (default <c>~/.local/share/llmlsp</c>),
/// settings in <c>$XDG_CONFIG_HOME/llmlsp</c> (default <c>~/.config/llmlsp</c>).</item>
/// <item>Windows and macOS: both under the local application data folder, in <c>llmlsp</c>.</item>
/// </list>
/// Nothing is created until something is written.
/// </summary>
public sealed record UserDirectories(string DataDirectory, string ConfigDirectory)
{
    public const string HomeVariable = "LLMLSP_HOME";
    private const string AppFolder = "llmlsp";

    /// <summary>Downloaded GGUF files, one per catalogue entry, named after the entry.</summary>
    public string ModelsDirectory => Path.Combine(DataDirectory, "models");

    /// <summary>Workspace indexes, one file per indexed folder.</summary>
    public string IndexesDirectory => Path.Combine(DataDirectory, "indexes");

    /// <summary>The user's choices (which model per role); see <see cref="UserConfig"/>.</summary>
    public string ConfigFile => Path.Combine(ConfigDirectory, "config.json");

    /// <summary>The user's own catalogue entries, merged over the built-in catalogue.</summary>
    public string UserCatalogueFile => Path.Combine(ConfigDirectory, "catalogue.json");

    /// <summary>Everything under one folder: what <c>LLMLSP_HOME</c> selects, and what tests use.</summary>
    public static UserDirectories UnderOneFolder(string root)
    {
        var full = Path.GetFullPath(root);
        return new UserDirectories(full, full);
    }

    /// <summary>Resolves the folders from the process environment.</summary>
    public static UserDirectories FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>Resolves the folders from the given environment lookup (tests pass a dictionary's lookup).</summary>
    public static UserDirectories FromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (NonEmpty(environment(HomeVariable)) is { } home)
        {
            return UnderOneFolder(home);
        }
        if (OperatingSystem.IsWindows() || OperatingSystem.IsMacOS())
        {
            var local = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), AppFolder);
            return new UserDirectories(local, local);
        }
        var userHome = NonEmpty(environment("HOME")) ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        // XDG says relative values are invalid and must be ignored.
        var data = Absolute(environment("XDG_DATA_HOME")) ?? Path.Combine(userHome, ".local", "share");
        var config = Absolute(environment("XDG_CONFIG_HOME")) ?? Path.Combine(userHome, ".config");
        return new UserDirectories(Path.Combine(data, AppFolder), Path.Combine(config, AppFolder));
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static string? Absolute(string? value) => NonEmpty(value) is { } v && Path.IsPathRooted(v) ? v : null;
}

using System.Text.Json;
using System.Text.Json.Nodes;
using LlmLsp.Models;

namespace LlmLsp.Options;

/// <summary>A model chosen for a role: a catalogue name (its file in the models folder) or a GGUF path the user gave.</summary>
public sealed record ModelChoice(ModelRole Role, string Value, string Path, bool IsCatalogueName);

/// <summary>
/// The user's settings file, <c>config.json</c> in <see cref="UserDirectories.ConfigDirectory"/>:
/// <code>
/// {
///   "models": {
///     "chat": "qwen2.5-coder-1.5b-instruct",
///     "completion": "qwen2.5-coder-1.5b",
///     "embedding": "/path/to/my-embedder.gguf"
///   },
///   "backend": { "url": "http://127.0.0.1:8080", "apiKey": "…", "model": "…" }
/// }
/// </code>
/// Each value is a catalogue name (resolved to <c>models/NAME.gguf</c> in the data folder) or a path to a GGUF file.
/// <c>llmlsp models use</c> writes it; keys this class does not know are kept, so other settings can share the file.
/// <c>backend</c> (a remote server for every role, or per role: <c>backend.chat</c>, …) is read as settings, the same keys
/// as the editor's <c>llmlsp.backend.*</c>; the editor's win. Reading never touches the network.
/// </summary>
public sealed record UserConfig(IReadOnlyDictionary<ModelRole, ModelChoice> Models)
{
    private const string ModelsKey = "models";
    private const string BackendKey = "backend";

    /// <summary>The file's settings other than <c>models</c>, flattened for <see cref="OptionsLoader"/>.</summary>
    public IReadOnlyDictionary<string, object?> Settings { get; init; } = new Dictionary<string, object?>();

    public static UserConfig Empty { get; } = new(new Dictionary<ModelRole, ModelChoice>());

    /// <summary>The settings for the folders the environment selects.</summary>
    public static UserConfig Load() => Load(UserDirectories.FromEnvironment());

    /// <summary>The settings in <paramref name="directories"/>; empty when there is no config file yet.</summary>
    public static UserConfig Load(UserDirectories directories)
    {
        ArgumentNullException.ThrowIfNull(directories);
        var root = ReadRoot(directories.ConfigFile);
        IReadOnlyDictionary<string, object?> settings = new Dictionary<string, object?>();
        if (root?[BackendKey] is JsonObject backend)
        {
            using var document = JsonDocument.Parse(backend.ToJsonString());
            settings = SettingsFlattener.Flatten(document.RootElement, BackendKey);
        }
        if (root?[ModelsKey] is not JsonObject models)
        {
            return Empty with { Settings = settings };
        }
        var choices = new Dictionary<ModelRole, ModelChoice>();
        foreach (var (key, node) in models)
        {
            var role = ModelRoles.Parse(key);
            if (node is JsonValue value && value.TryGetValue<string>(out var text) && !string.IsNullOrWhiteSpace(text))
            {
                choices[role] = ToChoice(directories, role, text.Trim());
            }
            else
            {
                throw new LlmLspException(ErrorKind.InvalidInput,
                    $"{directories.ConfigFile}: models.{key} must be a model name or a path to a GGUF file.");
            }
        }
        return new UserConfig(choices) { Settings = settings };
    }

    /// <summary>Records the model for a role, keeping everything else in the file. Written atomically.</summary>
    public static void SetModel(UserDirectories directories, ModelRole role, string nameOrPath)
    {
        ArgumentNullException.ThrowIfNull(directories);
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrPath);
        var root = ReadRoot(directories.ConfigFile) ?? [];
        if (root[ModelsKey] is not JsonObject models)
        {
            models = [];
            root[ModelsKey] = models;
        }
        models[role.ToName()] = nameOrPath;
        Directory.CreateDirectory(directories.ConfigDirectory);
        var temporary = directories.ConfigFile + ".tmp";
        File.WriteAllText(temporary, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + Environment.NewLine);
        File.Move(temporary, directories.ConfigFile, overwrite: true);
    }

    public ModelChoice? For(ModelRole role) => Models.TryGetValue(role, out var choice) ? choice : null;

    /// <summary>A value with no folder separator and no .gguf ending is a catalogue name; anything else is a path
    /// (relative paths are taken from the config folder, where the file that names them lives).</summary>
    internal static ModelChoice ToChoice(UserDirectories directories, ModelRole role, string value)
    {
        var looksLikePath = value.Contains('/', StringComparison.Ordinal) || value.Contains('\\', StringComparison.Ordinal)
            || value.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase);
        if (!looksLikePath)
        {
            return new ModelChoice(role, value, System.IO.Path.Combine(directories.ModelsDirectory, value + ".gguf"), IsCatalogueName: true);
        }
        var path = System.IO.Path.GetFullPath(value, directories.ConfigDirectory);
        return new ModelChoice(role, value, path, IsCatalogueName: false);
    }

    private static JsonObject? ReadRoot(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            });
            return node as JsonObject ?? throw new LlmLspException(ErrorKind.InvalidInput, $"{path} must hold a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new LlmLspException(ErrorKind.InvalidInput, $"{path} is not valid JSON: {ex.Message}", ex);
        }
    }
}

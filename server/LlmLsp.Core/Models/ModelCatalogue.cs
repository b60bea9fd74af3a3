using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LlmLsp.Options;

namespace LlmLsp.Models;

/// <summary>The recommended model for a role, and a lighter one for small machines.</summary>
public sealed record RoleDefault(ModelRole Role, string Model, string? SmallMachine);

/// <summary>
/// The models llmlsp knows how to download: the built-in catalogue (an embedded catalogue.json) with the
/// user's own catalogue.json merged over it. A user entry with a built-in name replaces the built-in one.
/// Loading reads local files only; it never touches the network.
/// </summary>
public sealed partial class ModelCatalogue
{
    private const string BuiltInResource = "LlmLsp.Models.catalogue.json";

    private ModelCatalogue(IReadOnlyList<CatalogueEntry> entries, IReadOnlyDictionary<ModelRole, RoleDefault> defaults)
    {
        Entries = entries;
        Defaults = defaults;
    }

    public IReadOnlyList<CatalogueEntry> Entries { get; }

    public IReadOnlyDictionary<ModelRole, RoleDefault> Defaults { get; }

    /// <summary>The built-in catalogue only.</summary>
    public static ModelCatalogue BuiltIn()
    {
        using var stream = typeof(ModelCatalogue).Assembly.GetManifestResourceStream(BuiltInResource)
            ?? throw new InvalidOperationException($"The embedded resource {BuiltInResource} is missing from the build.");
        using var reader = new StreamReader(stream);
        var document = Deserialize(reader.ReadToEnd(), "the built-in catalogue");
        return new ModelCatalogue(ToEntries(document, "the built-in catalogue", isUser: false), ToDefaults(document));
    }

    /// <summary>The built-in catalogue with the user's catalogue file (if any) merged over it.</summary>
    public static ModelCatalogue Load(UserDirectories directories)
    {
        ArgumentNullException.ThrowIfNull(directories);
        var builtIn = BuiltIn();
        var path = directories.UserCatalogueFile;
        if (!File.Exists(path))
        {
            return builtIn;
        }
        return builtIn.MergedWith(File.ReadAllText(path), path);
    }

    /// <summary>This catalogue with the entries of a user catalogue (JSON text) merged over it.</summary>
    public ModelCatalogue MergedWith(string userCatalogueJson, string source)
    {
        var document = Deserialize(userCatalogueJson, source);
        var userEntries = ToEntries(document, source, isUser: true);
        var merged = Entries
            .Where(e => !userEntries.Any(u => NamesEqual(u.Name, e.Name)))
            .Concat(userEntries)
            .ToList();
        var defaults = new Dictionary<ModelRole, RoleDefault>(Defaults);
        foreach (var (role, value) in ToDefaults(document))
        {
            defaults[role] = value;
        }
        return new ModelCatalogue(merged, defaults);
    }

    public CatalogueEntry? Find(string name) => Entries.FirstOrDefault(e => NamesEqual(e.Name, name));

    /// <summary>The entry with this name, or a ModelNotFound error listing what exists.</summary>
    public CatalogueEntry Get(string name) => Find(name)
        ?? throw new LlmLspException(ErrorKind.ModelNotFound,
            $"There is no model named '{name}' in the catalogue. Known models: {string.Join(", ", Entries.Select(e => e.Name))}. " +
            "Add your own in catalogue.json next to config.json (see `llmlsp models list`).");

    private static bool NamesEqual(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static CatalogueDocument Deserialize(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize(json, CatalogueJsonContext.Default.CatalogueDocument)
                ?? throw new LlmLspException(ErrorKind.InvalidInput, $"{source} is empty.");
        }
        catch (JsonException ex)
        {
            throw new LlmLspException(ErrorKind.InvalidInput, $"{source} is not valid catalogue JSON: {ex.Message}", ex);
        }
    }

    private static List<CatalogueEntry> ToEntries(CatalogueDocument document, string source, bool isUser)
    {
        var entries = new List<CatalogueEntry>();
        foreach (var item in document.Models ?? [])
        {
            var entry = ToEntry(item, source, isUser);
            if (entries.Any(e => NamesEqual(e.Name, entry.Name)))
            {
                throw new LlmLspException(ErrorKind.InvalidInput, $"{source} lists the model '{entry.Name}' twice.");
            }
            entries.Add(entry);
        }
        return entries;
    }

    private static CatalogueEntry ToEntry(CatalogueEntryDocument item, string source, bool isUser)
    {
        var name = item.Name?.Trim() ?? "";
        if (!ValidName().IsMatch(name))
        {
            throw new LlmLspException(ErrorKind.InvalidInput,
                $"{source}: '{name}' is not a usable model name (letters, digits, '.', '_' and '-'; it becomes a file name).");
        }
        string Where() => $"{source}, model '{name}'";
        if (string.IsNullOrWhiteSpace(item.Url))
        {
            throw new LlmLspException(ErrorKind.InvalidInput, $"{Where()}: a url is required.");
        }
        Uri url;
        try
        {
            url = ModelSource.Parse(item.Url);
        }
        catch (LlmLspException ex)
        {
            throw new LlmLspException(ErrorKind.InvalidInput, $"{Where()}: {ex.Message}", ex);
        }
        var sha = item.Sha256?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(sha))
        {
            sha = null;
        }
        else if (!Sha256Hex().IsMatch(sha))
        {
            throw new LlmLspException(ErrorKind.InvalidInput, $"{Where()}: sha256 must be 64 hexadecimal digits.");
        }
        if (item.SizeBytes is <= 0)
        {
            throw new LlmLspException(ErrorKind.InvalidInput, $"{Where()}: sizeBytes must be positive.");
        }
        List<ModelRole> roles;
        try
        {
            roles = (item.Roles ?? []).Select(ModelRoles.Parse).Distinct().ToList();
        }
        catch (LlmLspException ex)
        {
            throw new LlmLspException(ErrorKind.InvalidInput, $"{Where()}: {ex.Message}", ex);
        }
        if (roles.Count == 0)
        {
            // A user who only gives a URL most likely wants a chat/completion model.
            roles = isUser ? [ModelRole.Chat, ModelRole.Completion]
                : throw new LlmLspException(ErrorKind.InvalidInput, $"{Where()}: roles are required.");
        }
        var prefixes = item.Embedding is { } e ? new EmbeddingPrefixes(e.QueryPrefix ?? "", e.DocumentPrefix ?? "") : null;
        return new CatalogueEntry
        {
            Name = name,
            Description = item.Description ?? "",
            Roles = roles,
            Url = url,
            SizeBytes = item.SizeBytes,
            Sha256 = sha,
            FimTrained = item.FimTrained,
            Embedding = prefixes,
            IsUserEntry = isUser,
        };
    }

    private static Dictionary<ModelRole, RoleDefault> ToDefaults(CatalogueDocument document)
    {
        var defaults = new Dictionary<ModelRole, RoleDefault>();
        foreach (var (roleName, value) in document.Defaults ?? [])
        {
            if (string.IsNullOrWhiteSpace(value.Model))
            {
                continue;
            }
            var role = ModelRoles.Parse(roleName);
            defaults[role] = new RoleDefault(role, value.Model, value.SmallMachine);
        }
        return defaults;
    }

    /// <summary>Human-readable size: "1.9 GB", "150 MB".</summary>
    public static string FormatSize(long bytes) => bytes switch
    {
        >= 1_000_000_000 => (bytes / 1e9).ToString("0.#", CultureInfo.InvariantCulture) + " GB",
        >= 1_000_000 => (bytes / 1e6).ToString("0.#", CultureInfo.InvariantCulture) + " MB",
        >= 1_000 => (bytes / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + " kB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex ValidName();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Hex();
}

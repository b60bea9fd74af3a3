namespace LlmLsp.Models;

/// <summary>Task prefixes an embedding model was trained with (nomic: "search_query: " / "search_document: ").
/// Features must prepend them, or retrieval quality drops.</summary>
public sealed record EmbeddingPrefixes(string QueryPrefix, string DocumentPrefix);

/// <summary>One downloadable model: where it comes from, what it is for and how to check it.</summary>
public sealed record CatalogueEntry
{
    /// <summary>The name users type (`llmlsp models pull NAME`); also the local file name.</summary>
    public required string Name { get; init; }

    public string Description { get; init; } = "";

    public required IReadOnlyList<ModelRole> Roles { get; init; }

    /// <summary>Where the file comes from, as written in the catalogue (hf: shorthand expanded).</summary>
    public required Uri Url { get; init; }

    /// <summary>Approximate size for the free-space check and progress before the server answers; null when unknown.</summary>
    public long? SizeBytes { get; init; }

    /// <summary>Lower-case hex SHA-256 of the file; null for user entries that give none.</summary>
    public string? Sha256 { get; init; }

    /// <summary>Trained for fill-in-the-middle (a base coder model): the better inline completion model.</summary>
    public bool FimTrained { get; init; }

    /// <summary>Set for embedding models that expect task prefixes.</summary>
    public EmbeddingPrefixes? Embedding { get; init; }

    /// <summary>True when the entry came from the user's catalogue file rather than the built-in one.</summary>
    public bool IsUserEntry { get; init; }

    /// <summary>The file name in the models folder.</summary>
    public string FileName => Name + ".gguf";

    public bool HasRole(ModelRole role) => Roles.Contains(role);
}

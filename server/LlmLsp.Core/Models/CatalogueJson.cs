using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmLsp.Models;

// The on-disk shape of catalogue.json (built-in and user). Kept apart from CatalogueEntry so the file format
// can stay lenient (strings for URLs, optional fields) while the public record stays checked.

internal sealed class CatalogueDocument
{
    public Dictionary<string, RoleDefaultDocument>? Defaults { get; set; }

    public List<CatalogueEntryDocument>? Models { get; set; }
}

internal sealed class RoleDefaultDocument
{
    public string? Model { get; set; }

    public string? SmallMachine { get; set; }
}

internal sealed class CatalogueEntryDocument
{
    public string? Name { get; set; }

    public string? Description { get; set; }

    public List<string>? Roles { get; set; }

    public string? Url { get; set; }

    public long? SizeBytes { get; set; }

    public string? Sha256 { get; set; }

    public bool FimTrained { get; set; }

    public EmbeddingPrefixesDocument? Embedding { get; set; }
}

internal sealed class EmbeddingPrefixesDocument
{
    public string? QueryPrefix { get; set; }

    public string? DocumentPrefix { get; set; }
}

/// <summary>The verified-download stamp written next to a model file.</summary>
internal sealed record VerifiedStamp(string Sha256, long Size, DateTime LastWriteUtc);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    PropertyNameCaseInsensitive = true,
    WriteIndented = true)]
[JsonSerializable(typeof(CatalogueDocument))]
[JsonSerializable(typeof(VerifiedStamp))]
internal sealed partial class CatalogueJsonContext : JsonSerializerContext;

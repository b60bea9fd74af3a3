namespace LlmLsp.Models;

/// <summary>Where a catalogue model stands on this machine.</summary>
public enum ModelState
{
    /// <summary>Nothing downloaded.</summary>
    Absent,

    /// <summary>An interrupted pull left a <c>.partial</c> file; pulling again resumes it.</summary>
    Partial,

    /// <summary>The file is in place but its hash has not been checked against the catalogue since it last changed
    /// (or the entry has no hash).</summary>
    Downloaded,

    /// <summary>The file matched the catalogue's SHA-256 when it was downloaded or verified, and has not changed since.</summary>
    Verified,
}

/// <summary>One catalogue entry with its local state: what `llmlsp models list` prints and `llmlsp/models` returns.</summary>
public sealed record ModelStatus(
    CatalogueEntry Entry,
    ModelState State,
    Uri DownloadUrl,
    string Path,
    long LocalBytes,
    IReadOnlyList<ModelRole> DefaultFor,
    IReadOnlyList<ModelRole> SelectedFor)
{
    public string Name => Entry.Name;

    public bool IsUsable => State is ModelState.Downloaded or ModelState.Verified;
}

/// <summary>The result of re-hashing one downloaded model.</summary>
public sealed record ModelVerification(string Name, string Path, string ActualSha256, string? ExpectedSha256)
{
    /// <summary>True when it matches the catalogue (or the catalogue gives no hash to compare with).</summary>
    public bool Matches => ExpectedSha256 is null || string.Equals(ActualSha256, ExpectedSha256, StringComparison.OrdinalIgnoreCase);
}

/// <summary>The model file a feature should load for a role, and why that one.</summary>
public sealed record ResolvedModel(ModelRole Role, string Path, string Name, CatalogueEntry? Entry, ModelResolution Reason);

/// <summary>How <see cref="ModelManager.Resolve"/> picked a model.</summary>
public enum ModelResolution
{
    /// <summary>The user chose it (`llmlsp models use`, or config.json).</summary>
    Configured,

    /// <summary>Nothing configured; the catalogue's recommended model for the role is downloaded.</summary>
    CatalogueDefault,

    /// <summary>Nothing configured and no default downloaded; another downloaded model with the role.</summary>
    DownloadedFallback,

    /// <summary>Embedding only: nothing configured or downloaded, so the model that ships with llmlsp
    /// (<see cref="Builtin.BuiltinEmbedder"/>; its file is converted on first load).</summary>
    Builtin,
}

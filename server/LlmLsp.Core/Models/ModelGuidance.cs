namespace LlmLsp.Models;

/// <summary>The messages that tell a user what to do when a feature has no model. Features throw these
/// rather than writing their own, so the advice is the same in the editor and on the command line.</summary>
public static class ModelGuidance
{
    /// <summary>"No chat model is configured. Run `llmlsp models pull ...`": for first runs.</summary>
    public static LlmLspException NoModelConfigured(ModelRole role, ModelCatalogue catalogue)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        var roleName = role.ToName();
        var text = $"No {roleName} model is configured.";
        if (catalogue.Defaults.TryGetValue(role, out var recommended))
        {
            text += $" Run `llmlsp models pull {recommended.Model}`{SizeHint(catalogue, recommended.Model)}";
            if (recommended.SmallMachine is { } small)
            {
                text += $"; on a small machine, `llmlsp models pull {small}`{SizeHint(catalogue, small)}";
            }
            text += ".";
        }
        else
        {
            text += " Download one with `llmlsp models pull NAME` (see `llmlsp models list`).";
        }
        text += $" Or choose a GGUF file you already have with `llmlsp models use PATH --role {roleName}`.";
        return new LlmLspException(ErrorKind.NoModelConfigured, text);
    }

    /// <summary>The user chose a catalogue model that is not downloaded (or was removed).</summary>
    public static LlmLspException ConfiguredButMissing(ModelRole role, string name, ModelCatalogue catalogue)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        return new LlmLspException(ErrorKind.NoModelConfigured,
            $"The {role.ToName()} model {name} is configured but not downloaded. Run `llmlsp models pull {name}`{SizeHint(catalogue, name)}.");
    }

    private static string SizeHint(ModelCatalogue catalogue, string name) =>
        catalogue.Find(name)?.SizeBytes is { } size ? $" (about {ModelCatalogue.FormatSize(size)})" : "";
}

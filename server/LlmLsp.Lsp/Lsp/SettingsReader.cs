using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using LlmLsp.Options;

namespace LlmLsp.Lsp;

/// <summary>Flattens the JSON of the <c>llmlsp</c> settings section into the plain dotted-key map that
/// <see cref="OptionsLoader"/> (Core, JSON-free) takes.</summary>
internal static class SettingsReader
{
    /// <summary>Accepts either the section itself or an object wrapping it as <c>{"llmlsp": {...}}</c>.</summary>
    public static ImmutableDictionary<string, object?> Read(JsonElement? settings)
    {
        if (settings is not { ValueKind: JsonValueKind.Object } element)
        {
            return ImmutableDictionary<string, object?>.Empty.WithComparers(StringComparer.OrdinalIgnoreCase);
        }

        if (element.TryGetProperty(OptionsLoader.Section, out var section))
        {
            element = section;
            if (element.ValueKind != JsonValueKind.Object)
            {
                return ImmutableDictionary<string, object?>.Empty.WithComparers(StringComparer.OrdinalIgnoreCase);
            }
        }

        return SettingsFlattener.Flatten(element);
    }

    /// <summary>The editor's settings over config.json's (its <c>backend</c>), so a team server configured once for the
    /// CLI serves the editor too; <paramref name="problem"/> says why the file could not be read, if so.</summary>
    public static ImmutableDictionary<string, object?> OverConfigFile(ImmutableDictionary<string, object?> editor, out string? problem)
    {
        problem = null;
        try
        {
            var file = UserConfig.Load().Settings;
            // Editors send every setting with its default: an empty one leaves config.json's value in place.
            return file.Count == 0 ? editor : ImmutableDictionary.CreateRange(StringComparer.OrdinalIgnoreCase, file)
                .SetItems(editor.Where(p => p.Value is not (null or "") || !file.ContainsKey(p.Key)));
        }
        catch (LlmLspException ex)
        {
            problem = $"LlmLsp: {ex.Message} Its settings were not used.";
            return editor;
        }
    }

    public static string Describe(OptionProblem problem) =>
        string.Create(CultureInfo.InvariantCulture, $"LlmLsp: setting \"{problem.Setting}\" {problem.Message}.");
}

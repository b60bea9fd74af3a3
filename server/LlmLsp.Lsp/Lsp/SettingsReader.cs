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
        var builder = ImmutableDictionary.CreateBuilder<string, object?>(StringComparer.OrdinalIgnoreCase);
        if (settings is not { ValueKind: JsonValueKind.Object } element)
        {
            return builder.ToImmutable();
        }

        if (element.TryGetProperty(OptionsLoader.Section, out var section))
        {
            element = section;
            if (element.ValueKind != JsonValueKind.Object)
            {
                return builder.ToImmutable();
            }
        }

        Flatten(element, prefix: null, builder);
        return builder.ToImmutable();
    }

    private static void Flatten(JsonElement element, string? prefix, ImmutableDictionary<string, object?>.Builder into)
    {
        foreach (var property in element.EnumerateObject())
        {
            string key = prefix is null ? property.Name : $"{prefix}.{property.Name}";
            if (property.Value.ValueKind == JsonValueKind.Object)
            {
                Flatten(property.Value, key, into);
            }
            else
            {
                into[key] = ToValue(property.Value);
            }
        }
    }

    private static object? ToValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        JsonValueKind.Number when value.TryGetInt64(out long n) => n,
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.Array => value.EnumerateArray().Select(ToValue).ToArray(),
        _ => value.GetRawText(),
    };

    public static string Describe(OptionProblem problem) =>
        string.Create(CultureInfo.InvariantCulture, $"LlmLsp: setting \"{problem.Setting}\" {problem.Message}.");
}

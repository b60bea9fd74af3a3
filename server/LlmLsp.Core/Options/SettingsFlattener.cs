using System.Collections.Immutable;
using System.Text.Json;

namespace LlmLsp.Options;

/// <summary>Turns a JSON settings object into the flat dotted-key map <see cref="OptionsLoader"/> takes: nested objects
/// become <c>a.b.c</c> keys, arrays lists, numbers long or double. Used for the editor's settings and config.json.</summary>
public static class SettingsFlattener
{
    public static ImmutableDictionary<string, object?> Flatten(JsonElement settings, string? prefix = null)
    {
        var builder = ImmutableDictionary.CreateBuilder<string, object?>(StringComparer.OrdinalIgnoreCase);
        if (settings.ValueKind == JsonValueKind.Object)
        {
            Flatten(settings, prefix, builder);
        }
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
}

using System.Text.Json.Serialization;

namespace LlmLsp.Models;

/// <summary>What a model is used for. A chat-tuned coder model usually serves both chat and completion.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ModelRole>))]
public enum ModelRole
{
    [JsonStringEnumMemberName("chat")]
    Chat,

    [JsonStringEnumMemberName("completion")]
    Completion,

    [JsonStringEnumMemberName("embedding")]
    Embedding,
}

/// <summary>The spelling of roles users type and read.</summary>
public static class ModelRoles
{
    public static IReadOnlyList<ModelRole> All { get; } = [ModelRole.Chat, ModelRole.Completion, ModelRole.Embedding];

    public static string ToName(this ModelRole role) => role switch
    {
        ModelRole.Chat => "chat",
        ModelRole.Completion => "completion",
        ModelRole.Embedding => "embedding",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    /// <summary>Parses "chat", "completion" or "embedding" (also "embeddings"), ignoring case.</summary>
    public static ModelRole Parse(string text)
    {
        var trimmed = (text ?? "").Trim().ToLowerInvariant();
        return trimmed switch
        {
            "chat" => ModelRole.Chat,
            "completion" or "complete" => ModelRole.Completion,
            "embedding" or "embeddings" or "embed" => ModelRole.Embedding,
            _ => throw new LlmLspException(ErrorKind.InvalidInput,
                $"Unknown model role '{text}'. Use one of: {string.Join(", ", All.Select(r => r.ToName()))}."),
        };
    }
}

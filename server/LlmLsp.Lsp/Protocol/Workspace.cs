using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmLsp.Protocol;

public sealed record DidChangeConfigurationParams(
    [property: JsonPropertyName("settings"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Settings = null);

public sealed record ConfigurationParams(
    [property: JsonPropertyName("items")] IReadOnlyList<ConfigurationItem> Items);

public sealed record ConfigurationItem(
    [property: JsonPropertyName("section"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Section = null,
    [property: JsonPropertyName("scopeUri"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ScopeUri = null);

public enum FileChangeType
{
    Created = 1,
    Changed = 2,
    Deleted = 3,
}

public sealed record FileEvent(
    [property: JsonPropertyName("uri")] string Uri,
    [property: JsonPropertyName("type")] FileChangeType Type);

public sealed record DidChangeWatchedFilesParams(
    [property: JsonPropertyName("changes")] IReadOnlyList<FileEvent> Changes);

public sealed record WorkspaceFoldersChangeEvent(
    [property: JsonPropertyName("added")] IReadOnlyList<WorkspaceFolder> Added,
    [property: JsonPropertyName("removed")] IReadOnlyList<WorkspaceFolder> Removed);

public sealed record DidChangeWorkspaceFoldersParams(
    [property: JsonPropertyName("event")] WorkspaceFoldersChangeEvent Event);

public sealed record ExecuteCommandParams(
    [property: JsonPropertyName("command")] string Command,
    [property: JsonPropertyName("arguments"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<JsonElement>? Arguments = null,
    [property: JsonPropertyName("workDoneToken"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ProgressToken? WorkDoneToken = null);

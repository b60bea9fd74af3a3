using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmLsp.Protocol;

public static class PositionEncodingKind
{
    public const string Utf8 = "utf-8";
    public const string Utf16 = "utf-16";
    public const string Utf32 = "utf-32";
}

public sealed record InitializeParams(
    [property: JsonPropertyName("processId")] int? ProcessId = null,
    [property: JsonPropertyName("clientInfo"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ClientInfo? ClientInfo = null,
    [property: JsonPropertyName("rootUri"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RootUri = null,
    [property: JsonPropertyName("capabilities")] ClientCapabilities? Capabilities = null,
    [property: JsonPropertyName("initializationOptions"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? InitializationOptions = null,
    [property: JsonPropertyName("trace"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Trace = null,
    [property: JsonPropertyName("workspaceFolders"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<WorkspaceFolder>? WorkspaceFolders = null,
    [property: JsonPropertyName("workDoneToken"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ProgressToken? WorkDoneToken = null);

public sealed record ClientInfo(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("version"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Version = null);

/// <summary>Only the client capabilities the server reads; the rest are ignored on deserialisation.</summary>
public sealed record ClientCapabilities(
    [property: JsonPropertyName("general"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] GeneralClientCapabilities? General = null,
    [property: JsonPropertyName("window"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] WindowClientCapabilities? Window = null,
    [property: JsonPropertyName("workspace"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] WorkspaceClientCapabilities? Workspace = null);

public sealed record GeneralClientCapabilities(
    [property: JsonPropertyName("positionEncodings"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? PositionEncodings = null);

public sealed record WindowClientCapabilities(
    [property: JsonPropertyName("workDoneProgress"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? WorkDoneProgress = null);

public sealed record WorkspaceClientCapabilities(
    [property: JsonPropertyName("configuration"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Configuration = null,
    [property: JsonPropertyName("workspaceFolders"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? WorkspaceFolders = null);

public sealed record InitializeResult(
    [property: JsonPropertyName("capabilities")] ServerCapabilities Capabilities,
    [property: JsonPropertyName("serverInfo"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ServerInfo? ServerInfo = null);

public sealed record ServerInfo(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("version"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Version = null);

public sealed record ServerCapabilities(
    [property: JsonPropertyName("positionEncoding"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PositionEncoding = null,
    [property: JsonPropertyName("textDocumentSync"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] TextDocumentSyncOptions? TextDocumentSync = null,
    [property: JsonPropertyName("executeCommandProvider"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ExecuteCommandOptions? ExecuteCommandProvider = null,
    [property: JsonPropertyName("inlineCompletionProvider"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] InlineCompletionOptions? InlineCompletionProvider = null,
    [property: JsonPropertyName("completionProvider"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] CompletionOptionsCapability? CompletionProvider = null,
    [property: JsonPropertyName("workspace"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] WorkspaceServerCapabilities? Workspace = null);

public enum TextDocumentSyncKind
{
    None = 0,
    Full = 1,
    Incremental = 2,
}

public sealed record TextDocumentSyncOptions(
    [property: JsonPropertyName("openClose")] bool OpenClose,
    [property: JsonPropertyName("change")] TextDocumentSyncKind Change,
    [property: JsonPropertyName("save"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SaveOptions? Save = null);

public sealed record SaveOptions(
    [property: JsonPropertyName("includeText")] bool IncludeText);

public sealed record ExecuteCommandOptions(
    [property: JsonPropertyName("commands")] IReadOnlyList<string> Commands);

public sealed record WorkspaceServerCapabilities(
    [property: JsonPropertyName("workspaceFolders"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] WorkspaceFoldersServerCapabilities? WorkspaceFolders = null);

public sealed record WorkspaceFoldersServerCapabilities(
    [property: JsonPropertyName("supported")] bool Supported,
    [property: JsonPropertyName("changeNotifications")] bool ChangeNotifications);

public sealed record InitializedParams;

public sealed record SetTraceParams(
    [property: JsonPropertyName("value")] string Value);

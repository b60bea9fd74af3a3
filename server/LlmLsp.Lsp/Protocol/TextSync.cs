using System.Text.Json.Serialization;

namespace LlmLsp.Protocol;

public sealed record DidOpenTextDocumentParams(
    [property: JsonPropertyName("textDocument")] TextDocumentItem TextDocument);

public sealed record DidChangeTextDocumentParams(
    [property: JsonPropertyName("textDocument")] VersionedTextDocumentIdentifier TextDocument,
    [property: JsonPropertyName("contentChanges")] IReadOnlyList<TextDocumentContentChangeEvent> ContentChanges);

/// <summary>A range edit when <see cref="Range"/> is set, the whole new text otherwise.</summary>
public sealed record TextDocumentContentChangeEvent(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("range"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Range? Range = null,
    [property: JsonPropertyName("rangeLength"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? RangeLength = null);

public sealed record DidCloseTextDocumentParams(
    [property: JsonPropertyName("textDocument")] TextDocumentIdentifier TextDocument);

public sealed record DidSaveTextDocumentParams(
    [property: JsonPropertyName("textDocument")] TextDocumentIdentifier TextDocument,
    [property: JsonPropertyName("text"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Text = null);
